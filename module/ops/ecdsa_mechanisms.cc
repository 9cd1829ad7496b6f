// CKM_ECDSA (the data is a digest) and CKM_ECDSA_SHA1/224/256/384/512 (hashed
// here). Signatures are r||s, each left-padded to the field size.
#include "module/ops/sign_spec.h"

namespace kms::p11 {

CkResult<SignSpec> EcdsaSignSpec(const CK_MECHANISM& mechanism,
                                 const P11Object& key) {
  if (!IsEc(key.algorithm())) {
    return CkError(CKR_KEY_TYPE_INCONSISTENT, "ECDSA needs an EC key");
  }
  CK_RETURN_IF_ERROR(RequireNoParameter(mechanism));
  SignSpec spec;
  spec.scheme = "ECDSA";
  spec.signature_length = 2 * FieldBytes(key.algorithm());
  switch (mechanism.mechanism) {
    case CKM_ECDSA:
      spec.min_input = 1;
      spec.max_input = 64;
      break;
    default:
      spec.local_hash = HashOfSignMechanism(mechanism.mechanism);
      if (spec.local_hash == nullptr) return CkError(CKR_MECHANISM_INVALID);
      break;
  }
  spec.wire_hash = spec.local_hash;
  return spec;
}

}  // namespace kms::p11
