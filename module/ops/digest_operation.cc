#include "module/ops/digest_operation.h"

namespace kms::p11 {

CkResult<std::unique_ptr<DigestOperation>> DigestOperation::Start(
    const CK_MECHANISM& mechanism) {
  const HashInfo* hash = HashByMechanism(mechanism.mechanism);
  if (hash == nullptr) return CkError(CKR_MECHANISM_INVALID);
  if (mechanism.pParameter != nullptr || mechanism.ulParameterLen != 0) {
    return CkError(CKR_MECHANISM_PARAM_INVALID, "digests take no parameter");
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestInit_ex(ctx.get(), hash->md(), nullptr) != 1) {
    return CkError(CKR_HOST_MEMORY, "digest init failed");
  }
  return std::unique_ptr<DigestOperation>(
      new DigestOperation(hash, std::move(ctx)));
}

CkStatus DigestOperation::Update(ByteView data) {
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
    return CkError(CKR_GENERAL_ERROR, "digest update failed");
  }
  return CkStatus::Ok();
}

CkResult<Bytes> DigestOperation::Final() {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1) {
    return CkError(CKR_GENERAL_ERROR, "digest final failed");
  }
  out.resize(len);
  return out;
}

}  // namespace kms::p11
