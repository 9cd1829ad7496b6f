#!/usr/bin/env bash
# OpenSC's pkcs11-tool against libkms-pkcs11.so and a real kmsd.
# Usage: conformance/pkcs11_tool.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
conformance_start "$1"
p11() { pkcs11-tool --module "$module" "$@"; }
login=(--login --pin "$KMS_USER_PIN")

ec_id=$(new_key conf-ec EC_P256)
rsa_id=$(new_key conf-rsa RSA_2048)
ed_id=$(new_key conf-ed ED25519)
printf 'conformance data to sign\n' >"$work/data"
# pkcs11-tool picks the key for --sign by CKA_ID (its --label is not used
# there); CKA_ID is the key id's bytes.
hexid() { printf %s "$1" | od -An -tx1 -v | tr -d ' \n'; }

step "show info" p11 --show-info
step "list slots shows token dev" bash -c "pkcs11-tool --module '$module' --list-slots | grep -q 'token label *: dev'"
step "list mechanisms" bash -c "pkcs11-tool --module '$module' --list-mechanisms | grep -q ECDSA"
step "list objects after login" bash -c "pkcs11-tool --module '$module' ${login[*]} --list-objects | grep -q conf-ec"
step "random bytes" bash -c "pkcs11-tool --module '$module' --generate-random 32 | wc -c | grep -qx 32"
step "wrong PIN refused" bash -c "! pkcs11-tool --module '$module' --login --pin 000000 --list-objects"
# The wrong PIN above counted; a good login clears the count.
step "good PIN after a wrong one" p11 "${login[@]}" --list-objects

ecdsa_check() {
  p11 "${login[@]}" --sign --mechanism ECDSA-SHA256 --id "$(hexid "$ec_id")" \
    --input-file "$work/data" --output-file "$work/ec.sig" &&
  p11 "${login[@]}" --read-object --type pubkey --id "$(hexid "$ec_id")" --output-file "$work/ec.der" &&
  ecdsa_raw_to_der "$work/ec.sig" "$work/ec.sig.der" &&
  openssl dgst -sha256 -keyform DER -verify "$work/ec.der" \
    -signature "$work/ec.sig.der" "$work/data"
}
step "ECDSA-SHA256 sign, openssl verifies" ecdsa_check

rsa_check() {
  local mech=$1 opts=$2
  p11 "${login[@]}" --sign --mechanism "$mech" --id "$(hexid "$rsa_id")" \
    --input-file "$work/data" --output-file "$work/rsa.sig" &&
  p11 "${login[@]}" --read-object --type pubkey --id "$(hexid "$rsa_id")" --output-file "$work/rsa.der" &&
  openssl dgst -sha256 -keyform DER -verify "$work/rsa.der" $opts \
    -signature "$work/rsa.sig" "$work/data"
}
step "SHA256-RSA-PKCS sign, openssl verifies" rsa_check SHA256-RSA-PKCS ""
step "SHA256-RSA-PKCS-PSS sign, openssl verifies" rsa_check SHA256-RSA-PKCS-PSS \
  "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32"

eddsa_check() {
  p11 "${login[@]}" --sign --mechanism EDDSA --id "$(hexid "$ed_id")" \
    --input-file "$work/data" --output-file "$work/ed.sig" &&
  # pkcs11-tool 0.23 cannot export an Ed25519 public key as SPKI; take it
  # from kmsd instead.
  kmsctl --json key show --key-ring dev "$ed_id" |
    jq -r '.versions[0].public_key' | base64 -d >"$work/ed.der" &&
  openssl pkeyutl -verify -pubin -keyform DER -inkey "$work/ed.der" -rawin \
    -in "$work/data" -sigfile "$work/ed.sig"
}
step "EdDSA sign, openssl verifies" eddsa_check

step "ECDSA verify through the module" bash -c "pkcs11-tool --module '$module' ${login[*]} \
  --verify --mechanism ECDSA-SHA256 --id $(hexid "$ec_id") --input-file '$work/data' \
  --signature-file '$work/ec.sig'"

conformance_report
