// C_Digest*: SHA-1/224/256/384/512 computed locally.
#ifndef KMS_MODULE_OPS_DIGEST_OPERATION_H_
#define KMS_MODULE_OPS_DIGEST_OPERATION_H_

#include <memory>

#include "common/openssl_raii.h"
#include "common/secure_memory.h"
#include "module/base/ck_status.h"
#include "module/ops/hashes.h"

namespace kms::p11 {

class DigestOperation {
 public:
  // CKR_MECHANISM_INVALID / CKR_MECHANISM_PARAM_INVALID for bad mechanisms.
  static CkResult<std::unique_ptr<DigestOperation>> Start(
      const CK_MECHANISM& mechanism);

  size_t length() const { return hash_->size; }
  CkStatus Update(ByteView data);
  CkResult<Bytes> Final();

 private:
  DigestOperation(const HashInfo* hash, EvpMdCtxPtr ctx)
      : hash_(hash), ctx_(std::move(ctx)) {}
  const HashInfo* hash_;
  EvpMdCtxPtr ctx_;
};

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_DIGEST_OPERATION_H_
