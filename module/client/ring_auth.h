// Authentication of one application to one key ring: the bearer token from
// POST /v1/auth/login, renewed transparently when it expires (renew, else a
// new login with the PIN cached in wiped memory). Thread-safe.
#ifndef KMS_MODULE_CLIENT_RING_AUTH_H_
#define KMS_MODULE_CLIENT_RING_AUTH_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "module/base/ck_status.h"
#include "module/client/kms_client.h"

namespace kms::p11 {

struct PinStatus {
  bool pin_set = false;
  bool locked = false;
  int64_t failed_attempts = 0;
  int64_t max_attempts = 0;
};

class RingAuth {
 public:
  RingAuth(KmsClient* client, std::string key_ring);

  const std::string& key_ring() const { return key_ring_; }
  bool logged_in() const;

  // POST /v1/auth/login. PIN errors map to CKR_PIN_INCORRECT etc.
  CkStatus Login(std::string_view pin);
  // POST /v1/auth/logout (best effort) and forgets token and PIN.
  CkStatus Logout();
  // Forgets token and PIN without a request (C_Finalize, fork).
  void Forget();

  // A request with the bearer token; CKR_USER_NOT_LOGGED_IN without login.
  // TOKEN_EXPIRED/TOKEN_INVALID are handled by renewing once and retrying.
  CkResult<Json> Call(std::string_view method, std::string_view path,
                      const Json& body = Json());
  // A request with the certificate only (no token).
  CkResult<Json> CallAnonymous(std::string_view method, std::string_view path,
                               const Json& body = Json());

  // GET /v1/auth/pin-status.
  CkResult<PinStatus> GetPinStatus();

 private:
  // Obtains a new token with the cached PIN (renew first). Caller holds mu_.
  CkStatus RenewLocked(const SecureString& stale);
  CkStatus LoginLocked(std::string_view pin);

  KmsClient* client_;
  std::string key_ring_;
  mutable std::mutex mu_;
  SecureString token_;
  SecureString pin_;
};

}  // namespace kms::p11

#endif  // KMS_MODULE_CLIENT_RING_AUTH_H_
