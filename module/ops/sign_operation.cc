#include "module/ops/sign_operation.h"

#include "module/ops/remote_sign.h"
#include "module/ops/sign_spec.h"
#include "module/ops/verify_operations.h"

namespace kms::p11 {

CkResult<std::unique_ptr<SignOperation>> StartSign(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth) {
  CK_OBJECT_CLASS cls = key->object_class();
  if (cls != CKO_PRIVATE_KEY && cls != CKO_SECRET_KEY) {
    return CkError(CKR_KEY_FUNCTION_NOT_PERMITTED, "not a signing key");
  }
  CK_ASSIGN_OR_RETURN(SignSpec spec, SignSpecFor(mechanism, *key));
  if (!key->Bool(CKA_SIGN)) {
    return CkError(CKR_KEY_FUNCTION_NOT_PERMITTED, "CKA_SIGN is false");
  }
  return RemoteSign::Start(std::make_unique<SignSpec>(std::move(spec)),
                           std::move(key), auth);
}

CkResult<std::unique_ptr<VerifyOperation>> StartVerify(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth) {
  CK_ASSIGN_OR_RETURN(SignSpec spec, SignSpecFor(mechanism, *key));
  // A private key object verifies with its public half (some applications
  // pass the key they signed with).
  if (key->object_class() != CKO_PRIVATE_KEY && !key->Bool(CKA_VERIFY)) {
    return CkError(CKR_KEY_FUNCTION_NOT_PERMITTED, "CKA_VERIFY is false");
  }
  auto owned = std::make_unique<SignSpec>(std::move(spec));
  if (key->object_class() == CKO_SECRET_KEY) {
    return StartRemoteVerify(std::move(owned), std::move(key), auth);
  }
  return StartLocalVerify(std::move(owned), std::move(key));
}

}  // namespace kms::p11
