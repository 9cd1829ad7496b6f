// Independent checks of kmsd's output with OpenSSL's EVP interface: the
// integration tests verify signatures, encrypt and decrypt, wrap and unwrap
// here, with keys they made themselves or public keys kmsd returned, so that
// a server that is wrong in the same way in both directions cannot pass.
// Nothing here shares code with server/crypto.
#ifndef KMS_TESTS_INTEGRATION_OPENSSL_CHECK_H_
#define KMS_TESTS_INTEGRATION_OPENSSL_CHECK_H_

#include <openssl/evp.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/openssl_raii.h"
#include "common/secure_memory.h"

namespace kms::testing {

// "SHA1", "SHA256", ... (the API's names) to an EVP_MD; nullptr if unknown.
const EVP_MD* MdByName(std::string_view name);
Bytes Digest(const EVP_MD* md, ByteView data);
Bytes RandomBytes(size_t size);

// ---- Keys ----
// DER SubjectPublicKeyInfo -> key (nullptr when it does not parse).
EvpPkeyPtr PublicKeyFromDer(ByteView der);
// "RSA" with bits, "EC" with curve "P-256"/"P-384", "ED25519".
EvpPkeyPtr GenerateRsa(int bits);
EvpPkeyPtr GenerateEc(const char* curve);
EvpPkeyPtr GenerateEd25519();
Bytes PrivateKeyPkcs8(EVP_PKEY* key);
Bytes PublicKeySpki(EVP_PKEY* key);
// A self-signed X.509 certificate (DER) for `key` with subject CN=cn.
Bytes SelfSignedCertificate(EVP_PKEY* key, const std::string& cn);

// ---- Signatures ----
// md nullptr: `data` is the whole block to pad (a raw DigestInfo).
bool VerifyRsaPkcs1(EVP_PKEY* key, const EVP_MD* md, ByteView digest,
                    ByteView signature);
bool VerifyRsaPss(EVP_PKEY* key, const EVP_MD* md, const EVP_MD* mgf1_md,
                  int salt_length, ByteView digest, ByteView signature);
// `raw` is r||s, each exactly the field size; converted to DER here.
bool VerifyEcdsaRaw(EVP_PKEY* key, ByteView digest, ByteView raw);
bool VerifyEd25519(EVP_PKEY* key, ByteView message, ByteView signature);
// DER DigestInfo for a digest of `md` (RFC 8017 9.2).
Bytes DigestInfo(const EVP_MD* md, ByteView digest);
Bytes HmacSha256(ByteView key, ByteView message);

// ---- RSA encryption with a public key ----
// oaep_md nullptr: PKCS#1 v1.5. MGF1 uses the same hash as OAEP.
std::optional<Bytes> RsaEncrypt(EVP_PKEY* key, const EVP_MD* oaep_md,
                                ByteView label, ByteView plaintext);
std::optional<Bytes> RsaDecrypt(EVP_PKEY* key, const EVP_MD* oaep_md,
                                ByteView label, ByteView ciphertext);

// ---- AES (key of 16 or 32 bytes) ----
// mode: "GCM", "CBC_PAD", "CBC" (no padding), "CTR". `tag` in/out for GCM.
std::optional<Bytes> AesEncrypt(std::string_view mode, ByteView key,
                                ByteView iv, ByteView aad, ByteView plaintext,
                                Bytes* tag);
std::optional<Bytes> AesDecrypt(std::string_view mode, ByteView key,
                                ByteView iv, ByteView aad, ByteView ciphertext,
                                ByteView tag);
// RFC 3394 (pad false) / RFC 5649 (pad true).
std::optional<Bytes> AesKeyWrap(ByteView kek, bool pad, ByteView secret);
std::optional<Bytes> AesKeyUnwrap(ByteView kek, bool pad, ByteView wrapped);

}  // namespace kms::testing

#endif  // KMS_TESTS_INTEGRATION_OPENSSL_CHECK_H_
