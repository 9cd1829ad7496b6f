#!/usr/bin/env bash
# OpenSSL through the libp11 engine (libengine-pkcs11-openssl) with keys held
# by kmsd, addressed by RFC 7512 pkcs11: URIs.
# Usage: conformance/openssl_engine.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
conformance_start "$1"

# openssl's -engine initialises the engine itself.
engine_openssl_conf "$work/openssl.cnf" 0
export OPENSSL_CONF="$work/openssl.cnf"
eng() { openssl "$@" -engine pkcs11; }

new_key engine-ec EC_P256 >/dev/null
new_key engine-rsa RSA_2048 >/dev/null
uri() { echo "pkcs11:token=dev;object=$1;type=private;pin-value=$KMS_USER_PIN"; }
printf 'sign me\n' >"$work/data"

self_signed() {
  local label=$1
  openssl req -engine pkcs11 -new -x509 -days 30 -subj "/CN=$label" \
    -keyform engine -key "$(uri "$label")" -out "$work/$label.pem" &&
  OPENSSL_CONF=/dev/null openssl verify -CAfile "$work/$label.pem" "$work/$label.pem"
}
csr() {
  local label=$1
  openssl req -engine pkcs11 -new -subj "/CN=$label-csr" -keyform engine \
    -key "$(uri "$label")" -out "$work/$label.csr" &&
  OPENSSL_CONF=/dev/null openssl req -in "$work/$label.csr" -noout -verify
}
dgst_sign() {
  local label=$1
  openssl dgst -engine pkcs11 -sha256 -keyform engine -sign "$(uri "$label")" \
    -out "$work/$label.sig" "$work/data" &&
  OPENSSL_CONF=/dev/null openssl x509 -in "$work/$label.pem" -pubkey -noout >"$work/$label.pub" &&
  OPENSSL_CONF=/dev/null openssl dgst -sha256 -verify "$work/$label.pub" \
    -signature "$work/$label.sig" "$work/data"
}

step "self-signed certificate with an EC key in kmsd" self_signed engine-ec
step "self-signed certificate with an RSA key in kmsd" self_signed engine-rsa
step "CSR with the EC key verifies" csr engine-ec
step "CSR with the RSA key verifies" csr engine-rsa
step "openssl dgst -sign (EC) verifies with plain openssl" dgst_sign engine-ec
step "openssl dgst -sign (RSA) verifies with plain openssl" dgst_sign engine-rsa
pkeyutl_decrypt() {
  local padding=$1
  printf 'wrapped secret' >"$work/secret" &&
  OPENSSL_CONF=/dev/null openssl pkeyutl -encrypt -pubin -inkey "$work/engine-rsa.pub" \
    -pkeyopt rsa_padding_mode:"$padding" -in "$work/secret" -out "$work/secret.enc" &&
  openssl pkeyutl -engine pkcs11 -decrypt -keyform engine -inkey "$(uri engine-rsa)" \
    -pkeyopt rsa_padding_mode:"$padding" -in "$work/secret.enc" -out "$work/secret.dec" &&
  cmp "$work/secret" "$work/secret.dec"
}
step "openssl pkeyutl -decrypt (PKCS#1 v1.5) through the engine" pkeyutl_decrypt pkcs1
step "openssl pkeyutl -decrypt (OAEP) through the engine" pkeyutl_decrypt oaep

conformance_report
