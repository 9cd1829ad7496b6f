#include <openssl/err.h>

#include "common/openssl_raii.h"
#include "server/crypto/openssl_util.h"
#include "server/crypto/signature_internal.h"

namespace kms {
namespace {

constexpr size_t kSignatureSize = 64;

// Pure EdDSA hashes internally, so no digest is named (md NULL).
Result<EvpMdCtxPtr> NewContext(EVP_PKEY* pkey, bool sign) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return OpenSslFailure("Ed25519 context");
  const int rc = sign
                     ? EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr,
                                             nullptr, nullptr, pkey, nullptr)
                     : EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr,
                                               nullptr, nullptr, pkey, nullptr);
  if (rc != 1) return OpenSslFailure("Ed25519 setup");
  return ctx;
}

}  // namespace

Result<Bytes> Ed25519Sign(const KeyMaterial& key, ByteView message) {
  KMS_ASSIGN_OR_RETURN(EvpMdCtxPtr ctx, NewContext(key.pkey(), true));
  Bytes signature(kSignatureSize);
  size_t size = signature.size();
  if (EVP_DigestSign(ctx.get(), signature.data(), &size, message.data(),
                     message.size()) != 1 ||
      size != kSignatureSize) {
    return OpenSslFailure("Ed25519 sign");
  }
  return signature;
}

Status Ed25519Verify(const KeyMaterial& key, ByteView message,
                     ByteView signature) {
  if (signature.size() != kSignatureSize) return BadSignature();
  KMS_ASSIGN_OR_RETURN(EvpMdCtxPtr ctx, NewContext(key.pkey(), false));
  const int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                                  message.data(), message.size());
  ERR_clear_error();
  return rc == 1 ? Status::Ok() : BadSignature();
}

}  // namespace kms
