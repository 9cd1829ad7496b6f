// Verification: asymmetric signatures locally with OpenSSL from the cached
// public key (local_verify.cc); HMACs by kmsd (remote_verify.cc).
#ifndef KMS_MODULE_OPS_VERIFY_OPERATIONS_H_
#define KMS_MODULE_OPS_VERIFY_OPERATIONS_H_

#include <memory>

#include "module/ops/message_accumulator.h"
#include "module/ops/sign_operation.h"

namespace kms::p11 {

CkResult<std::unique_ptr<VerifyOperation>> StartLocalVerify(
    std::unique_ptr<SignSpec> spec, std::shared_ptr<const P11Object> key);
CkResult<std::unique_ptr<VerifyOperation>> StartRemoteVerify(
    std::unique_ptr<SignSpec> spec, std::shared_ptr<const P11Object> key,
    RingAuth* auth);

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_VERIFY_OPERATIONS_H_
