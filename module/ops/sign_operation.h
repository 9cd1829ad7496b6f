// Signing and verification operations, one implementation per mechanism
// family (ops/*_mechanisms.cc choose the parameters; remote_sign.cc sends
// digests to kmsd; local_verify.cc verifies with the cached public key).
#ifndef KMS_MODULE_OPS_SIGN_OPERATION_H_
#define KMS_MODULE_OPS_SIGN_OPERATION_H_

#include <memory>

#include "common/secure_memory.h"
#include "module/base/ck_status.h"
#include "module/client/ring_auth.h"
#include "module/objects/object.h"

namespace kms::p11 {

class SignOperation {
 public:
  virtual ~SignOperation() = default;
  // Known from the key alone: length queries cost no request.
  virtual CK_ULONG SignatureLength() const = 0;
  virtual CkStatus Update(ByteView data) = 0;
  // Signs what was accumulated (one request to kmsd).
  virtual CkResult<Bytes> Final() = 0;
};

class VerifyOperation {
 public:
  virtual ~VerifyOperation() = default;
  virtual CK_ULONG SignatureLength() const = 0;
  virtual CkStatus Update(ByteView data) = 0;
  // CKR_SIGNATURE_INVALID or CKR_SIGNATURE_LEN_RANGE when it does not verify.
  virtual CkStatus Final(ByteView signature) = 0;
};

// key is the private/secret key object (sign) or the public/secret key
// object (verify); checks mechanism, parameters, key type and CKA_SIGN /
// CKA_VERIFY.
CkResult<std::unique_ptr<SignOperation>> StartSign(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth);
CkResult<std::unique_ptr<VerifyOperation>> StartVerify(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth);

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_SIGN_OPERATION_H_
