// The input of a sign/verify operation: hashed as it arrives when the
// mechanism hashes locally, otherwise kept (within the spec's bounds).
#ifndef KMS_MODULE_OPS_MESSAGE_ACCUMULATOR_H_
#define KMS_MODULE_OPS_MESSAGE_ACCUMULATOR_H_

#include "common/openssl_raii.h"
#include "common/secure_memory.h"
#include "module/base/ck_status.h"
#include "module/ops/sign_spec.h"

namespace kms::p11 {

class MessageAccumulator {
 public:
  static CkResult<MessageAccumulator> Start(const SignSpec& spec);

  CkStatus Update(ByteView data);
  // The digest, or the message checked against the spec's bounds
  // (CKR_DATA_LEN_RANGE).
  CkResult<Bytes> Finish();

 private:
  MessageAccumulator(const SignSpec* spec, EvpMdCtxPtr md)
      : spec_(spec), md_(std::move(md)) {}
  const SignSpec* spec_;
  EvpMdCtxPtr md_;
  Bytes data_;
};

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_MESSAGE_ACCUMULATOR_H_
