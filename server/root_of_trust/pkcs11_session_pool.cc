#include "server/root_of_trust/pkcs11_session_pool.h"

#include <utility>

#include "common/logging.h"
#include "server/root_of_trust/pkcs11_error.h"

namespace kms::rot_internal {

Result<std::unique_ptr<Pkcs11SessionPool>> Pkcs11SessionPool::Open(
    std::shared_ptr<Pkcs11Module> module, CK_SLOT_ID slot, size_t size,
    const SecureString& pin) {
  std::unique_ptr<Pkcs11SessionPool> pool(
      new Pkcs11SessionPool(std::move(module), slot));
  CK_FUNCTION_LIST* fn = pool->fn();
  for (size_t i = 0; i < size; ++i) {
    CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
    // Read/write: the keys are created through these sessions on first use.
    CK_RV rv = fn->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
                                 nullptr, nullptr, &session);
    if (rv == CKR_SESSION_COUNT && !pool->sessions_.empty()) break;
    if (rv != CKR_OK) return Pkcs11Error("C_OpenSession", rv);
    pool->sessions_.push_back(session);
  }
  if (pool->sessions_.empty()) {
    return Error(ErrorCode::kInvalidArgument, "session pool size is zero");
  }
  // Login applies to every session of this application on the token.
  KMS_RETURN_IF_ERROR(pool->module_->Login(slot, pool->sessions_.front(), pin));
  pool->logged_in_ = true;
  pool->idle_ = pool->sessions_;
  return pool;
}

Pkcs11SessionPool::~Pkcs11SessionPool() {
  if (logged_in_) module_->Logout(slot_, sessions_.front());
  CK_FUNCTION_LIST* fn = module_->fn();
  for (CK_SESSION_HANDLE session : sessions_) {
    CK_RV rv = fn->C_CloseSession(session);
    if (rv != CKR_OK) {
      KMS_LOG(kWarning) << "PKCS#11 C_CloseSession: " << CkrName(rv);
    }
  }
}

Pkcs11SessionPool::Lease Pkcs11SessionPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  available_.wait(lock, [this] { return !idle_.empty(); });
  CK_SESSION_HANDLE session = idle_.back();
  idle_.pop_back();
  return Lease(this, session);
}

void Pkcs11SessionPool::Return(CK_SESSION_HANDLE session) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(session);
  }
  available_.notify_one();
}

}  // namespace kms::rot_internal
