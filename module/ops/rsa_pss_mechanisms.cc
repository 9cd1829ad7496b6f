// CKM_RSA_PKCS_PSS (the data is a digest of params.hashAlg) and
// CKM_SHA1/224/256/384/512_RSA_PKCS_PSS (hashed here). CK_RSA_PKCS_PSS_PARAMS
// is required and checked: known hash and MGF1 hash, hashAlg matching the
// mechanism, a salt that fits the modulus.
#include "module/ops/sign_spec.h"

namespace kms::p11 {
namespace {

CK_MECHANISM_TYPE ImpliedHash(CK_MECHANISM_TYPE m) {
  const HashInfo* hash = HashOfSignMechanism(m);
  return hash == nullptr ? CKM_VENDOR_DEFINED  // none: CKM_RSA_PKCS_PSS
                         : hash->mechanism;
}

}  // namespace

CkResult<SignSpec> RsaPssSignSpec(const CK_MECHANISM& mechanism,
                                  const P11Object& key) {
  if (!IsRsa(key.algorithm())) {
    return CkError(CKR_KEY_TYPE_INCONSISTENT, "RSA mechanism, non-RSA key");
  }
  if (mechanism.pParameter == nullptr ||
      mechanism.ulParameterLen != sizeof(CK_RSA_PKCS_PSS_PARAMS)) {
    return CkError(CKR_MECHANISM_PARAM_INVALID,
                   "RSA-PSS needs CK_RSA_PKCS_PSS_PARAMS");
  }
  const auto* params =
      static_cast<const CK_RSA_PKCS_PSS_PARAMS*>(mechanism.pParameter);
  const HashInfo* hash = HashByMechanism(params->hashAlg);
  const HashInfo* mgf1 = HashByMgf(params->mgf);
  if (hash == nullptr || mgf1 == nullptr) {
    return CkError(CKR_MECHANISM_PARAM_INVALID, "unknown PSS hash or MGF");
  }
  CK_MECHANISM_TYPE implied = ImpliedHash(mechanism.mechanism);
  if (implied != CKM_VENDOR_DEFINED && implied != params->hashAlg) {
    return CkError(CKR_MECHANISM_PARAM_INVALID,
                   "PSS hashAlg does not match the mechanism");
  }
  SignSpec spec;
  spec.scheme = "RSA_PSS";
  spec.signature_length = ModulusBytes(key.algorithm());
  // emLen = modulus bytes for the supported sizes (multiples of 8 bits).
  if (params->sLen + hash->size + 2 > spec.signature_length) {
    return CkError(CKR_MECHANISM_PARAM_INVALID, "PSS salt too long");
  }
  spec.wire_hash = hash;
  spec.mgf1_hash = mgf1;
  spec.salt_length = params->sLen;
  if (implied == CKM_VENDOR_DEFINED) {
    spec.min_input = spec.max_input = hash->size;
  } else {
    spec.local_hash = hash;
  }
  return spec;
}

}  // namespace kms::p11
