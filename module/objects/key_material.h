// Key material from a C_CreateObject template, built with OpenSSL
// (EVP_PKEY_fromdata): a public key as DER SubjectPublicKeyInfo, a private
// key as DER PKCS#8 (what POST .../import takes). Secrets stay in wiped
// memory; errors never carry key material.
#ifndef KMS_MODULE_OBJECTS_KEY_MATERIAL_H_
#define KMS_MODULE_OBJECTS_KEY_MATERIAL_H_

#include "module/base/ck_status.h"
#include "module/objects/key_algorithm.h"
#include "module/objects/template_reader.h"

namespace kms::p11 {

struct PublicKeyMaterial {
  KeyAlgorithm algorithm;
  Bytes spki;
};

struct PrivateKeyMaterial {
  KeyAlgorithm algorithm;
  SecureBytes pkcs8;
};

// CKK_RSA: CKA_MODULUS, CKA_PUBLIC_EXPONENT. CKK_EC: CKA_EC_PARAMS (P-256,
// P-384), CKA_EC_POINT (DER OCTET STRING of the uncompressed point; the bare
// point is accepted too). CKK_EC_EDWARDS: CKA_EC_PARAMS (Ed25519),
// CKA_EC_POINT (32 bytes, bare or in an OCTET STRING).
CkResult<PublicKeyMaterial> PublicKeyFromTemplate(TemplateReader& r,
                                                  CK_KEY_TYPE type);

// CKK_RSA: CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
// CKA_PRIME_1/2, CKA_EXPONENT_1/2, CKA_COEFFICIENT (all required).
// CKK_EC: CKA_EC_PARAMS, CKA_VALUE (the private scalar). CKK_EC_EDWARDS:
// CKA_EC_PARAMS, CKA_VALUE (32 bytes, bare or in an OCTET STRING).
CkResult<PrivateKeyMaterial> PrivateKeyFromTemplate(TemplateReader& r,
                                                    CK_KEY_TYPE type);

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_KEY_MATERIAL_H_
