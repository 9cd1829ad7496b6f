#include "module/provider/library.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "common/json.h"
#include "common/logging.h"

namespace kms::p11 {
namespace {

// Heap-allocated so that a fork child can replace it: a lock held by the
// parent's thread cannot be released by the child's (glibc rwlocks record
// the writer's thread id).
std::shared_mutex* g_mu = new std::shared_mutex();
Library* g_library = nullptr;
// A fork child's inherited state: never used nor freed (its locks and
// connections belong to the parent), but kept reachable.
Library* g_abandoned = nullptr;
std::shared_mutex* g_abandoned_mu = nullptr;
// C_Finalize calls waiting for the exclusive lock. New calls are refused
// while one waits: glibc's rwlock lets readers in ahead of a waiting
// writer, so threads calling in a loop would otherwise starve C_Finalize.
std::atomic<int> g_finalizing{0};

// Fork happens with no call in progress, so the child starts clean.
void PrepareFork() { g_mu->lock(); }
void ParentAfterFork() { g_mu->unlock(); }
void ChildAfterFork() {
  if (g_library != nullptr) {
    g_abandoned = g_library;
    g_library = nullptr;
  }
  g_abandoned_mu = g_mu;
  g_mu = new std::shared_mutex();
  g_finalizing = 0;
}

void RegisterForkHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    pthread_atfork(PrepareFork, ParentAfterFork, ChildAfterFork);
  });
}

// CK_C_INITIALIZE_ARGS rules of PKCS#11 2.40 section 5.4. The module needs
// the operating system's threads (libcurl, OpenSSL), so it cannot work with
// application-supplied mutexes only.
CkStatus CheckInitArgs(const CK_C_INITIALIZE_ARGS* args) {
  if (args == nullptr) return CkStatus::Ok();
  if (args->pReserved != nullptr) {
    return CkError(CKR_ARGUMENTS_BAD, "pReserved must be NULL");
  }
  int given = (args->CreateMutex != nullptr) + (args->DestroyMutex != nullptr) +
              (args->LockMutex != nullptr) + (args->UnlockMutex != nullptr);
  if (given != 0 && given != 4) {
    return CkError(CKR_ARGUMENTS_BAD,
                   "mutex callbacks must be all set or all NULL");
  }
  if (given == 4 && (args->flags & CKF_OS_LOCKING_OK) == 0) {
    return CkError(CKR_CANT_LOCK,
                   "the module needs OS locking (CKF_OS_LOCKING_OK)");
  }
  return CkStatus::Ok();
}

}  // namespace

Library::Library(ModuleConfig config) : config_(std::move(config)) {
  KmsClientOptions options;
  options.servers = config_.servers;
  options.tls.ca_file = config_.ca_file;
  options.tls.cert_file = config_.cert_file;
  options.tls.key_file = config_.key_file;
  options.tls.connect_timeout_ms = config_.connect_timeout_ms;
  options.tls.timeout_ms = config_.timeout_ms;
  options.retries = config_.retries;
  options.pool_size = static_cast<size_t>(config_.pool_size);
  client_ = std::make_unique<KmsClient>(std::move(options));
  CK_SLOT_ID slot = 0;
  for (const auto& t : config_.tokens) {
    tokens_.push_back(std::make_unique<Token>(
        slot++, t, client_.get(), config_.cache_ttl_ms, &next_object_handle_));
  }
}

Library::~Library() {
  // C_Finalize closes every session: their session keys go too.
  for (auto& s : sessions_.All()) s->DestroySessionObjects();
  for (auto& t : tokens_) t->auth().Forget();
}

CkResult<Token*> Library::GetToken(CK_SLOT_ID slot) {
  if (slot >= tokens_.size()) return CkError(CKR_SLOT_ID_INVALID);
  return tokens_[slot].get();
}

CkStatus Library::Initialize(const CK_C_INITIALIZE_ARGS* args) {
  RegisterForkHandlers();
  CK_RETURN_IF_ERROR(CheckInitArgs(args));
  std::unique_lock<std::shared_mutex> lock(*g_mu);
  if (g_library != nullptr) return CkError(CKR_CRYPTOKI_ALREADY_INITIALIZED);
  InstallWipingJsonAllocator();
  Status logging = ConfigureLogging(LogLevel::kWarning, "stderr");
  (void)logging;
  std::string path = ConfigPath();
  auto config = LoadModuleConfig(path);
  if (!config.ok()) {
    KMS_LOG(kError) << "kms-pkcs11: C_Initialize failed: "
                    << config.status().message();
    return CkError(CKR_GENERAL_ERROR, config.status().message());
  }
  Status configured =
      ConfigureLogging(config->log_level, config->log_destination);
  if (!configured.ok()) {
    KMS_LOG(kError) << "kms-pkcs11: C_Initialize failed: config " << path
                    << ": field 'log_destination': " << configured.message();
    return CkError(CKR_GENERAL_ERROR, configured.message());
  }
  g_library = new Library(std::move(config).value());
  KMS_LOG(kInfo) << "kms-pkcs11 initialised from " << path << " with "
                 << g_library->tokens_.size() << " token(s)";
  return CkStatus::Ok();
}

CkStatus Library::Finalize() {
  ++g_finalizing;
  std::unique_lock<std::shared_mutex> lock(*g_mu);
  --g_finalizing;
  if (g_library == nullptr) return CkError(CKR_CRYPTOKI_NOT_INITIALIZED);
  delete g_library;
  g_library = nullptr;
  KMS_LOG(kInfo) << "kms-pkcs11 finalised";
  return CkStatus::Ok();
}

CkResult<Library::Lease> Library::Acquire() {
  std::shared_lock<std::shared_mutex> lock(*g_mu);
  if (g_library == nullptr || g_finalizing > 0) {
    return CkError(CKR_CRYPTOKI_NOT_INITIALIZED);
  }
  return Lease(std::move(lock), g_library);
}

}  // namespace kms::p11
