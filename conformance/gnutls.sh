#!/usr/bin/env bash
# GnuTLS's p11tool and certtool (gnutls-bin) against libkms-pkcs11.so and a
# real kmsd, with keys addressed by pkcs11: URIs.
# Usage: conformance/gnutls.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
conformance_start "$1"

for tool in p11tool certtool; do
  command -v "$tool" >/dev/null || {
    skip "GnuTLS conformance" "$tool is not installed (gnutls-bin; scripts/install-deps)"
    conformance_report
  }
done
# --provider loads the module directly (no p11-kit configuration needed);
# GNUTLS_PIN answers the PIN prompt of --login.
export GNUTLS_PIN="$KMS_USER_PIN"
p11() { p11tool --provider "$module" "$@"; }
plain_openssl() { OPENSSL_CONF=/dev/null openssl "$@"; }

ec_id=$(new_key gt-ec EC_P256)
rsa_id=$(new_key gt-rsa RSA_2048)
uri() { echo "pkcs11:token=dev;object=$1;type=$2"; }

list_tokens() { p11 --list-tokens | tee /dev/stderr | grep -q "Label: dev"; }
step "p11tool --list-tokens shows token dev" list_tokens
list_all() {
  p11 --login --list-all >"$work/all" && cat "$work/all" &&
  grep -q "Label: gt-ec" "$work/all" && grep -q "Label: gt-rsa" "$work/all" &&
  grep -q "Type: Private key (EC/ECDSA" "$work/all" &&
  grep -q "Type: Private key (RSA" "$work/all" &&
  # CKA_ID as p11tool prints it (hex bytes, colon separated).
  grep -q "ID: $(hexid "$ec_id" | sed 's/../&:/g; s/:$//')" "$work/all"
}
step "p11tool --login --list-all lists both keys with their CKA_ID" list_all
# Private objects (CKA_PRIVATE) are visible only after C_Login.
list_without_login() {
  p11 --list-all >"$work/public" 2>&1
  cat "$work/public"
  ! grep -q "Private key" "$work/public"
}
step "no private key objects without login" list_without_login

# --test-sign signs test data with the private key and verifies it with the
# public key object of the same URI.
test_sign() {
  p11 --login --test-sign "$(uri "$1" private)" >"$work/test-sign" 2>&1 || {
    cat "$work/test-sign"; return 1; }
  grep -Eq "^Signing using .*\.\.\. ok" "$work/test-sign" &&
  grep -q "^Verifying against private key parameters... ok" "$work/test-sign" &&
  grep -q "^Verifying against public key in the token... ok" "$work/test-sign"
}
step "p11tool --test-sign with the RSA key" test_sign gt-rsa
step "p11tool --test-sign with the EC key" test_sign gt-ec

export_pubkey() {
  local label=$1 id=$2
  p11 --export-pubkey "$(uri "$label" public)" --outfile "$work/$label.pub.pem" &&
  kmsctl --json key show --key-ring dev "$id" |
    jq -r '.versions[0].public_key' | base64 -d >"$work/$label.kms.der" &&
  plain_openssl pkey -pubin -in "$work/$label.pub.pem" -outform DER -out "$work/$label.pub.der" &&
  cmp "$work/$label.pub.der" "$work/$label.kms.der"
}
step "p11tool --export-pubkey (RSA) equals kmsd's public key" export_pubkey gt-rsa "$rsa_id"
step "p11tool --export-pubkey (EC) equals kmsd's public key" export_pubkey gt-ec "$ec_id"

cat >"$work/cert.tmpl" <<TMPL
cn = "kms gnutls conformance"
expiration_days = 2
serial = 1
ca
cert_signing_key
signing_key
TMPL
# certtool gets the PIN from the URI only (no GNUTLS_PIN).
self_signed() {
  local label=$1
  env -u GNUTLS_PIN certtool --generate-self-signed --provider "$module" \
    --load-privkey "$(uri "$label" private)?pin-value=$KMS_USER_PIN" \
    --template "$work/cert.tmpl" --outfile "$work/$label.pem" &&
  plain_openssl verify -CAfile "$work/$label.pem" "$work/$label.pem" &&
  # The certificate's key is the token's key.
  plain_openssl x509 -in "$work/$label.pem" -noout -pubkey |
    plain_openssl pkey -pubin -outform DER | cmp - "$work/$label.kms.der"
}
step "certtool self-signed certificate (RSA), openssl verifies it" self_signed gt-rsa
step "certtool self-signed certificate (EC), openssl verifies it" self_signed gt-ec

# A CSR made by certtool with the token's key (PKCS#10 signature checked by
# openssl).
csr() {
  env -u GNUTLS_PIN certtool --generate-request --provider "$module" \
    --load-privkey "$(uri gt-ec private)?pin-value=$KMS_USER_PIN" \
    --template "$work/cert.tmpl" --outfile "$work/gt-ec.csr" &&
  plain_openssl req -in "$work/gt-ec.csr" -noout -verify
}
step "certtool --generate-request (EC), openssl verifies it" csr

conformance_report
