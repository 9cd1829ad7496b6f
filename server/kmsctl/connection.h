// Where kmsd is and how to authenticate to it: flags, then the env file,
// then the environment; and the connection built from that.
#ifndef KMS_SERVER_KMSCTL_CONNECTION_H_
#define KMS_SERVER_KMSCTL_CONNECTION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/api_client.h"
#include "common/json.h"
#include "common/status.h"
#include "server/kmsctl/flags.h"

namespace kms::kmsctl {

// Reads one environment variable (injectable for tests).
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// The variables kmsd's dev mode writes into DIR/env.
inline constexpr std::string_view kEnvUrl = "KMS_URL";
inline constexpr std::string_view kEnvCaFile = "KMS_CA_FILE";
inline constexpr std::string_view kEnvAdminCert = "KMS_ADMIN_CERT";
inline constexpr std::string_view kEnvAdminKey = "KMS_ADMIN_KEY";

struct ConnectionSettings {
  std::vector<std::string> urls;  // tried in order, without trailing '/'
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  int64_t timeout_seconds = 30;
};

// Resolves --url/--ca/--cert/--key (and --env-file, --timeout). Each setting
// comes from its flag, else the env file named by --env-file, else the
// environment. --admin-cert/--admin-key are synonyms of --cert/--key that
// still work where the command has its own --cert (command_flags).
// kInvalidArgument (a usage error) when no URL is known, a URL is not https://,
// only one of cert and key is set, or a named file is missing.
Result<ConnectionSettings> ResolveConnectionSettings(
    const ParsedFlags& flags, const std::vector<FlagDef>& command_flags,
    const EnvLookup& env, int64_t default_timeout_seconds);

// Percent-encodes everything but RFC 3986 unreserved characters, for path
// segments and query values.
std::string UrlEscape(std::string_view text);

// "path?k1=v1&k2=v2" with escaped values; pairs with empty values skipped.
std::string WithQuery(
    std::string path,
    const std::vector<std::pair<std::string, std::string>>& query);

class Connection {
 public:
  explicit Connection(const ConnectionSettings& settings);

  Result<Json> Get(std::string_view path) { return api_.Call("GET", path); }
  Result<Json> Post(std::string_view path, const Json& body) {
    return api_.Call("POST", path, body);
  }
  Result<Json> Delete(std::string_view path) {
    return api_.Call("DELETE", path);
  }

  // Of the last call; kmsd echoes it and writes it to its logs and audit.
  const std::string& last_request_id() const { return api_.last_request_id(); }
  const std::string& primary_url() const { return primary_url_; }

 private:
  ApiClient api_;
  std::string primary_url_;
};

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_CONNECTION_H_
