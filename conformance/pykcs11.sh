#!/usr/bin/env bash
# PyKCS11 (python3-pykcs11) against libkms-pkcs11.so and a real kmsd.
# Usage: conformance/pykcs11.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
conformance_start "$1"
new_key py-ec EC_P256 >/dev/null
new_key py-rsa RSA_2048 >/dev/null
# Debian's python3, which has PyKCS11 (not a python3 earlier on PATH).
KMS_MODULE="$module" KMS_WORK="$work" /usr/bin/python3 \
  "$(dirname "$0")/pykcs11_check.py" | tee "$work/py.out"
counts=$(tail -1 "$work/py.out")
passed=$(echo "$counts" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
failed=$(echo "$counts" | sed -n 's/.*, \([0-9]*\) failed.*/\1/p')
[ -n "$passed" ] && [ -n "$failed" ] || { passed=0; failed=1; }
conformance_report
