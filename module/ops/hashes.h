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
};

// nullptr when unknown.
const HashInfo* HashByMechanism(CK_MECHANISM_TYPE mechanism);
const HashInfo* HashByMgf(CK_RSA_PKCS_MGF_TYPE mgf);

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_HASHES_H_
