#include "module/provider/mechanism_table.h"

#include "module/include/kms/pkcs11_vendor.h"

namespace kms::p11 {
namespace {

constexpr CK_FLAGS kSignVerify = CKF_HW | CKF_SIGN | CKF_VERIFY;
constexpr CK_FLAGS kCipher = CKF_HW | CKF_ENCRYPT | CKF_DECRYPT;
constexpr CK_FLAGS kWrap = CKF_HW | CKF_WRAP | CKF_UNWRAP;
constexpr CK_FLAGS kEcFlags =
    CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;

}  // namespace

const std::vector<MechanismEntry>& MechanismTable() {
  // Key sizes: RSA in bits, EC in field bits, Ed25519 255..255 (as OpenSC
  // reports it), HMAC key bytes.
  static const std::vector<MechanismEntry> kTable = {
      {CKM_SHA_1, {0, 0, CKF_DIGEST}},
      {CKM_SHA224, {0, 0, CKF_DIGEST}},
      {CKM_SHA256, {0, 0, CKF_DIGEST}},
      {CKM_SHA384, {0, 0, CKF_DIGEST}},
      {CKM_SHA512, {0, 0, CKF_DIGEST}},
      {CKM_RSA_PKCS, {2048, 4096, kSignVerify | kCipher}},
      {CKM_RSA_PKCS_OAEP, {2048, 4096, kCipher | kWrap}},
      {CKM_AES_GCM, {16, 32, kCipher}},
      {CKM_AES_CBC, {16, 32, kCipher}},
      {CKM_AES_CBC_PAD, {16, 32, kCipher}},
      {CKM_AES_CTR, {16, 32, kCipher}},
      {CKM_AES_KEY_WRAP, {16, 32, kWrap}},
      {CKM_AES_KEY_WRAP_PAD, {16, 32, kWrap}},
      {CKM_AES_KEY_WRAP_KWP, {16, 32, kWrap}},
      {CKM_KMS_AES_GCM_ROTATING, {16, 32, kCipher}},
      {CKM_SHA1_RSA_PKCS, {2048, 4096, kSignVerify}},
      {CKM_SHA224_RSA_PKCS, {2048, 4096, kSignVerify}},
      {CKM_SHA256_RSA_PKCS, {2048, 4096, kSignVerify}},
      {CKM_SHA384_RSA_PKCS, {2048, 4096, kSignVerify}},
      {CKM_SHA512_RSA_PKCS, {2048, 4096, kSignVerify}},
      {CKM_RSA_PKCS_PSS, {2048, 4096, kSignVerify}},
      {CKM_SHA1_RSA_PKCS_PSS, {2048, 4096, kSignVerify}},
      {CKM_SHA224_RSA_PKCS_PSS, {2048, 4096, kSignVerify}},
      {CKM_SHA256_RSA_PKCS_PSS, {2048, 4096, kSignVerify}},
      {CKM_SHA384_RSA_PKCS_PSS, {2048, 4096, kSignVerify}},
      {CKM_SHA512_RSA_PKCS_PSS, {2048, 4096, kSignVerify}},
      {CKM_ECDSA, {256, 384, kSignVerify | kEcFlags}},
      {CKM_ECDSA_SHA1, {256, 384, kSignVerify | kEcFlags}},
      {CKM_ECDSA_SHA224, {256, 384, kSignVerify | kEcFlags}},
      {CKM_ECDSA_SHA256, {256, 384, kSignVerify | kEcFlags}},
      {CKM_ECDSA_SHA384, {256, 384, kSignVerify | kEcFlags}},
      {CKM_ECDSA_SHA512, {256, 384, kSignVerify | kEcFlags}},
      {CKM_EDDSA, {255, 255, kSignVerify}},
      {CKM_SHA256_HMAC, {32, 32, kSignVerify}},
      {CKM_RSA_PKCS_KEY_PAIR_GEN, {2048, 4096, CKF_HW | CKF_GENERATE_KEY_PAIR}},
      {CKM_EC_KEY_PAIR_GEN,
       {256, 384, CKF_HW | CKF_GENERATE_KEY_PAIR | kEcFlags}},
      {CKM_EC_EDWARDS_KEY_PAIR_GEN, {255, 255, CKF_HW | CKF_GENERATE_KEY_PAIR}},
      {CKM_AES_KEY_GEN, {16, 32, CKF_HW | CKF_GENERATE}},
      {CKM_GENERIC_SECRET_KEY_GEN, {32, 32, CKF_HW | CKF_GENERATE}},
  };
  return kTable;
}

const MechanismEntry* FindMechanism(CK_MECHANISM_TYPE type) {
  for (const auto& e : MechanismTable()) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

}  // namespace kms::p11
