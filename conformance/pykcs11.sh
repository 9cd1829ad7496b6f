#!/usr/bin/env bash
# PyKCS11 (python3-pykcs11) against libkms-pkcs11.so and a real kmsd.
# Usage: conformance/pykcs11.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
conformance_start "$1"
new_key py-ec EC_P256 >/dev/null
new_key py-rsa RSA_2048 >/dev/null
run_python_check "$(dirname "$0")/pykcs11_check.py"
conformance_report
