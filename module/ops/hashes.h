// Hash algorithms as mechanisms, OpenSSL digests and kmsd wire names.
#ifndef KMS_MODULE_OPS_HASHES_H_
#define KMS_MODULE_OPS_HASHES_H_

#include <openssl/evp.h>

#include <string>

#include "module/base/pkcs11.h"

namespace kms::p11 {

struct HashInfo {
  CK_MECHANISM_TYPE mechanism;  // CKM_SHA256 ...
  CK_RSA_PKCS_MGF_TYPE mgf;     // CKG_MGF1_SHA256 ...
  const char* wire_name;        // "SHA256" ...
  const EVP_MD* (*md)();
  size_t size;
  // The hash-and-sign mechanisms built on this hash.
  CK_MECHANISM_TYPE ecdsa;     // CKM_ECDSA_SHA256 ...
  CK_MECHANISM_TYPE rsa_pkcs;  // CKM_SHA256_RSA_PKCS ...
  CK_MECHANISM_TYPE rsa_pss;   // CKM_SHA256_RSA_PKCS_PSS ...
};

// nullptr when unknown.
const HashInfo* HashByMechanism(CK_MECHANISM_TYPE mechanism);
const HashInfo* HashByMgf(CK_RSA_PKCS_MGF_TYPE mgf);
// The hash of a hash-and-sign mechanism (CKM_ECDSA_SHA*, CKM_SHA*_RSA_PKCS,
// CKM_SHA*_RSA_PKCS_PSS).
const HashInfo* HashOfSignMechanism(CK_MECHANISM_TYPE mechanism);

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_HASHES_H_
