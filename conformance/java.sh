#!/usr/bin/env bash
# Java 17's SunPKCS11 provider (and keytool) against libkms-pkcs11.so and a
# real kmsd. The checks themselves are conformance/java/KmsConformance.java,
# compiled here into the work directory.
# Usage: conformance/java.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
conformance_start "$1"

for tool in java javac keytool pkcs11-tool; do
  command -v "$tool" >/dev/null || {
    skip "Java conformance" "$tool is not installed (openjdk-17-jdk-headless, opensc; scripts/install-deps)"
    conformance_report
  }
done
plain_openssl() { OPENSSL_CONF=/dev/null openssl "$@"; }
engine_openssl_conf "$work/openssl.cnf"
p11() { pkcs11-tool --module "$module" --login --pin "$KMS_USER_PIN" "$@"; }

rsa_id=$(new_key java-rsa RSA_2048)
ec_id=$(new_key java-ec EC_P256)
new_key java-aes AES_256 >/dev/null
key_ids() { kmsctl --json key list --key-ring dev | jq -r '.keys[].id' | sort; }
key_ids >"$work/keys.before"

# SunPKCS11's KeyStore shows a private key only together with a certificate
# of the same CKA_ID (the key's id bytes), so each key gets a self-signed
# certificate (made through the libp11 engine) written into the token.
certificate() {
  local label=$1 id=$2
  kmsctl --json key show --key-ring dev "$id" |
    jq -r '.versions[0].public_key' | base64 -d >"$work/$label.kms.der" &&
  OPENSSL_CONF="$work/openssl.cnf" openssl req -engine pkcs11 -new -x509 -days 2 \
    -subj "/CN=$label" -keyform engine \
    -key "pkcs11:token=dev;object=$label;type=private;pin-value=$KMS_USER_PIN" \
    -outform DER -out "$work/$label.cert.der" &&
  # Byte for byte kmsd's key: an EC point that came out of the module
  # compressed (as CKA_EC_POINT once did under openssl -engine) fails here,
  # and Java cannot parse such a certificate.
  plain_openssl x509 -inform DER -in "$work/$label.cert.der" -noout -pubkey |
    plain_openssl pkey -pubin -outform DER | cmp - "$work/$label.kms.der" &&
  p11 --write-object "$work/$label.cert.der" --type cert --id "$(hexid "$id")" \
    --label "$label" &&
  p11 --list-objects --type cert | grep -q "label: *$label"
}
step "self-signed certificate for java-rsa written to the token" certificate java-rsa "$rsa_id"
step "self-signed certificate for java-ec written to the token" certificate java-ec "$ec_id"

cat >"$work/kms-java.cfg" <<CFG
name = kms
library = $module
slotListIndex = 0
CFG

compile() {
  mkdir -p "$work/classes" &&
  javac -Xlint:all -Werror -d "$work/classes" "$(dirname "$0")/java/"*.java
}
step "javac conformance/java/*.java" compile

if [ -f "$work/classes/KmsConformance.class" ]; then
  java -cp "$work/classes" KmsConformance "$work/kms-java.cfg" "$work" 2>&1 |
    tee "$work/java.out"
  counts=$(tail -1 "$work/java.out")
  java_passed=$(echo "$counts" | sed -n 's/^java: \([0-9]*\) passed.*/\1/p')
  java_failed=$(echo "$counts" | sed -n 's/.*, \([0-9]*\) failed$/\1/p')
  if [ -n "$java_passed" ] && [ -n "$java_failed" ]; then
    passed=$((passed + java_passed)); failed=$((failed + java_failed))
  else
    failed=$((failed + 1)); echo "FAIL KmsConformance did not finish"
  fi
fi

keytool_list() {
  keytool -list -keystore NONE -storetype PKCS11 \
    -providerClass sun.security.pkcs11.SunPKCS11 -providerArg "$work/kms-java.cfg" \
    -storepass "$KMS_USER_PIN" >"$work/keytool.out" 2>&1
  local rc=$?
  cat "$work/keytool.out"
  [ "$rc" -eq 0 ] &&
  grep -q "^java-rsa, PrivateKeyEntry" "$work/keytool.out" &&
  grep -q "^java-ec, PrivateKeyEntry" "$work/keytool.out" &&
  grep -q "^java-aes, SecretKeyEntry" "$work/keytool.out"
}
step "keytool -list -storetype PKCS11 lists the key entries" keytool_list

# Keys generated through Java are session keys that the module destroys
# when their session closes; a JVM exits without closing them, so whatever
# appeared during the run is destroyed with the run's keys.
key_ids | comm -13 "$work/keys.before" - >"$work/keys.new"
while read -r id; do created_keys+=("$id"); done <"$work/keys.new"
echo "    ($(wc -l <"$work/keys.new") key(s) generated through Java left in kmsd, destroyed at the end)"

delete_certificates() {
  p11 --delete-object --type cert --id "$(hexid "$rsa_id")" &&
  p11 --delete-object --type cert --id "$(hexid "$ec_id")" &&
  ! p11 --list-objects --type cert | grep -q "label: *java-"
}
step "certificates deleted from the token" delete_certificates

conformance_report
