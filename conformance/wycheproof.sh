#!/usr/bin/env bash
# The Wycheproof vectors (../shared/testdata/wycheproof, or $WYCHEPROOF_DIR)
# driven through libkms-pkcs11.so and a real kmsd by wycheproof_check.py.
# Usage: conformance/wycheproof.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
vectors=${WYCHEPROOF_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/shared/testdata/wycheproof}
if [ ! -d "$vectors" ]; then
  # CTest reports exit code 77 as a skipped test (conformance/CMakeLists.txt).
  echo "SKIP wycheproof: no vectors at $vectors (set WYCHEPROOF_DIR)"
  exit 77
fi
conformance_start "$1"
export WYCHEPROOF_DIR="$vectors"
run_python_check "$(dirname "$0")/wycheproof_check.py"
conformance_report
