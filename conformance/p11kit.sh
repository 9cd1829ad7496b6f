#!/usr/bin/env bash
# cmake --install of the module and its p11-kit module file into a staged
# root (DESTDIR), registered as a user module in a temporary HOME, then found
# by p11-kit, by GnuTLS's p11tool without --provider, and by pkcs11-tool
# through p11-kit-proxy.so.
# Usage: conformance/p11kit.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
conformance_start "$1"

for tool in p11-kit p11tool pkg-config; do
  command -v "$tool" >/dev/null || {
    skip "p11-kit conformance" "$tool is not installed (scripts/install-deps)"
    conformance_report
  }
done
config_dir=$(sed -n 's/^KMS_P11KIT_MODULE_CONFIG_DIR:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
module_dir=$(sed -n 's/^KMS_PKCS11_MODULE_DIR:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
prefix="$work/prefix"
root="$work/root"
installed="$prefix/$module_dir/libkms-pkcs11.so"
[[ $module_dir = /* ]] && installed="$module_dir/libkms-pkcs11.so"

install_staged() {
  DESTDIR="$root" cmake --install "$build_dir" --component pkcs11 --prefix "$prefix" &&
  [ -f "$root$installed" ] &&
  [ -f "$root$config_dir/kms.module" ] &&
  cat "$root$config_dir/kms.module" &&
  grep -qx "module: $installed" "$root$config_dir/kms.module"
}
step "cmake --install (component pkcs11) into DESTDIR: module and kms.module" install_staged

# Deploying the staged tree: its prefix becomes the real one, and kms.module
# becomes a user module (~/.config/pkcs11/modules) of a fresh HOME, so no
# system path is touched. p11-kit ignores user configuration in programs
# run by root, so as root the p11-kit steps run as user nobody, with its own
# copy of the module configuration and client credentials.
ln -s "$root$prefix" "$prefix"
udir="$work/user"
mkdir -p "$udir/home/.config/pkcs11/modules"
cp "$root$config_dir/kms.module" "$udir/home/.config/pkcs11/modules/kms.module"
for f in ca_file cert_file key_file; do
  cp "$(jq -r ".$f" "$KMS_PKCS11_CONFIG")" "$udir/$f.pem"
done
jq --arg d "$udir" '.ca_file = "\($d)/ca_file.pem" | .cert_file = "\($d)/cert_file.pem"
  | .key_file = "\($d)/key_file.pem"' "$KMS_PKCS11_CONFIG" >"$udir/pkcs11.json"
user_env=(env -i PATH="$PATH" HOME="$udir/home" KMS_PKCS11_CONFIG="$udir/pkcs11.json"
  GNUTLS_PIN="$KMS_USER_PIN")
if [ "$(id -u)" -eq 0 ]; then
  chown -R "$(id -u nobody):$(id -g nobody)" "$udir"
  chmod 700 "$udir"
  chmod 711 "$work"  # nobody may pass through to its directory and the prefix
  as_user() { setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups \
    "${user_env[@]}" "$@"; }
else
  as_user() { "${user_env[@]}" "$@"; }
fi

list_modules() {
  as_user p11-kit list-modules >"$work/modules" 2>"$work/modules.err"
  cat "$work/modules" "$work/modules.err"
  # The module, its library description and its token, in that order.
  awk '/^kms: / { m = 1 } m && /token: dev$/ { found = 1 } END { exit !found }' \
    "$work/modules" &&
  grep -q "^kms: $installed" "$work/modules"
}
step "p11-kit list-modules shows module kms with token dev" list_modules

tokens() { as_user p11tool --list-tokens | tee /dev/stderr | grep -q "Label: dev"; }
step "p11tool --list-tokens (p11-kit registered modules) finds token dev" tokens

ec_id=$(new_key p11kit-ec EC_P256)
list_all() {
  as_user p11tool --login --list-all "pkcs11:token=dev" | tee /dev/stderr |
    grep -q "Label: p11kit-ec"
}
step "p11tool --login --list-all pkcs11:token=dev lists the key" list_all

proxy=$(pkg-config --variable=proxy_module p11-kit-1)
[ -f "$proxy" ] || proxy=$(find /usr/lib -name p11-kit-proxy.so | head -1)
through_proxy() {
  as_user pkcs11-tool --module "$proxy" --list-slots | tee /dev/stderr |
    grep -q "token label *: dev"
}
sign_through_proxy() {
  printf 'through p11-kit-proxy\n' >"$udir/data"
  as_user pkcs11-tool --module "$proxy" --token-label dev --login --pin "$KMS_USER_PIN" \
    --sign --mechanism ECDSA-SHA256 --id "$(hexid "$ec_id")" \
    --input-file "$udir/data" --output-file "$udir/sig" &&
  kmsctl --json key show --key-ring dev "$ec_id" |
    jq -r '.versions[0].public_key' | base64 -d >"$work/ec.der" &&
  ecdsa_raw_to_der "$udir/sig" "$work/sig.der" &&
  OPENSSL_CONF=/dev/null openssl dgst -sha256 -keyform DER -verify "$work/ec.der" \
    -signature "$work/sig.der" "$udir/data"
}
if command -v pkcs11-tool >/dev/null && [ -f "$proxy" ]; then
  step "pkcs11-tool through p11-kit-proxy.so lists token dev" through_proxy
  step "ECDSA signature through p11-kit-proxy.so, openssl verifies" sign_through_proxy
else
  skip "p11-kit-proxy.so" "pkcs11-tool or p11-kit-proxy.so not installed"
fi

conformance_report
