#include <openssl/err.h>
#include <openssl/rsa.h>

#include <string>

#include "common/openssl_raii.h"
#include "server/crypto/openssl_util.h"
#include "server/crypto/signature_internal.h"

namespace kms {
namespace {

// PKCS#1 v1.5 type-1 padding needs at least 11 bytes of the block.
constexpr size_t kPkcs1Overhead = 11;

Status CheckDigestLength(HashAlgorithm hash, size_t size) {
  if (size != HashSize(hash)) {
    return Error(ErrorCode::kDigestLengthInvalid,
                 "a " + std::string(HashName(hash)) + " digest is " +
                     std::to_string(HashSize(hash)) + " bytes, got " +
                     std::to_string(size));
  }
  return Status::Ok();
}

Status ConfigurePkcs1(EVP_PKEY_CTX* ctx, EVP_PKEY* pkey,
                      const SignParams& params, size_t data_size) {
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) {
    return OpenSslFailure("RSA padding");
  }
  if (!params.hash.has_value()) {
    // CKM_RSA_PKCS: the caller supplies the whole block (usually a
    // DigestInfo) and OpenSSL only pads it.
    const size_t k = static_cast<size_t>(EVP_PKEY_get_size(pkey));
    if (data_size > k - kPkcs1Overhead) {
      return Error(ErrorCode::kDataInvalid,
                   "RSA_PKCS1 data without a hash may be at most " +
                       std::to_string(k - kPkcs1Overhead) + " bytes");
    }
    return Status::Ok();
  }
  KMS_RETURN_IF_ERROR(CheckDigestLength(*params.hash, data_size));
  // With signature_md set OpenSSL builds the DigestInfo itself.
  if (EVP_PKEY_CTX_set_signature_md(ctx, HashMd(*params.hash)) <= 0) {
    return OpenSslFailure("RSA signature hash");
  }
  return Status::Ok();
}

Status ConfigurePss(EVP_PKEY_CTX* ctx, EVP_PKEY* pkey, const SignParams& params,
                    size_t data_size) {
  if (!params.hash.has_value()) {
    return Error(ErrorCode::kInvalidArgument, "RSA_PSS needs a hash");
  }
  const HashAlgorithm hash = *params.hash;
  KMS_RETURN_IF_ERROR(CheckDigestLength(hash, data_size));
  const HashAlgorithm mgf1_hash = params.mgf1_hash.value_or(hash);
  const int salt_length =
      params.salt_length.value_or(static_cast<int>(HashSize(hash)));
  // RFC 8017 9.1.1: emLen = ceil((modBits - 1) / 8) >= hLen + sLen + 2.
  const int em_len = (EVP_PKEY_get_bits(pkey) - 1 + 7) / 8;
  const int max_salt = em_len - static_cast<int>(HashSize(hash)) - 2;
  if (salt_length < 0 || salt_length > max_salt) {
    return Error(ErrorCode::kInvalidArgument,
                 "RSA_PSS salt length must be 0.." + std::to_string(max_salt) +
                     " for this key and hash");
  }
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_signature_md(ctx, HashMd(hash)) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, HashMd(mgf1_hash)) <= 0 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salt_length) <= 0) {
    return OpenSslFailure("RSA-PSS parameters");
  }
  return Status::Ok();
}

Status Configure(EVP_PKEY_CTX* ctx, EVP_PKEY* pkey, const SignParams& params,
                 size_t data_size) {
  return params.scheme == SignScheme::kRsaPss
             ? ConfigurePss(ctx, pkey, params, data_size)
             : ConfigurePkcs1(ctx, pkey, params, data_size);
}

}  // namespace

Result<Bytes> RsaSign(const KeyMaterial& key, const SignParams& params,
                      ByteView data) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
  if (ctx == nullptr || EVP_PKEY_sign_init(ctx.get()) <= 0) {
    return OpenSslFailure("RSA sign setup");
  }
  KMS_RETURN_IF_ERROR(Configure(ctx.get(), key.pkey(), params, data.size()));
  size_t size = static_cast<size_t>(EVP_PKEY_get_size(key.pkey()));
  Bytes signature(size);
  if (EVP_PKEY_sign(ctx.get(), signature.data(), &size, data.data(),
                    data.size()) <= 0) {
    return OpenSslFailure("RSA sign");
  }
  signature.resize(size);
  return signature;
}

Status RsaVerify(const KeyMaterial& key, const SignParams& params,
                 ByteView data, ByteView signature) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
  if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) <= 0) {
    return OpenSslFailure("RSA verify setup");
  }
  KMS_RETURN_IF_ERROR(Configure(ctx.get(), key.pkey(), params, data.size()));
  if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.pkey()))) {
    return BadSignature();
  }
  const int rc = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(),
                                 data.data(), data.size());
  ERR_clear_error();
  return rc == 1 ? Status::Ok() : BadSignature();
}

}  // namespace kms
