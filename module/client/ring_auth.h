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
  // The normal user (CKU_USER) is logged in: keys and objects are usable.
  bool logged_in() const;
  // The security officer (CKU_SO) is logged in.
  bool so_logged_in() const;
  // Either is.
  bool any_login() const;

  // POST /v1/auth/login. PIN errors map to CKR_PIN_INCORRECT etc. CKU_SO
  // asks kmsd to refuse clients without the admin role
  // (CKR_USER_TYPE_INVALID); CKR_USER_ALREADY_LOGGED_IN /
  // CKR_USER_ANOTHER_ALREADY_LOGGED_IN when a login exists.
  CkStatus Login(CK_USER_TYPE user_type, std::string_view pin);
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

  // POST /v1/auth/pin: the configured client changes its own PIN (the
  // user's, or the security officer's when that is who the client is). A
  // login keeps working: its cached PIN becomes the new one.
  CkStatus ChangePin(std::string_view old_pin, std::string_view new_pin);
  // POST /v1/clients/{client}/pin: the logged-in security officer sets the
  // PIN of `client` on this key ring (CKR_USER_NOT_LOGGED_IN otherwise).
  CkStatus SetUserPin(const std::string& client, std::string_view pin);

 private:
  // Obtains a new token with the cached PIN (renew first). Caller holds mu_.
  CkStatus RenewLocked(const SecureString& stale);
  CkStatus LoginLocked(CK_USER_TYPE user_type, std::string_view pin);

  KmsClient* client_;
  std::string key_ring_;
  mutable std::mutex mu_;
  SecureString token_;
  SecureString pin_;
  CK_USER_TYPE user_type_ = CKU_USER;  // meaningful while token_ is set
};

}  // namespace kms::p11

#endif  // KMS_MODULE_CLIENT_RING_AUTH_H_
