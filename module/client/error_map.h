// The one place where kmsd's error codes (docs/api.md) become CK_RVs.
#ifndef KMS_MODULE_CLIENT_ERROR_MAP_H_
#define KMS_MODULE_CLIENT_ERROR_MAP_H_

#include "common/status.h"
#include "module/base/ck_status.h"

namespace kms::p11 {

// Each server code maps to exactly one CK_RV (table in docs/pkcs11.md).
CK_RV CkRvForErrorCode(ErrorCode code);
// The Status as a CkStatus with the same message.
CkStatus FromStatus(const Status& status);

}  // namespace kms::p11

#endif  // KMS_MODULE_CLIENT_ERROR_MAP_H_
