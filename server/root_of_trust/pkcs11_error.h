// CK_RV values as Status: the CKR_ name always appears in the message, so
// operators can look it up in their HSM's documentation.
#ifndef KMS_SERVER_ROOT_OF_TRUST_PKCS11_ERROR_H_
#define KMS_SERVER_ROOT_OF_TRUST_PKCS11_ERROR_H_

#include <p11-kit/pkcs11.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace kms::rot_internal {

// "CKR_PIN_INCORRECT"; unknown values as "CKR_0x000000a0".
std::string CkrName(CK_RV rv);
// E.g. "C_Login: CKR_PIN_INCORRECT", with an ErrorCode chosen by the value.
Status Pkcs11Error(std::string_view function, CK_RV rv);

}  // namespace kms::rot_internal

#endif  // KMS_SERVER_ROOT_OF_TRUST_PKCS11_ERROR_H_
