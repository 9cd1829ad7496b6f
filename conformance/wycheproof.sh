#!/usr/bin/env bash
# The Wycheproof vectors (../shared/testdata/wycheproof, or $WYCHEPROOF_DIR)
# driven through libkms-pkcs11.so and a real kmsd by wycheproof_check.py.
# Usage: conformance/wycheproof.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
vectors=${WYCHEPROOF_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/shared/testdata/wycheproof}
if [ ! -d "$vectors" ]; then
  echo "SKIP wycheproof: no vectors at $vectors (set WYCHEPROOF_DIR)"
  exit 1
fi
conformance_start "$1"
# Debian's python3, which has PyKCS11 and cryptography.
KMS_MODULE="$module" WYCHEPROOF_DIR="$vectors" /usr/bin/python3 \
  "$(dirname "$0")/wycheproof_check.py" | tee "$work/wycheproof.out"
counts=$(tail -1 "$work/wycheproof.out")
passed=$(echo "$counts" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
failed=$(echo "$counts" | sed -n 's/.*, \([0-9]*\) failed.*/\1/p')
[ -n "$passed" ] && [ -n "$failed" ] || { passed=0; failed=1; }
conformance_report
