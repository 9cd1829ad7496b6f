#include "server/kmsctl/connection.h"

#include "common/file_util.h"
#include "server/kmsctl/duration.h"
#include "server/kmsctl/env_file.h"

namespace kms::kmsctl {
namespace {

constexpr int64_t kWeek = 7 * 86400;

Status UsageError(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

// One setting from its sources, in order of precedence. Empty flag names
// are skipped.
std::string Resolve(const ParsedFlags& flags,
                    std::initializer_list<std::string_view> flag_names,
                    const EnvMap& env_file, const EnvLookup& env,
                    std::string_view variable) {
  for (std::string_view flag : flag_names) {
    if (flag.empty()) continue;
    if (auto value = flags.Get(flag)) return *value;
  }
  if (auto it = env_file.find(variable); it != env_file.end()) {
    return it->second;
  }
  if (env) {
    if (auto value = env(variable)) return *value;
  }
  return "";
}

Status CheckFile(std::string_view what, const std::string& path) {
  if (!path.empty() && !FileExists(path)) {
    return UsageError(std::string(what) + " '" + path + "' does not exist");
  }
  return Status::Ok();
}

}  // namespace

Result<ConnectionSettings> ResolveConnectionSettings(
    const ParsedFlags& flags, const std::vector<FlagDef>& command_flags,
    const EnvLookup& env, int64_t default_timeout_seconds) {
  auto global = [&](std::string_view name) -> std::string_view {
    for (const auto& own : command_flags) {
      if (own.name == name) return "";
    }
    return name;
  };
  EnvMap env_file;
  if (auto path = flags.Get("env-file")) {
    KMS_ASSIGN_OR_RETURN(env_file, LoadEnvFile(*path));
  }
  ConnectionSettings settings;
  std::vector<std::string> urls = flags.GetList("url");
  if (urls.empty())
    urls = SplitList(Resolve(flags, {}, env_file, env, kEnvUrl));
  if (urls.empty()) {
    return UsageError("no server URL: pass --url, --env-file or set " +
                      std::string(kEnvUrl));
  }
  for (auto& url : urls) {
    if (url.rfind("https://", 0) != 0) {
      return UsageError("server URL '" + url +
                        "' must start with https:// (kmsd speaks HTTPS only)");
    }
    while (!url.empty() && url.back() == '/') url.pop_back();
  }
  settings.urls = std::move(urls);
  settings.ca_file = Resolve(flags, {global("ca")}, env_file, env, kEnvCaFile);
  settings.cert_file = Resolve(flags, {"admin-cert", global("cert")}, env_file,
                               env, kEnvAdminCert);
  settings.key_file =
      Resolve(flags, {"admin-key", global("key")}, env_file, env, kEnvAdminKey);
  if (settings.cert_file.empty() != settings.key_file.empty()) {
    return UsageError(
        "a client certificate needs its key and vice versa: set both --cert "
        "and --key (or " +
        std::string(kEnvAdminCert) + " and " + std::string(kEnvAdminKey) + ")");
  }
  KMS_RETURN_IF_ERROR(CheckFile("CA file", settings.ca_file));
  KMS_RETURN_IF_ERROR(CheckFile("certificate file", settings.cert_file));
  KMS_RETURN_IF_ERROR(CheckFile("key file", settings.key_file));
  settings.timeout_seconds = default_timeout_seconds;
  if (auto timeout = flags.Get("timeout")) {
    KMS_ASSIGN_OR_RETURN(settings.timeout_seconds, ParseDuration(*timeout));
    if (settings.timeout_seconds <= 0 || settings.timeout_seconds > kWeek) {
      return UsageError("--timeout must be between 1s and 7d");
    }
  }
  return settings;
}

std::string UrlEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                      (u >= '0' && u <= '9') || u == '-' || u == '.' ||
                      u == '_' || u == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0F]);
    }
  }
  return out;
}

std::string WithQuery(
    std::string path,
    const std::vector<std::pair<std::string, std::string>>& query) {
  char separator = '?';
  for (const auto& [key, value] : query) {
    if (value.empty()) continue;
    path += separator;
    path += key + "=" + UrlEscape(value);
    separator = '&';
  }
  return path;
}

namespace {

TlsClientConfig TlsConfig(const ConnectionSettings& settings) {
  TlsClientConfig tls;
  tls.ca_file = settings.ca_file;
  tls.cert_file = settings.cert_file;
  tls.key_file = settings.key_file;
  tls.timeout_ms = settings.timeout_seconds * 1000;
  return tls;
}

}  // namespace

Connection::Connection(const ConnectionSettings& settings)
    : api_(settings.urls, TlsConfig(settings)),
      primary_url_(settings.urls.empty() ? "" : settings.urls.front()) {}

}  // namespace kms::kmsctl
