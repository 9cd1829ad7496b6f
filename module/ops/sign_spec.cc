#include "module/ops/sign_spec.h"

namespace kms::p11 {

CkStatus RequireNoParameter(const CK_MECHANISM& mechanism) {
  if (mechanism.pParameter != nullptr || mechanism.ulParameterLen != 0) {
    return CkError(CKR_MECHANISM_PARAM_INVALID,
                   "this mechanism takes no parameter");
  }
  return CkStatus::Ok();
}

CkResult<SignSpec> SignSpecFor(const CK_MECHANISM& mechanism,
                               const P11Object& key) {
  switch (mechanism.mechanism) {
    case CKM_ECDSA:
    case CKM_ECDSA_SHA1:
    case CKM_ECDSA_SHA224:
    case CKM_ECDSA_SHA256:
    case CKM_ECDSA_SHA384:
    case CKM_ECDSA_SHA512:
      return EcdsaSignSpec(mechanism, key);
    case CKM_RSA_PKCS:
    case CKM_SHA1_RSA_PKCS:
    case CKM_SHA224_RSA_PKCS:
    case CKM_SHA256_RSA_PKCS:
    case CKM_SHA384_RSA_PKCS:
    case CKM_SHA512_RSA_PKCS:
      return RsaPkcsSignSpec(mechanism, key);
    case CKM_RSA_PKCS_PSS:
    case CKM_SHA1_RSA_PKCS_PSS:
    case CKM_SHA224_RSA_PKCS_PSS:
    case CKM_SHA256_RSA_PKCS_PSS:
    case CKM_SHA384_RSA_PKCS_PSS:
    case CKM_SHA512_RSA_PKCS_PSS:
      return RsaPssSignSpec(mechanism, key);
    case CKM_EDDSA:
      return EddsaSignSpec(mechanism, key);
    case CKM_SHA256_HMAC:
      return HmacSignSpec(mechanism, key);
    default:
      return CkError(CKR_MECHANISM_INVALID, "not a signature mechanism");
  }
}

}  // namespace kms::p11
