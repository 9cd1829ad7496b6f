// The mechanisms the module implements, with the key sizes and flags that
// C_GetMechanismList / C_GetMechanismInfo report. Only what works is listed.
#ifndef KMS_MODULE_PROVIDER_MECHANISM_TABLE_H_
#define KMS_MODULE_PROVIDER_MECHANISM_TABLE_H_

#include <vector>

#include "module/base/pkcs11.h"

namespace kms::p11 {

struct MechanismEntry {
  CK_MECHANISM_TYPE type;
  CK_MECHANISM_INFO info;
};

const std::vector<MechanismEntry>& MechanismTable();
const MechanismEntry* FindMechanism(CK_MECHANISM_TYPE type);

}  // namespace kms::p11

#endif  // KMS_MODULE_PROVIDER_MECHANISM_TABLE_H_
