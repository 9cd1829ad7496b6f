#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <string>

#include "common/openssl_raii.h"
#include "server/crypto/openssl_util.h"
#include "server/crypto/operations.h"

namespace kms {
namespace {

// PKCS#1 v1.5 type-2 padding needs at least 11 bytes of the block.
constexpr size_t kPkcs1Overhead = 11;

Status CheckKey(const KeyMaterial& key) {
  if (!IsRsa(key.algorithm())) {
    return Error(ErrorCode::kUsageNotAllowed,
                 "RSA encryption needs an RSA key, not " +
                     std::string(AlgorithmName(key.algorithm())));
  }
  return Status::Ok();
}

size_t MaxPlaintext(const KeyMaterial& key, const RsaDecryptParams& params) {
  const size_t k = static_cast<size_t>(EVP_PKEY_get_size(key.pkey()));
  if (params.padding == RsaPadding::kPkcs1) return k - kPkcs1Overhead;
  return k - 2 * HashSize(params.oaep_hash) - 2;  // RFC 8017 7.1.1
}

Status Configure(EVP_PKEY_CTX* ctx, const RsaDecryptParams& params) {
  if (params.padding == RsaPadding::kPkcs1) {
    if (!params.label.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "a label applies to RSA-OAEP only");
    }
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) {
      return OpenSslFailure("RSA padding");
    }
    return Status::Ok();
  }
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, HashMd(params.oaep_hash)) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, HashMd(params.mgf1_hash)) <= 0) {
    return OpenSslFailure("RSA-OAEP parameters");
  }
  if (params.label.size() > kMaxCipherInput) {
    return Error(ErrorCode::kInvalidArgument, "RSA-OAEP label too long");
  }
  if (!params.label.empty()) {
    // set0 takes ownership of an OPENSSL_malloc'd buffer.
    void* label = OPENSSL_memdup(params.label.data(), params.label.size());
    if (label == nullptr ||
        EVP_PKEY_CTX_set0_rsa_oaep_label(
            ctx, label, static_cast<int>(params.label.size())) <= 0) {
      OPENSSL_free(label);
      return OpenSslFailure("RSA-OAEP label");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SecureBytes> RsaDecrypt(const KeyMaterial& key,
                               const RsaDecryptParams& params,
                               ByteView ciphertext) {
  KMS_RETURN_IF_ERROR(CheckKey(key));
  const size_t k = static_cast<size_t>(EVP_PKEY_get_size(key.pkey()));
  // The length is public, so refusing it early reveals nothing.
  if (ciphertext.size() != k) {
    return Error(ErrorCode::kDataInvalid,
                 "RSA ciphertext must be " + std::to_string(k) + " bytes");
  }
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
  if (ctx == nullptr || EVP_PKEY_decrypt_init(ctx.get()) <= 0) {
    return OpenSslFailure("RSA decrypt setup");
  }
  KMS_RETURN_IF_ERROR(Configure(ctx.get(), params));
  SecureBytes plaintext(k);
  size_t size = plaintext.size();
  if (EVP_PKEY_decrypt(ctx.get(), plaintext.data(), &size, ciphertext.data(),
                       ciphertext.size()) <= 0) {
    // One code and one message for every padding failure, and no OpenSSL
    // reason: distinguishable failures are a Bleichenbacher/Manger oracle.
    ERR_clear_error();
    return Error(ErrorCode::kDecryptFailed, "decryption failed");
  }
  plaintext.resize(size);
  return plaintext;
}

Result<Bytes> RsaEncrypt(const KeyMaterial& key, const RsaDecryptParams& params,
                         ByteView plaintext) {
  KMS_RETURN_IF_ERROR(CheckKey(key));
  const size_t max = MaxPlaintext(key, params);
  if (plaintext.size() > max) {
    return Error(ErrorCode::kDataInvalid,
                 "RSA plaintext may be at most " + std::to_string(max) +
                     " bytes with this key and padding");
  }
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
  if (ctx == nullptr || EVP_PKEY_encrypt_init(ctx.get()) <= 0) {
    return OpenSslFailure("RSA encrypt setup");
  }
  KMS_RETURN_IF_ERROR(Configure(ctx.get(), params));
  size_t size = static_cast<size_t>(EVP_PKEY_get_size(key.pkey()));
  Bytes ciphertext(size);
  if (EVP_PKEY_encrypt(ctx.get(), ciphertext.data(), &size, plaintext.data(),
                       plaintext.size()) <= 0) {
    return OpenSslFailure("RSA encrypt");
  }
  ciphertext.resize(size);
  return ciphertext;
}

}  // namespace kms
