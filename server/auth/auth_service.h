// Who is calling: client certificates to registered clients, PIN logins to
// short-lived bearer tokens, PIN changes and lock-out.
#ifndef KMS_SERVER_AUTH_AUTH_SERVICE_H_
#define KMS_SERVER_AUTH_AUTH_SERVICE_H_

#include <string>

#include "common/secure_memory.h"
#include "common/status.h"
#include "server/config/server_config.h"
#include "server/http/http_server.h"
#include "server/storage/store.h"

namespace kms {

struct IssuedToken {
  SecureString token;  // given to the client once; only its hash is stored
  TokenRecord record;
};

struct PinStatus {
  bool set = false;
  int failed_attempts = 0;
  int max_attempts = 0;
  bool locked = false;
};

class AuthService {
 public:
  AuthService(Store* store, AuthConfig config)
      : store_(store), config_(std::move(config)) {}

  // kUnauthenticated without a verified certificate or for an unregistered
  // one.
  Result<ClientRecord> IdentifyClient(const ClientIdentity& peer);
  // kTokenInvalid (unknown, revoked, or another client's), kTokenExpired.
  Result<TokenRecord> ValidateToken(const ClientRecord& client,
                                    const SecureString& token);

  Result<IssuedToken> Login(const ClientRecord& client,
                            const std::string& key_ring,
                            const SecureString& pin);
  Result<IssuedToken> Renew(const TokenRecord& current);
  Status Logout(const TokenRecord& current);

  // The client changes its own PIN; a wrong old PIN counts as a failure.
  Status ChangePin(const ClientRecord& client, const std::string& key_ring,
                   const SecureString& old_pin, const SecureString& new_pin);
  // Admin: set a PIN (clears failures) / clear failures.
  Status SetPin(const std::string& client, const std::string& key_ring,
                const SecureString& pin);
  Status Unlock(const std::string& client, const std::string& key_ring);
  Result<PinStatus> GetPinStatus(const std::string& client,
                                 const std::string& key_ring);

  const AuthConfig& config() const { return config_; }

 private:
  // Checks the PIN with lock-out accounting.
  Status VerifyPin(const std::string& client, const std::string& key_ring,
                   const SecureString& pin);
  Result<IssuedToken> IssueToken(const std::string& client,
                                 const std::string& key_ring);
  Status CheckPinPolicy(const SecureString& pin) const;

  Store* store_;
  AuthConfig config_;
};

// Lowercase hex SHA-256 of a token, the form kept in the store.
std::string HashToken(const SecureString& token);

}  // namespace kms

#endif  // KMS_SERVER_AUTH_AUTH_SERVICE_H_
