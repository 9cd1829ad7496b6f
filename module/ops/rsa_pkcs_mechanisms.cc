// CKM_RSA_PKCS (the data is a DigestInfo, padded by kmsd) and
// CKM_SHA1/224/256/384/512_RSA_PKCS (hashed here, DigestInfo built by kmsd).
#include "module/ops/sign_spec.h"

namespace kms::p11 {

CkResult<SignSpec> RsaPkcsSignSpec(const CK_MECHANISM& mechanism,
                                   const P11Object& key) {
  if (!IsRsa(key.algorithm())) {
    return CkError(CKR_KEY_TYPE_INCONSISTENT, "RSA mechanism, non-RSA key");
  }
  CK_RETURN_IF_ERROR(RequireNoParameter(mechanism));
  SignSpec spec;
  spec.scheme = "RSA_PKCS1";
  spec.signature_length = ModulusBytes(key.algorithm());
  switch (mechanism.mechanism) {
    case CKM_RSA_PKCS:
      spec.min_input = 0;
      spec.max_input = spec.signature_length - 11;
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
