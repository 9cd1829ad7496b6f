// kmsd's configuration: one JSON file, every field documented with its
// default in docs/operations.md. Loading refuses unknown fields and names
// the field and the problem.
#ifndef KMS_SERVER_CONFIG_SERVER_CONFIG_H_
#define KMS_SERVER_CONFIG_SERVER_CONFIG_H_

#include <cstdint>
#include <string>

#include "common/status.h"

namespace kms {

struct TlsServerFiles {
  std::string cert_file;       // server certificate chain, PEM
  std::string key_file;        // its private key, PEM
  std::string client_ca_file;  // CA that issues client certificates
};

struct StorageConfig {
  std::string backend = "sqlite";
  std::string path = "kms.db";  // sqlite: database file
  // Records cached per kind (clients, tokens, grants, keys, versions) so
  // that key operations do not read the database; 0 turns caching off.
  int64_t cache_entries = 10000;
};

struct RootOfTrustConfig {
  std::string backend = "file";  // "file" or "pkcs11"
  std::string file_path = "root.key";
  std::string pkcs11_module;
  std::string pkcs11_token_label;
  std::string pkcs11_pin_file;  // either a file ...
  std::string pkcs11_pin_env;   // ... or an environment variable
};

struct AuthConfig {
  int64_t token_ttl_seconds = 900;
  int max_pin_attempts = 5;
  int min_pin_length = 4;
  int scrypt_log2_n = 15;  // scrypt cost: N = 2^15, r = 8, p = 1
};

struct KeysConfig {
  int64_t destroy_wait_seconds = 30 * 86400;  // default waiting period
  // Waiting periods below one day are refused unless this is set (tests).
  bool allow_short_destroy_wait = false;
  int64_t min_rotation_period_seconds = 86400;
};

struct HttpConfig {
  std::string listen = "127.0.0.1:8443";
  int threads = 0;  // 0: four per core, at least 8
  int64_t max_body_bytes = 1 << 20;
  int64_t max_restore_bytes = 256 << 20;
  // POST .../encrypt and .../decrypt: room for 4 MiB of data in base64.
  int64_t max_data_bytes = 8 << 20;
  int connection_timeout_seconds = 60;
};

struct BootstrapConfig {
  // Registered as an admin client at start if no client with that name
  // exists yet, so that a fresh server can be administered.
  std::string admin_name;
  std::string admin_cert_file;
};

struct ServerConfig {
  HttpConfig http;
  TlsServerFiles tls;
  StorageConfig storage;
  RootOfTrustConfig root_of_trust;
  AuthConfig auth;
  KeysConfig keys;
  BootstrapConfig bootstrap;
  int scheduler_interval_seconds = 10;
  std::string log_level = "info";
  std::string log_destination = "stderr";
  // Never read from a configuration file: only `kmsd dev --audit-off` sets
  // it, so that benchmarks can measure what the audit trail costs.
  bool audit_off_for_benchmark = false;
};

// Relative paths in the file are resolved against the file's directory.
Result<ServerConfig> LoadServerConfig(const std::string& path);
Result<ServerConfig> ParseServerConfig(std::string_view text,
                                       const std::string& base_dir);

// Splits "host:port" / "[v6]:port".
Status ParseListenAddress(const std::string& listen, std::string* host,
                          int* port);

}  // namespace kms

#endif  // KMS_SERVER_CONFIG_SERVER_CONFIG_H_
