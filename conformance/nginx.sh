#!/usr/bin/env bash
# nginx serving TLS with private keys held by kmsd: the libp11 engine
# (libengine-pkcs11-openssl) loads libkms-pkcs11.so and nginx names the keys
# with "engine:pkcs11:<pkcs11: URI>". One EC P-256 and one RSA-2048 key, each
# with a certificate from a CA made here; TLS 1.2 and 1.3 handshakes checked
# with curl, then a short wrk load.
# Usage: conformance/nginx.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
conformance_start "$1"

for tool in nginx wrk curl; do
  command -v "$tool" >/dev/null || command -v "/usr/sbin/$tool" >/dev/null || {
    skip "nginx conformance" "$tool is not installed (scripts/install-deps)"
    conformance_report
  }
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

engine_openssl_conf "$work/openssl.cnf"
export OPENSSL_CONF="$work/openssl.cnf"
plain_openssl() { OPENSSL_CONF=/dev/null openssl "$@"; }

new_key ngx-ec EC_P256 >/dev/null
new_key ngx-rsa RSA_2048 >/dev/null
# Two ways of giving libp11 the PIN: in the URI (EC key), or read from a
# file named by the URI (RSA key), which keeps it out of nginx.conf.
printf '%s' "$KMS_USER_PIN" >"$work/pin"
chmod 600 "$work/pin"
ec_uri="pkcs11:token=dev;object=ngx-ec;type=private?pin-value=$KMS_USER_PIN"
rsa_uri="pkcs11:token=dev;object=ngx-rsa;type=private?pin-source=file:$work/pin"

# A CA of our own (a plain file key: it only stands in for a real CA) signs
# a CSR that the engine made with each kmsd key.
make_ca() {
  plain_openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -nodes -days 2 -subj "/CN=kms conformance CA" \
    -keyout "$work/ca.key" -out "$work/ca.pem"
}
server_cert() {
  local label=$1 uri=$2
  openssl req -new -engine pkcs11 -keyform engine -key "$uri" \
    -subj "/CN=localhost" -out "$work/$label.csr" &&
  plain_openssl req -in "$work/$label.csr" -noout -verify &&
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' \
    >"$work/$label.ext" &&
  plain_openssl x509 -req -in "$work/$label.csr" -CA "$work/ca.pem" \
    -CAkey "$work/ca.key" -CAcreateserial -days 2 -extfile "$work/$label.ext" \
    -out "$work/$label.pem" &&
  plain_openssl verify -CAfile "$work/ca.pem" "$work/$label.pem"
}
# The third way, the engine's PIN option in the OpenSSL config, checked with
# openssl itself (one OpenSSL config serves a whole nginx).
config_pin() {
  { cat "$work/openssl.cnf"; echo "PIN = $KMS_USER_PIN"; } >"$work/openssl-pin.cnf" &&
  OPENSSL_CONF="$work/openssl-pin.cnf" openssl req -new -engine pkcs11 -keyform engine \
    -key "pkcs11:token=dev;object=ngx-ec;type=private" -subj "/CN=pin" \
    -out "$work/pin.csr" </dev/null &&
  plain_openssl req -in "$work/pin.csr" -noout -verify
}
step "CA for the run" make_ca
step "PIN from the engine section of the OpenSSL config" config_pin
step "certificate for the EC key (CSR signed through the engine)" server_cert ngx-ec "$ec_uri"
step "certificate for the RSA key (CSR signed through the engine)" server_cert ngx-rsa "$rsa_uri"

ec_port=$(free_port)
rsa_port=$(free_port)
while [ "$rsa_port" = "$ec_port" ]; do rsa_port=$(free_port); done
prefix="$work/nginx"
mkdir -p "$prefix/html" "$prefix/tmp"
printf 'served by nginx with a key held by kmsd\n' >"$prefix/html/index.html"
# Workers are forked after the master loaded the keys; libp11 notices the
# fork and calls C_Initialize again in each worker (and logs in again with
# the PIN it kept), which needs the module's configuration in the worker's
# environment: nginx clears the environment of workers except for "env".
cat >"$prefix/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 2;
user $(id -un) $(id -gn);
pid $prefix/nginx.pid;
lock_file $prefix/nginx.lock;
error_log $prefix/error.log info;
env KMS_PKCS11_CONFIG;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  ssl_protocols TLSv1.2 TLSv1.3;
  add_header X-TLS-Protocol \$ssl_protocol;
  server {
    listen 127.0.0.1:$ec_port ssl;
    ssl_certificate $work/ngx-ec.pem;
    ssl_certificate_key "engine:pkcs11:$ec_uri";
    root $prefix/html;
  }
  server {
    listen 127.0.0.1:$rsa_port ssl;
    ssl_certificate $work/ngx-rsa.pem;
    ssl_certificate_key "engine:pkcs11:$rsa_uri";
    root $prefix/html;
  }
}
CONF

nginx_pid=""
start_nginx() {
  "$nginx_bin" -t -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" || return 1
  "$nginx_bin" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" \
    2>>"$prefix/error.log" &
  nginx_pid=$!
  local port
  for port in "$ec_port" "$rsa_port"; do
    for _ in $(seq 100); do
      curl -s -o /dev/null --cacert "$work/ca.pem" "https://127.0.0.1:$port/" && break
      kill -0 "$nginx_pid" 2>/dev/null || break
      sleep 0.1
    done
  done
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$prefix/error.log"; return 1; }
}
stop_nginx() {
  [ -n "$nginx_pid" ] || return 0
  kill -QUIT "$nginx_pid" 2>/dev/null
  wait "$nginx_pid" 2>/dev/null
  nginx_pid=""
}
# nginx must be gone before lib.sh's clean-up destroys the keys.
trap 'stop_nginx; conformance_cleanup' EXIT
step "nginx starts with both engine keys" start_nginx

# handshake PORT VERSION: curl verifies the chain up to our CA and the key's
# signature in the handshake; both ends must report VERSION and the page
# must arrive.
handshake() {
  local port=$1 version=$2 opts
  case $version in
    TLSv1.2) opts=(--tlsv1.2 --tls-max 1.2) ;;
    TLSv1.3) opts=(--tlsv1.3) ;;
  esac
  curl -sS -v --cacert "$work/ca.pem" "${opts[@]}" -D "$work/headers" \
    -o "$work/body" "https://127.0.0.1:$port/" 2>"$work/curl.log" || {
    cat "$work/curl.log"; return 1; }
  grep -E "SSL connection using $version " "$work/curl.log" &&
  grep -qi "^X-TLS-Protocol: $version" "$work/headers" &&
  grep -qx 'served by nginx with a key held by kmsd' "$work/body" ||
  { cat "$work/curl.log" "$work/headers" "$work/body"; return 1; }
}
step "TLS 1.2 handshake with the EC key" handshake "$ec_port" TLSv1.2
step "TLS 1.3 handshake with the EC key" handshake "$ec_port" TLSv1.3
step "TLS 1.2 handshake with the RSA key" handshake "$rsa_port" TLSv1.2
step "TLS 1.3 handshake with the RSA key" handshake "$rsa_port" TLSv1.3

# load PORT [wrk options]: a bounded wrk run; every response must be a 2xx
# and no socket error may occur (wrk prints those lines only when non-zero).
load() {
  local port=$1; shift
  wrk -t2 -c8 -d5s "$@" "https://127.0.0.1:$port/" >"$work/wrk.out" 2>&1
  cat "$work/wrk.out"
  local requests
  requests=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$work/wrk.out")
  [ -n "$requests" ] && [ "$requests" -gt 0 ] &&
  ! grep -q "Socket errors" "$work/wrk.out" &&
  ! grep -q "Non-2xx or 3xx responses" "$work/wrk.out"
}
# wrk_summary: the request count of the last run, for the log.
wrk_summary() { sed -n 's/^ *\([0-9]* requests in [^,]*\),.*/    (\1)/p' "$work/wrk.out"; }
step "wrk 5 s, 8 connections, EC key: no errors" load "$ec_port"
wrk_summary
step "wrk 5 s, 8 connections, RSA key: no errors" load "$rsa_port"
wrk_summary
# Connection: close makes every request a new full handshake, so each one
# is a signature by kmsd through the module in a forked worker.
step "wrk 5 s, a handshake per request, EC key: no errors" \
  load "$ec_port" -H "Connection: close"
wrk_summary

# A reload (SIGHUP) makes the master, which never forked away from its
# libp11 state, load both keys again and fork new workers.
reload() {
  local old pid gone=0
  old=$(pgrep -P "$nginx_pid")
  kill -HUP "$nginx_pid" || return 1
  # The old workers are told to exit only once the new configuration (and
  # its keys) loaded; if it fails they go on serving.
  for _ in $(seq 100); do
    gone=1
    for pid in $old; do kill -0 "$pid" 2>/dev/null && gone=0; done
    [ "$gone" = 1 ] && [ -n "$(pgrep -P "$nginx_pid")" ] && break
    sleep 0.1
  done
  [ "$gone" = 1 ] || { echo "old workers $old still running"; cat "$prefix/error.log"; return 1; }
  handshake "$ec_port" TLSv1.3 && handshake "$rsa_port" TLSv1.2
}
step "nginx reload (SIGHUP): new workers serve both keys" reload

nginx_alive() { kill -0 "$nginx_pid" && ! grep -E '\[(alert|emerg|crit)\]' "$prefix/error.log"; }
step "nginx still running, no alert in its error log" nginx_alive
stop_nginx
conformance_report
