// A fixed set of logged-in sessions on one token. A Cryptoki session runs
// one operation at a time, so each caller borrows a session for the length
// of one operation; callers beyond the pool size wait.
#ifndef KMS_SERVER_ROOT_OF_TRUST_PKCS11_SESSION_POOL_H_
#define KMS_SERVER_ROOT_OF_TRUST_PKCS11_SESSION_POOL_H_

#include <p11-kit/pkcs11.h>

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "common/secure_memory.h"
#include "common/status.h"
#include "server/root_of_trust/pkcs11_module.h"

namespace kms::rot_internal {

class Pkcs11SessionPool {
 public:
  // Opens up to `size` read/write sessions (at least one) and logs in.
  static Result<std::unique_ptr<Pkcs11SessionPool>> Open(
      std::shared_ptr<Pkcs11Module> module, CK_SLOT_ID slot, size_t size,
      const SecureString& pin);
  // C_Logout, then C_CloseSession for every session. All leases must have
  // been returned.
  ~Pkcs11SessionPool();
  Pkcs11SessionPool(const Pkcs11SessionPool&) = delete;
  Pkcs11SessionPool& operator=(const Pkcs11SessionPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(other.pool_), session_(other.session_) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Return(session_);
    }
    CK_SESSION_HANDLE get() const { return session_; }

   private:
    friend class Pkcs11SessionPool;
    Lease(Pkcs11SessionPool* pool, CK_SESSION_HANDLE session)
        : pool_(pool), session_(session) {}
    Pkcs11SessionPool* pool_;
    CK_SESSION_HANDLE session_;
  };

  // Blocks until a session is free.
  Lease Acquire();
  CK_FUNCTION_LIST* fn() const { return module_->fn(); }
  size_t size() const { return sessions_.size(); }

 private:
  Pkcs11SessionPool(std::shared_ptr<Pkcs11Module> module, CK_SLOT_ID slot)
      : module_(std::move(module)), slot_(slot) {}
  void Return(CK_SESSION_HANDLE session);

  const std::shared_ptr<Pkcs11Module> module_;
  const CK_SLOT_ID slot_;
  bool logged_in_ = false;
  std::vector<CK_SESSION_HANDLE> sessions_;  // all, for closing
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<CK_SESSION_HANDLE> idle_;
};

}  // namespace kms::rot_internal

#endif  // KMS_SERVER_ROOT_OF_TRUST_PKCS11_SESSION_POOL_H_
