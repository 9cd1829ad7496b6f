#include "tests/integration/kmsd_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/file_util.h"

extern char** environ;

namespace kms::testing {
namespace {

std::map<std::string, std::string> ParseEnv(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    size_t eq = line.find('=');
    if (eq != std::string::npos) {
      std::string value = line.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
        value = value.substr(1, value.size() - 2);
      }
      out[line.substr(0, eq)] = value;
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string BuiltBinary(const std::string& name) {
  const char* dir = std::getenv("KMS_BUILD_DIR");
  return std::string(dir != nullptr ? dir : KMS_TEST_BUILD_DIR) + "/bin/" +
         name;
}

Result<std::unique_ptr<KmsdProcess>> KmsdProcess::Start(
    const std::string& root, std::vector<std::string> extra_args) {
  std::unique_ptr<KmsdProcess> p(new KmsdProcess());
  p->root_ = root;
  p->extra_args_ = std::move(extra_args);
  char tmpl[] = "/tmp/kmsd-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    return Error(ErrorCode::kInternal, "mkdtemp failed");
  }
  p->data_dir_ = tmpl;
  KMS_RETURN_IF_ERROR(p->Launch());
  return p;
}

Status KmsdProcess::Launch(const std::string& listen) {
  std::string env_file = data_dir_ + "/env";
  std::filesystem::remove(env_file);
  std::string binary = BuiltBinary("kmsd");
  std::string log = data_dir_ + "/kmsd.log";
  std::vector<std::string> args = {binary,     "dev",  "--data-dir", data_dir_,
                                   "--listen", listen, "--root",     root_};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(),
                       environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Error(ErrorCode::kInternal, "cannot start " + binary);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      auto text = ReadFile(log);
      return Error(ErrorCode::kInternal,
                   "kmsd exited during start-up: " +
                       (text.ok() ? *text : std::string("(no log)")));
    }
    if (FileExists(env_file)) {
      auto text = ReadFile(env_file);
      if (text.ok()) {
        env_ = ParseEnv(*text);
        if (env_.count("KMS_PKCS11_CONFIG")) return Status::Ok();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Error(ErrorCode::kUnavailable, "kmsd did not start within 30 s");
}

int KmsdProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void KmsdProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

Status KmsdProcess::Restart() {
  Stop();
  return Launch();
}

Status KmsdProcess::RestartOnSamePort() {
  const std::string old_url = url();
  size_t colon = old_url.rfind(':');
  if (colon == std::string::npos) {
    return Error(ErrorCode::kInternal, "no port in " + old_url);
  }
  std::string listen = "127.0.0.1:" + old_url.substr(colon + 1);
  Stop();
  // The port was ours a moment ago; a connection of the old process may
  // still hold it briefly, so a failed bind is retried for a while.
  Status started = Error(ErrorCode::kInternal, "not started");
  for (int attempt = 0; attempt < 50; ++attempt) {
    started = Launch(listen);
    if (started.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return started;
}

KmsdProcess::~KmsdProcess() {
  Stop();
  if (std::getenv("KMS_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
  }
}

std::unique_ptr<ApiClient> KmsdProcess::ClientWith(
    const std::string& cert_file, const std::string& key_file) const {
  TlsClientConfig tls;
  tls.ca_file = env_.at("KMS_CA_FILE");
  tls.cert_file = cert_file;
  tls.key_file = key_file;
  tls.timeout_ms = 60000;
  return std::make_unique<ApiClient>(std::vector<std::string>{url()}, tls);
}

std::unique_ptr<ApiClient> KmsdProcess::AdminClient() const {
  return ClientWith(env_.at("KMS_ADMIN_CERT"), env_.at("KMS_ADMIN_KEY"));
}

std::unique_ptr<ApiClient> KmsdProcess::AppClient() const {
  return ClientWith(env_.at("KMS_CLIENT_CERT"), env_.at("KMS_CLIENT_KEY"));
}

Result<std::unique_ptr<ApiClient>> KmsdProcess::LoggedInApp(
    const std::string& ring) const {
  auto client = AppClient();
  Json body = Json::Object();
  body.Set("key_ring", ring);
  body.Set("pin", env_.at("KMS_USER_PIN"));
  KMS_ASSIGN_OR_RETURN(Json reply,
                       client->Call("POST", "/v1/auth/login", body));
  const cJSON* token = cJSON_GetObjectItemCaseSensitive(reply.get(), "token");
  if (!cJSON_IsString(token)) {
    return Error(ErrorCode::kInternal, "login reply has no token");
  }
  client->SetBearerToken(SecureString(token->valuestring));
  return client;
}

}  // namespace kms::testing
