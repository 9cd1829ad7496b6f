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
# there); CKA_ID is the key id's bytes (hexid in lib.sh).

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

# Key generation through the module, for every key type.
keypairgen() {
  local type=$1 label=$2 id=$3
  p11 "${login[@]}" --keypairgen --key-type "$type" --label "$label" --id "$id" &&
  p11 "${login[@]}" --list-objects --type privkey --id "$id" | grep -q "label: *$label"
}
step "keypairgen EC P-256" keypairgen EC:prime256v1 conf-gen-p256 c1
step "keypairgen EC P-384" keypairgen EC:secp384r1 conf-gen-p384 c2
step "keypairgen RSA 2048" keypairgen rsa:2048 conf-gen-rsa c3
step "keypairgen Ed25519" keypairgen EC:edwards25519 conf-gen-ed c4
forget_keys_labelled conf-gen-p256 conf-gen-p384 conf-gen-rsa conf-gen-ed conf-gen-aes

generated_ecdsa() {
  p11 "${login[@]}" --sign --mechanism ECDSA-SHA384 --id c2 \
    --input-file "$work/data" --output-file "$work/p384.sig" &&
  # pkcs11-tool 0.23 cannot export a P-384 public key (SoftHSMv2's neither);
  # take it from kmsd.
  kmsctl --json key list --key-ring dev --label conf-gen-p384 |
    jq -r '.keys[0].versions[0].public_key' | base64 -d >"$work/p384.der" &&
  ecdsa_raw_to_der "$work/p384.sig" "$work/p384.sig.der" &&
  openssl dgst -sha384 -keyform DER -verify "$work/p384.der" \
    -signature "$work/p384.sig.der" "$work/data"
}
step "generated P-384 key signs, openssl verifies" generated_ecdsa

rsa_oaep() {
  p11 "${login[@]}" --read-object --type pubkey --id c3 --output-file "$work/gen-rsa.der" &&
  printf 'secret for OAEP' >"$work/oaep.in" &&
  openssl pkeyutl -encrypt -pubin -keyform DER -inkey "$work/gen-rsa.der" \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
    -in "$work/oaep.in" -out "$work/oaep.ct" &&
  p11 "${login[@]}" --decrypt --mechanism RSA-PKCS-OAEP --hash-algorithm SHA256 \
    --mgf MGF1-SHA256 --id c3 --input-file "$work/oaep.ct" --output-file "$work/oaep.out" &&
  cmp "$work/oaep.in" "$work/oaep.out"
}
step "RSA-OAEP: openssl encrypts, module decrypts" rsa_oaep

aes_round_trip() {
  local iv=00112233445566778899aabbccddeeff
  p11 "${login[@]}" --keygen --key-type AES:32 --sensitive --label conf-gen-aes --id c5 &&
  head -c 100 /dev/urandom >"$work/aes.in" &&
  p11 "${login[@]}" --encrypt --mechanism AES-CBC-PAD --iv $iv --id c5 \
    --input-file "$work/aes.in" --output-file "$work/aes.ct" &&
  p11 "${login[@]}" --decrypt --mechanism AES-CBC-PAD --iv $iv --id c5 \
    --input-file "$work/aes.ct" --output-file "$work/aes.out" &&
  cmp "$work/aes.in" "$work/aes.out" && ! cmp -s "$work/aes.in" "$work/aes.ct"
}
step "AES-256 keygen, CBC-PAD encrypt and decrypt" aes_round_trip
forget_keys_labelled conf-gen-aes

write_certificate() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=conformance-cert -days 1 -keyout "$work/cert-key.pem" \
    -outform DER -out "$work/cert.der" 2>/dev/null &&
  p11 "${login[@]}" --write-object "$work/cert.der" --type cert --id c6 \
    --label conf-cert &&
  p11 "${login[@]}" --list-objects --type cert | grep -q 'label: *conf-cert' &&
  p11 --read-object --type cert --id c6 --output-file "$work/cert.out" &&
  cmp "$work/cert.der" "$work/cert.out" &&
  p11 "${login[@]}" --delete-object --type cert --id c6 &&
  ! p11 --list-objects --type cert | grep -q 'label: *conf-cert'
}
step "write a certificate, list it, read it back (before login), delete it" write_certificate

# pkcs11-tool's own self-test over every key in the token (digests, sign and
# verify, decryption, random); it exits with the number of errors.
self_test() {
  p11 "${login[@]}" --test >"$work/self-test.out" 2>&1
  local rc=$?
  cat "$work/self-test.out"
  [ "$rc" -eq 0 ] && grep -q "No errors" "$work/self-test.out"
}
step "pkcs11-tool --test with login" self_test

conformance_report
