// The module's state between C_Initialize and C_Finalize: configuration,
// the kmsd client, the tokens and the sessions. Every entry point holds a
// Lease (a shared lock) for the duration of its call; C_Finalize takes the
// lock exclusively, so it waits for calls in progress. After fork() the
// child sees no library until it calls C_Initialize again.
#ifndef KMS_MODULE_PROVIDER_LIBRARY_H_
#define KMS_MODULE_PROVIDER_LIBRARY_H_

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "module/base/ck_status.h"
#include "module/client/kms_client.h"
#include "module/provider/config.h"
#include "module/provider/token.h"
#include "module/session/session_table.h"

namespace kms::p11 {

class Library {
 public:
  // C_Initialize: checks CK_C_INITIALIZE_ARGS, reads the configuration.
  static CkStatus Initialize(const CK_C_INITIALIZE_ARGS* args);
  // C_Finalize.
  static CkStatus Finalize();

  class Lease {
   public:
    Library* operator->() const { return library_; }
    Library& operator*() const { return *library_; }

   private:
    friend class Library;
    Lease(std::shared_lock<std::shared_mutex> lock, Library* library)
        : lock_(std::move(lock)), library_(library) {}
    std::shared_lock<std::shared_mutex> lock_;
    Library* library_;
  };
  // CKR_CRYPTOKI_NOT_INITIALIZED when not initialised (or in a fork child).
  static CkResult<Lease> Acquire();

  const ModuleConfig& config() const { return config_; }
  // CKR_SLOT_ID_INVALID for unknown slots.
  CkResult<Token*> GetToken(CK_SLOT_ID slot);
  const std::vector<std::unique_ptr<Token>>& tokens() const { return tokens_; }
  SessionTable& sessions() { return sessions_; }
  // The session and its token (CKR_SESSION_HANDLE_INVALID).
  CkResult<std::shared_ptr<Session>> GetSession(CK_SESSION_HANDLE handle) {
    return sessions_.Get(handle);
  }

  ~Library();

 private:
  explicit Library(ModuleConfig config);

  ModuleConfig config_;
  std::unique_ptr<KmsClient> client_;
  std::atomic<CK_OBJECT_HANDLE> next_object_handle_{1};
  std::vector<std::unique_ptr<Token>> tokens_;
  SessionTable sessions_;
};

}  // namespace kms::p11

#endif  // KMS_MODULE_PROVIDER_LIBRARY_H_
