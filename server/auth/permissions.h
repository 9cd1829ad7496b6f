// Grant permissions by name: use-sign, use-verify, use-encrypt,
// use-decrypt, create, destroy, manage.
#ifndef KMS_SERVER_AUTH_PERMISSIONS_H_
#define KMS_SERVER_AUTH_PERMISSIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/storage/records.h"

namespace kms {

Result<uint32_t> ParsePermissions(const std::vector<std::string>& names);
std::vector<std::string> PermissionNames(uint32_t permissions);
std::string_view PermissionName(Permission permission);
constexpr uint32_t kAllPermissions = kPermUseSign | kPermUseVerify |
                                     kPermUseEncrypt | kPermUseDecrypt |
                                     kPermCreate | kPermDestroy | kPermManage;

}  // namespace kms

#endif  // KMS_SERVER_AUTH_PERMISSIONS_H_
