// CKM_EDDSA: pure Ed25519 over the whole message (sent to kmsd as is).
// Only the plain variant: no parameter, or CK_EDDSA_PARAMS with
// phFlag = FALSE and no context.
#include "module/ops/sign_spec.h"

namespace kms::p11 {

CkResult<SignSpec> EddsaSignSpec(const CK_MECHANISM& mechanism,
                                 const P11Object& key) {
  if (key.algorithm() != KeyAlgorithm::kEd25519) {
    return CkError(CKR_KEY_TYPE_INCONSISTENT, "EdDSA needs an Ed25519 key");
  }
  if (mechanism.pParameter != nullptr || mechanism.ulParameterLen != 0) {
    if (mechanism.pParameter == nullptr ||
        mechanism.ulParameterLen != sizeof(KmsEddsaParams)) {
      return CkError(CKR_MECHANISM_PARAM_INVALID, "bad CK_EDDSA_PARAMS");
    }
    const auto* p = static_cast<const KmsEddsaParams*>(mechanism.pParameter);
    if (p->ph_flag != CK_FALSE || p->context_data_len != 0) {
      return CkError(CKR_MECHANISM_PARAM_INVALID,
                     "only pure Ed25519 without context is supported");
    }
  }
  SignSpec spec;
  spec.scheme = "ED25519";
  spec.signature_length = 64;
  return spec;
}

}  // namespace kms::p11
