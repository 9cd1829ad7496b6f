// Identity of the module as CK_INFO and friends report it.
#ifndef KMS_MODULE_PROVIDER_MODULE_INFO_H_
#define KMS_MODULE_PROVIDER_MODULE_INFO_H_

#include "module/base/pkcs11.h"

namespace kms::p11 {

inline constexpr char kManufacturer[] = "kms project";
inline constexpr char kLibraryDescription[] = "kms PKCS#11 module";
inline constexpr CK_VERSION kModuleVersion = {0, 1};

}  // namespace kms::p11

#endif  // KMS_MODULE_PROVIDER_MODULE_INFO_H_
