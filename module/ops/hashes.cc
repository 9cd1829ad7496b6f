#include "module/ops/hashes.h"

#include <array>

namespace kms::p11 {
namespace {

const std::array<HashInfo, 5> kHashes = {{
    {CKM_SHA_1, CKG_MGF1_SHA1, "SHA1", EVP_sha1, 20, CKM_ECDSA_SHA1,
     CKM_SHA1_RSA_PKCS, CKM_SHA1_RSA_PKCS_PSS},
    {CKM_SHA224, CKG_MGF1_SHA224, "SHA224", EVP_sha224, 28, CKM_ECDSA_SHA224,
     CKM_SHA224_RSA_PKCS, CKM_SHA224_RSA_PKCS_PSS},
    {CKM_SHA256, CKG_MGF1_SHA256, "SHA256", EVP_sha256, 32, CKM_ECDSA_SHA256,
     CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS},
    {CKM_SHA384, CKG_MGF1_SHA384, "SHA384", EVP_sha384, 48, CKM_ECDSA_SHA384,
     CKM_SHA384_RSA_PKCS, CKM_SHA384_RSA_PKCS_PSS},
    {CKM_SHA512, CKG_MGF1_SHA512, "SHA512", EVP_sha512, 64, CKM_ECDSA_SHA512,
     CKM_SHA512_RSA_PKCS, CKM_SHA512_RSA_PKCS_PSS},
}};

}  // namespace

const HashInfo* HashByMechanism(CK_MECHANISM_TYPE mechanism) {
  for (const auto& h : kHashes) {
    if (h.mechanism == mechanism) return &h;
  }
  return nullptr;
}

const HashInfo* HashOfSignMechanism(CK_MECHANISM_TYPE mechanism) {
  for (const auto& h : kHashes) {
    if (h.ecdsa == mechanism || h.rsa_pkcs == mechanism ||
        h.rsa_pss == mechanism) {
      return &h;
    }
  }
  return nullptr;
}

const HashInfo* HashByMgf(CK_RSA_PKCS_MGF_TYPE mgf) {
  for (const auto& h : kHashes) {
    if (h.mgf == mgf) return &h;
  }
  return nullptr;
}

}  // namespace kms::p11
