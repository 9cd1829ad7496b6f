// The Cryptoki 2.40 types and constants the module is written against.
#ifndef KMS_MODULE_BASE_PKCS11_H_
#define KMS_MODULE_BASE_PKCS11_H_

// The C_* declarations get default visibility (the module is built with
// -fvisibility=hidden; exports.map then keeps exactly these names).
#pragma GCC visibility push(default)
#include <p11-kit/pkcs11.h>
#pragma GCC visibility pop

// CK_EDDSA_PARAMS (PKCS#11 3.0), absent from this p11-kit version.
struct KmsEddsaParams {
  CK_BBOOL ph_flag;
  CK_ULONG context_data_len;
  CK_BYTE_PTR context_data;
};

#endif  // KMS_MODULE_BASE_PKCS11_H_
