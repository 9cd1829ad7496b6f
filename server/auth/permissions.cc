#include "server/auth/permissions.h"

#include <array>

namespace kms {
namespace {

struct Named {
  Permission permission;
  std::string_view name;
};
constexpr std::array kNames = {
    Named{kPermUseSign, "use-sign"},       Named{kPermUseVerify, "use-verify"},
    Named{kPermUseEncrypt, "use-encrypt"}, Named{kPermUseDecrypt, "use-decrypt"},
    Named{kPermCreate, "create"},          Named{kPermDestroy, "destroy"},
    Named{kPermManage, "manage"},
};

}  // namespace

Result<uint32_t> ParsePermissions(const std::vector<std::string>& names) {
  uint32_t out = 0;
  for (const auto& name : names) {
    bool found = false;
    for (const auto& n : kNames) {
      if (n.name == name) {
        out |= n.permission;
        found = true;
      }
    }
    if (!found) {
      return Error(ErrorCode::kInvalidArgument,
                   "unknown permission '" + name +
                       "' (use-sign, use-verify, use-encrypt, use-decrypt, "
                       "create, destroy, manage)");
    }
  }
  return out;
}

std::vector<std::string> PermissionNames(uint32_t permissions) {
  std::vector<std::string> out;
  for (const auto& n : kNames) {
    if (permissions & n.permission) out.emplace_back(n.name);
  }
  return out;
}

std::string_view PermissionName(Permission permission) {
  for (const auto& n : kNames) {
    if (n.permission == permission) return n.name;
  }
  return "unknown";
}

}  // namespace kms
