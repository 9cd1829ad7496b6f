#include "server/root_of_trust/software_crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <string>

#include "common/openssl_raii.h"
#include "server/root_of_trust/sealed_layout.h"

namespace kms::rot_internal {
namespace {

Status CryptoError(const std::string& what) {
  return Error(ErrorCode::kInternal, what + ": " + OpenSslErrorString());
}

Status CheckKey(ByteView key) {
  if (key.size() != kRootKeySize) {
    return Error(ErrorCode::kInternal, "root key has the wrong length");
  }
  return Status::Ok();
}

}  // namespace

Result<Bytes> SoftwareSeal(ByteView key, ByteView plaintext, ByteView aad) {
  KMS_RETURN_IF_ERROR(CheckKey(key));
  KMS_RETURN_IF_ERROR(CheckSealInput(plaintext, aad));
  Bytes out(kSealIvSize + plaintext.size() + kSealTagSize);
  uint8_t* iv = out.data();
  uint8_t* ct = iv + kSealIvSize;
  uint8_t* tag = ct + plaintext.size();
  if (RAND_bytes(iv, static_cast<int>(kSealIvSize)) != 1) {
    return CryptoError("RAND_bytes");
  }
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return CryptoError("EVP_CIPHER_CTX_new");
  if (EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key.data(), iv,
                          nullptr) != 1) {
    return CryptoError("EVP_EncryptInit_ex2");
  }
  int len = 0;
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                        static_cast<int>(aad.size())) != 1) {
    return CryptoError("EVP_EncryptUpdate(aad)");
  }
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), ct, &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1) {
    return CryptoError("EVP_EncryptUpdate");
  }
  // GCM is a stream mode: Final emits nothing, but it must still be called.
  if (EVP_EncryptFinal_ex(ctx.get(), tag, &len) != 1) {
    return CryptoError("EVP_EncryptFinal_ex");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG,
                          static_cast<int>(kSealTagSize), tag) != 1) {
    return CryptoError("EVP_CTRL_GCM_GET_TAG");
  }
  return out;
}

Result<SecureBytes> SoftwareUnseal(ByteView key, ByteView sealed,
                                   ByteView aad) {
  KMS_RETURN_IF_ERROR(CheckKey(key));
  KMS_RETURN_IF_ERROR(CheckSealedInput(sealed, aad));
  ByteView iv = sealed.first(kSealIvSize);
  ByteView ct = sealed.subspan(kSealIvSize, sealed.size() - kSealOverhead);
  ByteView tag = sealed.last(kSealTagSize);
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return CryptoError("EVP_CIPHER_CTX_new");
  if (EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key.data(), iv.data(),
                          nullptr) != 1) {
    return CryptoError("EVP_DecryptInit_ex2");
  }
  int len = 0;
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                        static_cast<int>(aad.size())) != 1) {
    return CryptoError("EVP_DecryptUpdate(aad)");
  }
  SecureBytes out(ct.size());
  if (!ct.empty() && EVP_DecryptUpdate(ctx.get(), out.data(), &len, ct.data(),
                                       static_cast<int>(ct.size())) != 1) {
    return CryptoError("EVP_DecryptUpdate");
  }
  // OpenSSL only reads the tag, but the ctrl signature is non-const.
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG,
                          static_cast<int>(kSealTagSize),
                          const_cast<uint8_t*>(tag.data())) != 1) {
    return CryptoError("EVP_CTRL_GCM_SET_TAG");
  }
  uint8_t final_block[16];
  if (EVP_DecryptFinal_ex(ctx.get(), final_block, &len) != 1) {
    // `out` holds unauthenticated plaintext; its allocator wipes it.
    return Error(ErrorCode::kDecryptFailed,
                 "sealed data does not verify under this root of trust "
                 "(wrong context, tampered, or sealed by another root)");
  }
  return out;
}

Result<Bytes> SoftwareHmacSha256(ByteView key, ByteView data) {
  EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return CryptoError("EVP_MAC_fetch(HMAC)");
  EvpMacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return CryptoError("EVP_MAC_CTX_new");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) {
    return CryptoError("EVP_MAC_init");
  }
  if (EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1) {
    return CryptoError("EVP_MAC_update");
  }
  Bytes out(kAuditMacSize);
  size_t out_len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &out_len, out.size()) != 1 ||
      out_len != kAuditMacSize) {
    return CryptoError("EVP_MAC_final");
  }
  return out;
}

Result<Bytes> SoftwareRandom(size_t length) {
  KMS_RETURN_IF_ERROR(CheckRandomLength(length));
  Bytes out(length);
  if (length > 0 && RAND_bytes(out.data(), static_cast<int>(length)) != 1) {
    return CryptoError("RAND_bytes");
  }
  return out;
}

}  // namespace kms::rot_internal
