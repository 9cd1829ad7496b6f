#include "server/kmsd/dev_mode.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "common/file_util.h"
#include "common/json.h"
#include "common/logging.h"
#include "common/time_util.h"
#include "server/auth/permissions.h"
#include "server/dev/pki.h"

extern char** environ;

namespace kms {
namespace {

constexpr char kSoftHsmModule[] = "/usr/lib/softhsm/libsofthsm2.so";
constexpr char kSoftHsmToken[] = "kms-dev-root";
constexpr char kDevKeyRing[] = "dev";
constexpr char kDefaultListen[] = "127.0.0.1:8443";

std::string Path(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

Result<SecureString> RandomDigits(int count) {
  SecureString out;
  while (static_cast<int>(out.size()) < count) {
    uint8_t b = 0;
    if (RAND_bytes(&b, 1) != 1) return Error(ErrorCode::kInternal, "RNG");
    if (b < 250) out.push_back(static_cast<char>('0' + b % 10));
  }
  return out;
}

// Reads a secret file, or creates it with random digits.
Result<SecureString> SecretFile(const std::string& path, int digits) {
  if (FileExists(path)) {
    KMS_ASSIGN_OR_RETURN(SecureString pin, ReadSecretFile(path));
    while (!pin.empty() && (pin.back() == '\n' || pin.back() == '\r')) {
      pin.pop_back();
    }
    return pin;
  }
  KMS_ASSIGN_OR_RETURN(SecureString pin, RandomDigits(digits));
  KMS_RETURN_IF_ERROR(WriteFileAtomic(path, {pin.data(), pin.size()}, 0600));
  return pin;
}

Status Run(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Error(ErrorCode::kUnavailable,
                 "cannot run " + argv[0] + " (is it installed?)");
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error(ErrorCode::kInternal, argv[0] + " failed");
  }
  return Status::Ok();
}

Status PrepareSoftHsm(const std::string& dir, RootOfTrustConfig* root) {
  std::string hsm_dir = Path(dir, "softhsm");
  std::string tokens = Path(hsm_dir, "tokens");
  std::string conf = Path(hsm_dir, "softhsm2.conf");
  KMS_RETURN_IF_ERROR(MakeDirectories(tokens, 0700));
  if (!FileExists(conf)) {
    std::string text = "directories.tokendir = " + tokens +
                       "\nobjectstore.backend = file\nlog.level = ERROR\n";
    KMS_RETURN_IF_ERROR(WriteFileAtomic(conf, text, 0600));
  }
  setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  KMS_ASSIGN_OR_RETURN(SecureString pin, SecretFile(Path(hsm_dir, "pin"), 8));
  KMS_ASSIGN_OR_RETURN(SecureString so_pin,
                       SecretFile(Path(hsm_dir, "so-pin"), 8));
  bool initialised = !std::filesystem::is_empty(tokens);
  if (!initialised) {
    KMS_RETURN_IF_ERROR(Run({"softhsm2-util", "--init-token", "--free",
                             "--label", kSoftHsmToken, "--so-pin",
                             std::string(so_pin.data(), so_pin.size()), "--pin",
                             std::string(pin.data(), pin.size())}));
  }
  root->backend = "pkcs11";
  root->pkcs11_module = kSoftHsmModule;
  root->pkcs11_token_label = kSoftHsmToken;
  root->pkcs11_pin_file = Path(hsm_dir, "pin");
  return Status::Ok();
}

Status EnsurePki(const std::string& pki) {
  if (FileExists(Path(pki, "ca.pem"))) return Status::Ok();
  KMS_RETURN_IF_ERROR(MakeDirectories(pki, 0700));
  KMS_ASSIGN_OR_RETURN(DevCa ca, DevCa::Create("kms dev CA"));
  KMS_ASSIGN_OR_RETURN(
      IssuedCertificate server,
      ca.IssueServer("localhost", {"localhost"}, {"127.0.0.1", "::1"}));
  KMS_ASSIGN_OR_RETURN(IssuedCertificate admin, ca.IssueClient("admin"));
  KMS_ASSIGN_OR_RETURN(IssuedCertificate app, ca.IssueClient("app"));
  auto write_pair = [&](const std::string& name,
                        const IssuedCertificate& cert) -> Status {
    KMS_RETURN_IF_ERROR(
        WriteFileAtomic(Path(pki, name + ".pem"), cert.cert_pem, 0644));
    return WriteFileAtomic(Path(pki, name + "-key.pem"),
                           {cert.key_pem.data(), cert.key_pem.size()}, 0600);
  };
  KMS_RETURN_IF_ERROR(write_pair("server", server));
  KMS_RETURN_IF_ERROR(write_pair("admin", admin));
  KMS_RETURN_IF_ERROR(write_pair("app", app));
  KMS_RETURN_IF_ERROR(
      WriteFileAtomic(Path(pki, "ca-key.pem"),
                      {ca.key_pem().data(), ca.key_pem().size()}, 0600));
  // Last, so that a half-written PKI is redone on the next start.
  return WriteFileAtomic(Path(pki, "ca.pem"), ca.cert_pem(), 0644);
}

Json ConfigJson(const ServerConfig& c) {
  Json http = Json::Object();
  http.Set("listen", c.http.listen);
  Json tls = Json::Object();
  tls.Set("cert_file", "pki/server.pem");
  tls.Set("key_file", "pki/server-key.pem");
  tls.Set("client_ca_file", "pki/ca.pem");
  Json storage = Json::Object();
  storage.Set("backend", "sqlite");
  storage.Set("path", "kms.db");
  Json root = Json::Object();
  root.Set("backend", c.root_of_trust.backend);
  if (c.root_of_trust.backend == "file") {
    root.Set("file_path", "root.key");
  } else {
    root.Set("pkcs11_module", c.root_of_trust.pkcs11_module);
    root.Set("pkcs11_token_label", c.root_of_trust.pkcs11_token_label);
    root.Set("pkcs11_pin_file", "softhsm/pin");
  }
  Json keys = Json::Object();
  keys.Set("allow_short_destroy_wait", true);
  keys.Set("destroy_wait_seconds", c.keys.destroy_wait_seconds);
  keys.Set("min_rotation_period_seconds", int64_t{1});
  Json j = Json::Object();
  j.Set("http", std::move(http));
  j.Set("tls", std::move(tls));
  j.Set("storage", std::move(storage));
  j.Set("root_of_trust", std::move(root));
  j.Set("keys", std::move(keys));
  j.Set("scheduler_interval_seconds", int64_t{1});
  return j;
}

std::string Quote(const std::string& value) { return "'" + value + "'"; }

Status EnsureClient(Store& store, const std::string& name,
                    const std::string& role, const std::string& cert_file) {
  if (store.GetClient(name).ok()) return Status::Ok();
  KMS_ASSIGN_OR_RETURN(std::string pem, ReadFile(cert_file));
  ClientRecord client;
  client.name = name;
  client.role = role;
  KMS_ASSIGN_OR_RETURN(client.cert_fingerprint, CertificateFingerprint(pem));
  client.created_at = NowMillis();
  return store.CreateClient(client);
}

}  // namespace

Result<ServerConfig> PrepareDevDirectory(const DevOptions& options) {
  const std::string& dir = options.data_dir;
  KMS_RETURN_IF_ERROR(MakeDirectories(dir, 0700));
  KMS_RETURN_IF_ERROR(EnsurePki(Path(dir, "pki")));
  std::string config_path = Path(dir, "kmsd.json");
  ServerConfig config;
  bool existing = FileExists(config_path);
  if (existing) {
    KMS_ASSIGN_OR_RETURN(config, LoadServerConfig(config_path));
    std::string had =
        config.root_of_trust.backend == "file" ? "file" : "softhsm";
    if (!options.root.empty() && options.root != had) {
      return Error(ErrorCode::kInvalidArgument,
                   "directory '" + dir + "' was set up with --root " + had +
                       "; its keys cannot move to another root of trust");
    }
  } else {
    config.http.listen = kDefaultListen;
    config.root_of_trust.backend = "file";
  }
  if (!options.listen.empty()) {
    std::string host;
    int port = 0;
    KMS_RETURN_IF_ERROR(ParseListenAddress(options.listen, &host, &port));
    config.http.listen = options.listen;
  }
  if (options.root == "softhsm" ||
      (existing && config.root_of_trust.backend == "pkcs11")) {
    KMS_RETURN_IF_ERROR(PrepareSoftHsm(dir, &config.root_of_trust));
  } else if (!options.root.empty() && options.root != "file") {
    return Error(ErrorCode::kInvalidArgument,
                 "--root must be \"file\" or \"softhsm\"");
  }
  Json json;
  if (existing) {
    // Keep what the operator (or a test) changed; only the listen address
    // follows the command line.
    KMS_ASSIGN_OR_RETURN(std::string text, ReadFile(config_path));
    KMS_ASSIGN_OR_RETURN(json, ParseObject(text));
    cJSON* http = cJSON_GetObjectItemCaseSensitive(json.get(), "http");
    if (!cJSON_IsObject(http)) {
      json.Set("http", Json::Object());
      http = cJSON_GetObjectItemCaseSensitive(json.get(), "http");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(http, "listen");
    cJSON_AddStringToObject(http, "listen", config.http.listen.c_str());
  } else {
    json = ConfigJson(config);
  }
  KMS_RETURN_IF_ERROR(WriteFileAtomic(config_path, json.Dump() + "\n", 0600));
  KMS_ASSIGN_OR_RETURN(ServerConfig loaded, LoadServerConfig(config_path));
  loaded.audit_off_for_benchmark = options.audit_off;
  return loaded;
}

Status FinishDevSetup(const DevOptions& options, KmsServer& server) {
  const std::string& dir = options.data_dir;
  std::string pki = Path(dir, "pki");
  ServerContext& ctx = server.context();
  Store& store = *ctx.store;
  KMS_RETURN_IF_ERROR(
      EnsureClient(store, "admin", "admin", Path(pki, "admin.pem")));
  KMS_RETURN_IF_ERROR(
      EnsureClient(store, "app", "application", Path(pki, "app.pem")));
  if (!store.GetKeyRing(kDevKeyRing).ok()) {
    KMS_RETURN_IF_ERROR(
        ctx.keys->CreateKeyRing(kDevKeyRing, std::nullopt, true).status());
  }
  GrantRecord grant{"app", kDevKeyRing, kAllPermissions};
  KMS_RETURN_IF_ERROR(store.SetGrant(grant));
  std::string pin_path = Path(dir, "user-pin");
  bool new_pin = !FileExists(pin_path);
  KMS_ASSIGN_OR_RETURN(SecureString pin, SecretFile(pin_path, 8));
  if (new_pin || !store.GetPin("app", kDevKeyRing).ok()) {
    KMS_RETURN_IF_ERROR(ctx.auth->SetPin("app", kDevKeyRing, pin));
  }

  std::string host;
  int port = 0;
  KMS_RETURN_IF_ERROR(ParseListenAddress(ctx.config.http.listen, &host, &port));
  if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
  bool v6 = host.find(':') != std::string::npos;
  std::string url = "https://" + (v6 ? "[" + host + "]" : host) + ":" +
                    std::to_string(server.port());
  std::string module_config = Path(dir, "pkcs11.json");
  Json tokens = Json::Array();
  Json token = Json::Object();
  token.Set("label", kDevKeyRing);
  token.Set("key_ring", kDevKeyRing);
  tokens.Append(std::move(token));
  Json servers = Json::Array();
  servers.Append(url);
  Json module = Json::Object();
  module.Set("servers", std::move(servers));
  module.Set("ca_file", Path(pki, "ca.pem"));
  module.Set("cert_file", Path(pki, "app.pem"));
  module.Set("key_file", Path(pki, "app-key.pem"));
  module.Set("tokens", std::move(tokens));
  KMS_RETURN_IF_ERROR(
      WriteFileAtomic(module_config, module.Dump() + "\n", 0600));

  std::string env;
  env += "KMS_URL=" + Quote(url) + "\n";
  env += "KMS_CA_FILE=" + Quote(Path(pki, "ca.pem")) + "\n";
  env += "KMS_ADMIN_CERT=" + Quote(Path(pki, "admin.pem")) + "\n";
  env += "KMS_ADMIN_KEY=" + Quote(Path(pki, "admin-key.pem")) + "\n";
  env += "KMS_CLIENT_CERT=" + Quote(Path(pki, "app.pem")) + "\n";
  env += "KMS_CLIENT_KEY=" + Quote(Path(pki, "app-key.pem")) + "\n";
  env += "KMS_TOKEN_LABEL=" + Quote(kDevKeyRing) + "\n";
  env += "KMS_USER_PIN=" + Quote(std::string(pin.data(), pin.size())) + "\n";
  env += "KMS_PKCS11_CONFIG=" + Quote(module_config) + "\n";
  Status written = WriteFileAtomic(Path(dir, "env"), env, 0600);
  SecureWipe(env.data(), env.size());
  return written;
}

}  // namespace kms
