// CKM_SHA256_HMAC with an HMAC-SHA256 (generic secret) key; the message is
// sent to kmsd, which holds the key, for both sign and verify.
#include "module/ops/sign_spec.h"

namespace kms::p11 {

CkResult<SignSpec> HmacSignSpec(const CK_MECHANISM& mechanism,
                                const P11Object& key) {
  if (key.algorithm() != KeyAlgorithm::kHmacSha256) {
    return CkError(CKR_KEY_TYPE_INCONSISTENT, "HMAC needs an HMAC key");
  }
  CK_RETURN_IF_ERROR(RequireNoParameter(mechanism));
  SignSpec spec;
  spec.scheme = "HMAC";
  spec.signature_length = 32;
  return spec;
}

}  // namespace kms::p11
