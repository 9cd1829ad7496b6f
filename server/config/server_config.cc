#include "server/config/server_config.h"

#include <filesystem>

#include "common/file_util.h"
#include "common/json.h"
#include "common/logging.h"

namespace kms {
namespace {

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

void Range(JsonReader& r, const std::string& name, int64_t value, int64_t lo,
           int64_t hi) {
  if (value < lo || value > hi) {
    r.Fail(ErrorCode::kInvalidArgument,
           "field '" + name + "' must be between " + std::to_string(lo) +
               " and " + std::to_string(hi));
  }
}

Status ReadHttp(const cJSON* node, HttpConfig* c) {
  JsonReader r(node, "http");
  c->listen = r.OptionalString("listen").value_or(c->listen);
  c->threads = static_cast<int>(r.Int("threads", c->threads));
  Range(r, "http.threads", c->threads, 0, 256);
  c->max_body_bytes = r.Int("max_body_bytes", c->max_body_bytes);
  Range(r, "http.max_body_bytes", c->max_body_bytes, 1024, int64_t{1} << 30);
  c->max_data_bytes = r.Int("max_data_bytes", c->max_data_bytes);
  Range(r, "http.max_data_bytes", c->max_data_bytes, 1024, int64_t{1} << 30);
  c->max_restore_bytes = r.Int("max_restore_bytes", c->max_restore_bytes);
  Range(r, "http.max_restore_bytes", c->max_restore_bytes, 1024,
        int64_t{16} << 30);
  c->connection_timeout_seconds = static_cast<int>(
      r.Int("connection_timeout_seconds", c->connection_timeout_seconds));
  Range(r, "http.connection_timeout_seconds", c->connection_timeout_seconds, 1,
        3600);
  KMS_RETURN_IF_ERROR(r.Finish());
  std::string host;
  int port = 0;
  return ParseListenAddress(c->listen, &host, &port);
}

Status ReadTls(const cJSON* node, const std::string& base, TlsServerFiles* c) {
  JsonReader r(node, "tls");
  c->cert_file = Resolve(base, r.String("cert_file"));
  c->key_file = Resolve(base, r.String("key_file"));
  c->client_ca_file = Resolve(base, r.String("client_ca_file"));
  return r.Finish();
}

Status ReadStorage(const cJSON* node, const std::string& base,
                   StorageConfig* c) {
  JsonReader r(node, "storage");
  c->backend = r.OptionalString("backend").value_or(c->backend);
  if (c->backend != "sqlite") {
    r.Fail(ErrorCode::kInvalidArgument,
           "field 'storage.backend' must be \"sqlite\"");
  }
  c->path = Resolve(base, r.OptionalString("path").value_or(c->path));
  c->cache_entries = r.Int("cache_entries", c->cache_entries);
  Range(r, "storage.cache_entries", c->cache_entries, 0, 10'000'000);
  return r.Finish();
}

Status ReadRoot(const cJSON* node, const std::string& base,
                RootOfTrustConfig* c) {
  JsonReader r(node, "root_of_trust");
  c->backend = r.OptionalString("backend").value_or(c->backend);
  c->file_path =
      Resolve(base, r.OptionalString("file_path").value_or(c->file_path));
  c->pkcs11_module = r.OptionalString("pkcs11_module").value_or("");
  c->pkcs11_token_label = r.OptionalString("pkcs11_token_label").value_or("");
  c->pkcs11_pin_file =
      Resolve(base, r.OptionalString("pkcs11_pin_file").value_or(""));
  c->pkcs11_pin_env = r.OptionalString("pkcs11_pin_env").value_or("");
  if (c->backend == "pkcs11") {
    if (c->pkcs11_module.empty()) {
      r.Fail(ErrorCode::kInvalidArgument,
             "field 'root_of_trust.pkcs11_module' is required for the pkcs11 "
             "backend");
    } else if (c->pkcs11_token_label.empty()) {
      r.Fail(ErrorCode::kInvalidArgument,
             "field 'root_of_trust.pkcs11_token_label' is required for the "
             "pkcs11 backend");
    } else if (c->pkcs11_pin_file.empty() == c->pkcs11_pin_env.empty()) {
      r.Fail(ErrorCode::kInvalidArgument,
             "exactly one of 'root_of_trust.pkcs11_pin_file' and "
             "'root_of_trust.pkcs11_pin_env' is required for the pkcs11 "
             "backend");
    }
  } else if (c->backend != "file") {
    r.Fail(ErrorCode::kInvalidArgument,
           "field 'root_of_trust.backend' must be \"file\" or \"pkcs11\"");
  }
  return r.Finish();
}

Status ReadAuth(const cJSON* node, AuthConfig* c) {
  JsonReader r(node, "auth");
  c->token_ttl_seconds = r.Int("token_ttl_seconds", c->token_ttl_seconds);
  Range(r, "auth.token_ttl_seconds", c->token_ttl_seconds, 1, 7 * 86400);
  c->max_pin_attempts =
      static_cast<int>(r.Int("max_pin_attempts", c->max_pin_attempts));
  Range(r, "auth.max_pin_attempts", c->max_pin_attempts, 1, 100);
  c->min_pin_length =
      static_cast<int>(r.Int("min_pin_length", c->min_pin_length));
  Range(r, "auth.min_pin_length", c->min_pin_length, 1, 64);
  c->scrypt_log2_n = static_cast<int>(r.Int("scrypt_log2_n", c->scrypt_log2_n));
  Range(r, "auth.scrypt_log2_n", c->scrypt_log2_n, 10, 20);
  return r.Finish();
}

Status ReadKeys(const cJSON* node, KeysConfig* c) {
  JsonReader r(node, "keys");
  c->allow_short_destroy_wait =
      r.Bool("allow_short_destroy_wait", c->allow_short_destroy_wait);
  c->destroy_wait_seconds =
      r.Int("destroy_wait_seconds", c->destroy_wait_seconds);
  Range(r, "keys.destroy_wait_seconds", c->destroy_wait_seconds,
        c->allow_short_destroy_wait ? 0 : 86400, int64_t{3650} * 86400);
  c->min_rotation_period_seconds =
      r.Int("min_rotation_period_seconds", c->min_rotation_period_seconds);
  Range(r, "keys.min_rotation_period_seconds", c->min_rotation_period_seconds,
        1, int64_t{3650} * 86400);
  return r.Finish();
}

Status ReadBootstrap(const cJSON* node, const std::string& base,
                     BootstrapConfig* c) {
  JsonReader r(node, "bootstrap");
  c->admin_name = r.String("admin_name");
  c->admin_cert_file = Resolve(base, r.String("admin_cert_file"));
  return r.Finish();
}

}  // namespace

Status ParseListenAddress(const std::string& listen, std::string* host,
                          int* port) {
  auto bad = [&] {
    return Error(
        ErrorCode::kInvalidArgument,
        "field 'http.listen' must be HOST:PORT (got '" + listen + "')");
  };
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad();
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  std::string port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return bad();
  }
  *port = std::stoi(port_text);
  if (*port > 65535) return bad();
  return Status::Ok();
}

Result<ServerConfig> ParseServerConfig(std::string_view text,
                                       const std::string& base_dir) {
  KMS_ASSIGN_OR_RETURN(Json json, ParseObject(text));
  ServerConfig c;
  JsonReader r(json.get());
  const cJSON* http = r.Object("http", false);
  const cJSON* tls = r.Object("tls", true);
  const cJSON* storage = r.Object("storage", false);
  const cJSON* root = r.Object("root_of_trust", false);
  const cJSON* auth = r.Object("auth", false);
  const cJSON* keys = r.Object("keys", false);
  const cJSON* bootstrap = r.Object("bootstrap", false);
  c.scheduler_interval_seconds = static_cast<int>(
      r.Int("scheduler_interval_seconds", c.scheduler_interval_seconds));
  Range(r, "scheduler_interval_seconds", c.scheduler_interval_seconds, 1, 3600);
  c.log_level = r.OptionalString("log_level").value_or(c.log_level);
  if (r.status().ok() && !ParseLogLevel(c.log_level).ok()) {
    r.Fail(ErrorCode::kInvalidArgument,
           "field 'log_level' must be one of debug, info, warning, error, "
           "off");
  }
  c.log_destination =
      r.OptionalString("log_destination").value_or(c.log_destination);
  KMS_RETURN_IF_ERROR(r.Finish());
  if (http) KMS_RETURN_IF_ERROR(ReadHttp(http, &c.http));
  KMS_RETURN_IF_ERROR(ReadTls(tls, base_dir, &c.tls));
  if (storage)
    KMS_RETURN_IF_ERROR(ReadStorage(storage, base_dir, &c.storage));
  else
    c.storage.path = Resolve(base_dir, c.storage.path);
  if (root)
    KMS_RETURN_IF_ERROR(ReadRoot(root, base_dir, &c.root_of_trust));
  else
    c.root_of_trust.file_path = Resolve(base_dir, c.root_of_trust.file_path);
  if (auth) KMS_RETURN_IF_ERROR(ReadAuth(auth, &c.auth));
  if (keys) KMS_RETURN_IF_ERROR(ReadKeys(keys, &c.keys));
  if (bootstrap) {
    KMS_RETURN_IF_ERROR(ReadBootstrap(bootstrap, base_dir, &c.bootstrap));
  }
  return c;
}

Result<ServerConfig> LoadServerConfig(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) {
    return Error(ErrorCode::kInvalidArgument,
                 "config file '" + path + "': " + text.status().message());
  }
  std::string base = std::filesystem::path(path).parent_path().string();
  auto config = ParseServerConfig(*text, base);
  if (!config.ok()) {
    return Error(config.status().code(),
                 "config file '" + path + "': " + config.status().message());
  }
  return config;
}

}  // namespace kms
