// The module's configuration file (JSON), named by KMS_PKCS11_CONFIG or
// found at kDefaultConfigPath. Reference: docs/pkcs11.md.
#ifndef KMS_MODULE_PROVIDER_CONFIG_H_
#define KMS_MODULE_PROVIDER_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/logging.h"
#include "common/status.h"

namespace kms::p11 {

inline constexpr char kDefaultConfigPath[] = "/etc/kms/pkcs11.json";
inline constexpr char kConfigEnv[] = "KMS_PKCS11_CONFIG";

struct TokenConfig {
  std::string label;     // CK_TOKEN_INFO label (at most 32 bytes)
  std::string key_ring;  // the key ring it shows
  // The client whose PIN C_InitPIN sets (security officer login); "" when
  // the token offers no C_InitPIN.
  std::string user_client;
};

struct ModuleConfig {
  std::string path;  // where it was read from
  std::vector<std::string> servers;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::vector<TokenConfig> tokens;
  int64_t connect_timeout_ms = 3000;
  int64_t timeout_ms = 10000;
  int retries = 1;
  int64_t cache_ttl_ms = 5000;
  int pool_size = 4;
  LogLevel log_level = LogLevel::kWarning;
  std::string log_destination = "stderr";
};

// The path to read: $KMS_PKCS11_CONFIG if set and not empty, else the default.
std::string ConfigPath();

// Reads and validates the file. Errors name the file, the field and the
// problem (kNotFound for a missing file, kInvalidArgument otherwise).
// Relative file paths inside are resolved against the file's directory.
Result<ModuleConfig> LoadModuleConfig(const std::string& path);
Result<ModuleConfig> ParseModuleConfig(const std::string& text,
                                       const std::string& path);

}  // namespace kms::p11

#endif  // KMS_MODULE_PROVIDER_CONFIG_H_
