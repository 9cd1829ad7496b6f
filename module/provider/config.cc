#include "module/provider/config.h"

#include <cstdlib>
#include <filesystem>

#include "common/file_util.h"
#include "common/json.h"

namespace kms::p11 {
namespace {

std::string Resolve(const std::string& file, const std::string& config_path) {
  if (file.empty() || file.front() == '/') return file;
  return (std::filesystem::path(config_path).parent_path() / file).string();
}

Status Prefixed(const std::string& path, const Status& s) {
  return Error(s.code(), "config " + path + ": " + s.message());
}

void CheckRange(JsonReader& r, const char* field, int64_t value, int64_t lo,
                int64_t hi) {
  if (value < lo || value > hi) {
    r.Fail(ErrorCode::kInvalidArgument,
           std::string("field '") + field + "' must be between " +
               std::to_string(lo) + " and " + std::to_string(hi));
  }
}

}  // namespace

std::string ConfigPath() {
  const char* env = std::getenv(kConfigEnv);
  if (env != nullptr && env[0] != '\0') return env;
  return kDefaultConfigPath;
}

Result<ModuleConfig> ParseModuleConfig(const std::string& text,
                                       const std::string& path) {
  auto parsed = ParseObject(text);
  if (!parsed.ok()) return Prefixed(path, parsed.status());
  JsonReader r(parsed->get());
  ModuleConfig c;
  c.path = path;
  c.servers = r.Strings("servers");
  c.ca_file = Resolve(r.String("ca_file"), path);
  c.cert_file = Resolve(r.String("cert_file"), path);
  c.key_file = Resolve(r.String("key_file"), path);
  const cJSON* tokens =
      cJSON_GetObjectItemCaseSensitive(parsed->get(), "tokens");
  if (tokens == nullptr) {
    r.Fail(ErrorCode::kInvalidArgument, "missing required field 'tokens'");
  } else if (!cJSON_IsArray(tokens) || cJSON_GetArraySize(tokens) == 0) {
    r.Fail(ErrorCode::kInvalidArgument,
           "field 'tokens' must be a non-empty array");
  } else {
    int index = 0;
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, tokens) {
      std::string context = "tokens[" + std::to_string(index++) + "]";
      if (!cJSON_IsObject(item)) {
        r.Fail(ErrorCode::kInvalidArgument,
               "field '" + context + "' must be an object");
        break;
      }
      JsonReader t(item, context);
      TokenConfig token;
      token.label = t.String("label");
      token.key_ring = t.String("key_ring");
      token.user_client = t.OptionalString("user_client").value_or("");
      if (t.status().ok() && (token.label.empty() || token.label.size() > 32)) {
        t.Fail(ErrorCode::kInvalidArgument,
               "field '" + context + ".label' must be 1 to 32 bytes");
      }
      if (t.status().ok() && token.key_ring.empty()) {
        t.Fail(ErrorCode::kInvalidArgument,
               "field '" + context + ".key_ring' must not be empty");
      }
      for (const auto& other : c.tokens) {
        if (t.status().ok() && other.label == token.label) {
          t.Fail(
              ErrorCode::kInvalidArgument,
              "field '" + context + ".label' repeats \"" + token.label + "\"");
        }
      }
      Status s = t.Finish();
      if (!s.ok()) {
        r.Fail(s.code(), s.message());
        break;
      }
      c.tokens.push_back(std::move(token));
    }
  }
  c.connect_timeout_ms = r.Int("connect_timeout_ms", c.connect_timeout_ms);
  CheckRange(r, "connect_timeout_ms", c.connect_timeout_ms, 1, 600000);
  c.timeout_ms = r.Int("timeout_ms", c.timeout_ms);
  CheckRange(r, "timeout_ms", c.timeout_ms, 1, 600000);
  c.retries = static_cast<int>(r.Int("retries", c.retries));
  CheckRange(r, "retries", c.retries, 0, 10);
  int64_t ttl = r.Int("cache_ttl_seconds", c.cache_ttl_ms / 1000);
  CheckRange(r, "cache_ttl_seconds", ttl, 0, 86400);
  c.cache_ttl_ms = ttl * 1000;
  c.pool_size = static_cast<int>(r.Int("pool_size", c.pool_size));
  CheckRange(r, "pool_size", c.pool_size, 1, 64);
  if (auto level = r.OptionalString("log_level")) {
    auto parsed_level = ParseLogLevel(*level);
    if (parsed_level.ok()) {
      c.log_level = *parsed_level;
    } else {
      r.Fail(ErrorCode::kInvalidArgument,
             "field 'log_level': " + parsed_level.status().message());
    }
  }
  if (auto dest = r.OptionalString("log_destination")) {
    c.log_destination = *dest == "stderr" ? *dest : Resolve(*dest, path);
  }
  if (r.status().ok() && c.servers.empty()) {
    r.Fail(ErrorCode::kInvalidArgument,
           "field 'servers' must list at least one URL");
  }
  for (const auto& url : c.servers) {
    if (r.status().ok() && url.rfind("https://", 0) != 0) {
      r.Fail(ErrorCode::kInvalidArgument,
             "field 'servers': \"" + url + "\" is not an https:// URL");
    }
  }
  if (r.status().ok()) {
    static const char* const kKnown[] = {
        "servers",    "ca_file",   "cert_file",
        "key_file",   "tokens",    "connect_timeout_ms",
        "timeout_ms", "retries",   "cache_ttl_seconds",
        "pool_size",  "log_level", "log_destination"};
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, parsed->get()) {
      bool known = false;
      for (const char* k : kKnown)
        known = known || std::string(k) == item->string;
      if (!known) {
        r.Fail(ErrorCode::kUnknownField,
               std::string("unknown field '") + item->string + "'");
        break;
      }
    }
  }
  if (!r.status().ok()) return Prefixed(path, r.status());
  return c;
}

Result<ModuleConfig> LoadModuleConfig(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) {
    return Error(
        text.status().code(),
        "config " + path + ": cannot read file: " + text.status().message());
  }
  return ParseModuleConfig(*text, path);
}

}  // namespace kms::p11
