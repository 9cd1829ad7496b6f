# Shared by the conformance scripts: a kmsd in dev mode for the run, steps
# counted as passed/failed, and clean-up of every key the run created.
# Usage in a script: . "$(dirname "$0")/lib.sh"; conformance_start BUILD_DIR
set -u

passed=0
failed=0
created_keys=()

conformance_start() {
  build_dir=$(cd "${1:?build directory}" && pwd)
  module="$build_dir/lib/libkms-pkcs11.so"
  kmsctl_bin="$build_dir/bin/kmsctl"
  work=$(mktemp -d /tmp/kms-conformance-XXXXXX)
  "$build_dir/bin/kmsd" dev --data-dir "$work/kmsd" --listen 127.0.0.1:0 \
    2>"$work/kmsd.log" &
  kmsd_pid=$!
  trap conformance_cleanup EXIT
  for _ in $(seq 300); do [ -s "$work/kmsd/env" ] && break; sleep 0.1; done
  if [ ! -s "$work/kmsd/env" ]; then
    echo "kmsd did not start:"; cat "$work/kmsd.log"; exit 1
  fi
  set -a; . "$work/kmsd/env"; set +a
  export KMS_PKCS11_CONFIG
}

kmsctl() { "$kmsctl_bin" --env-file "$work/kmsd/env" "$@"; }

# step NAME COMMAND...: runs the command, counts and reports it.
step() {
  local name=$1; shift
  if "$@" >"$work/step.log" 2>&1; then
    passed=$((passed + 1)); echo "PASS $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/    /' "$work/step.log" | tail -20
  fi
}

# skip NAME REASON: a step not run, with the reason printed.
skip() { echo "SKIP $1: $2"; }

# new_key LABEL ALGORITHM: creates a key in key ring dev with kmsctl and
# remembers it for clean-up; prints its id.
new_key() {
  local id
  id=$(kmsctl --json key create --key-ring dev --label "$1" --algorithm "$2" | jq -r .id)
  created_keys+=("$id")
  echo "$id"
}

# Keys created through the module are found by label for clean-up.
forget_keys_labelled() {
  local label
  for label in "$@"; do
    for id in $(kmsctl --json key list --key-ring dev --label "$label" | jq -r '.keys[].id'); do
      created_keys+=("$id")
    done
  done
}

conformance_cleanup() {
  local id
  for id in "${created_keys[@]}"; do
    kmsctl key destroy --key-ring dev "$id" >/dev/null 2>&1 || true
  done
  created_keys=()
  kill "$kmsd_pid" 2>/dev/null; wait "$kmsd_pid" 2>/dev/null
  rm -rf "$work"
}

# run_python_check SCRIPT: runs a Python check with Debian's python3 (which
# has PyKCS11, unlike a python3 earlier on PATH) and takes the counts from
# its last line ("...: N passed, M failed"); no such line counts as a failure.
run_python_check() {
  KMS_MODULE="$module" KMS_WORK="$work" /usr/bin/python3 "$1" | tee "$work/check.out"
  local counts
  counts=$(tail -1 "$work/check.out")
  passed=$(echo "$counts" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
  failed=$(echo "$counts" | sed -n 's/.*, \([0-9]*\) failed.*/\1/p')
  [ -n "$passed" ] && [ -n "$failed" ] || { passed=0; failed=1; }
}

# conformance_report: destroys the run's keys, stops kmsd, prints the counts
# and exits non-zero if any step failed.
conformance_report() {
  trap - EXIT
  conformance_cleanup
  echo "$(basename "$0" .sh): $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

# raw r||s (hex file) to a DER ECDSA-Sig-Value, for openssl's verifier.
ecdsa_raw_to_der() {
  local raw=$1 der=$2 hex half
  hex=$(od -An -tx1 -v "$raw" | tr -d ' \n')
  half=$((${#hex} / 2))
  printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' \
    "${hex:0:$half}" "${hex:$half}" >"$der.cnf"
  openssl asn1parse -genconf "$der.cnf" -out "$der" >/dev/null
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on now (the
# kernel's choice; a server started right after takes it).
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# hexid ID: the bytes of a key id (its CKA_ID) as hex, for --id options.
hexid() { printf %s "$1" | od -An -tx1 -v | tr -d ' \n'; }

# engine_openssl_conf FILE [INIT]: an OpenSSL config that loads the libp11
# engine with the module; INIT 1 (the default) initialises it when the config
# is read, for programs such as nginx that never call ENGINE_init themselves.
engine_openssl_conf() {
  local engine
  engine=$(find /usr/lib -path '*engines-3/pkcs11.so' | head -1)
  cat >"$1" <<CNF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $engine
MODULE_PATH = $module
init = ${2:-1}
CNF
}
