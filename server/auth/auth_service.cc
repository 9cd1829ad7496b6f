#include "server/auth/auth_service.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/encoding.h"
#include "common/time_util.h"
#include "server/auth/pin_hash.h"

namespace kms {

std::string HashToken(const SecureString& token) {
  uint8_t digest[32];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), digest, &len, EVP_sha256(), nullptr);
  return HexEncode({digest, len});
}

Result<ClientRecord> AuthService::IdentifyClient(const ClientIdentity& peer) {
  if (!peer.verified) {
    return Error(ErrorCode::kUnauthenticated,
                 "a client certificate issued by the client CA is required");
  }
  auto client = store_->FindClientByCertificate(peer.fingerprint,
                                                peer.subject_cn);
  if (!client.ok()) {
    if (client.status().code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kUnauthenticated,
                   "the client certificate (CN '" + peer.subject_cn +
                       "') is not registered");
    }
    return client.status();
  }
  return client;
}

Result<TokenRecord> AuthService::ValidateToken(const ClientRecord& client,
                                               const SecureString& token) {
  auto record = store_->GetToken(HashToken(token));
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kTokenInvalid, "unknown or revoked token");
    }
    return record.status();
  }
  if (record->client != client.name) {
    return Error(ErrorCode::kTokenInvalid,
                 "token was issued to another client");
  }
  if (record->expires_at <= NowMillis()) {
    return Error(ErrorCode::kTokenExpired, "token expired; log in again");
  }
  return record;
}

Status AuthService::CheckPinPolicy(const SecureString& pin) const {
  if (static_cast<int>(pin.size()) < config_.min_pin_length) {
    return Error(ErrorCode::kInvalidArgument,
                 "PIN must have at least " +
                     std::to_string(config_.min_pin_length) + " characters");
  }
  if (pin.size() > 256) {
    return Error(ErrorCode::kInvalidArgument,
                 "PIN must have at most 256 characters");
  }
  return Status::Ok();
}

Status AuthService::VerifyPin(const std::string& client,
                              const std::string& key_ring,
                              const SecureString& pin) {
  auto record = store_->GetPin(client, key_ring);
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kPinNotSet, "no PIN is set for client '" +
                                              client + "' on key ring '" +
                                              key_ring + "'");
    }
    return record.status();
  }
  // Count the attempt before checking it, so that concurrent guesses cannot
  // get past the limit; a correct PIN clears the count afterwards.
  KMS_ASSIGN_OR_RETURN(int attempts, store_->RecordPinFailure(client, key_ring));
  if (attempts > config_.max_pin_attempts) {
    return Error(ErrorCode::kPinLocked,
                 "PIN locked after too many failed attempts; an administrator "
                 "must unlock it");
  }
  Status check = CheckPin(pin, record->pin_hash);
  if (check.code() == ErrorCode::kPinIncorrect) {
    if (attempts >= config_.max_pin_attempts) {
      return Error(ErrorCode::kPinLocked,
                   "PIN incorrect; the PIN is now locked");
    }
    return Error(ErrorCode::kPinIncorrect,
                 "PIN incorrect (" +
                     std::to_string(config_.max_pin_attempts - attempts) +
                     " attempts left)");
  }
  KMS_RETURN_IF_ERROR(check);
  return store_->ResetPinFailures(client, key_ring);
}

Result<IssuedToken> AuthService::IssueToken(const std::string& client,
                                            const std::string& key_ring) {
  SecureBytes raw(32);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    return Error(ErrorCode::kInternal, "RNG failure");
  }
  IssuedToken issued;
  std::string hex = HexEncode(View(raw));
  issued.token.assign(hex.data(), hex.size());
  SecureWipe(hex.data(), hex.size());
  int64_t now = NowMillis();
  issued.record.token_hash = HashToken(issued.token);
  issued.record.client = client;
  issued.record.key_ring = key_ring;
  issued.record.created_at = now;
  issued.record.expires_at = now + config_.token_ttl_seconds * 1000;
  KMS_RETURN_IF_ERROR(store_->StoreToken(issued.record));
  return issued;
}

Result<IssuedToken> AuthService::Login(const ClientRecord& client,
                                       const std::string& key_ring,
                                       const SecureString& pin) {
  KMS_RETURN_IF_ERROR(store_->GetKeyRing(key_ring).status());
  KMS_RETURN_IF_ERROR(VerifyPin(client.name, key_ring, pin));
  return IssueToken(client.name, key_ring);
}

Result<IssuedToken> AuthService::Renew(const TokenRecord& current) {
  KMS_ASSIGN_OR_RETURN(IssuedToken fresh,
                       IssueToken(current.client, current.key_ring));
  KMS_RETURN_IF_ERROR(store_->DeleteToken(current.token_hash));
  return fresh;
}

Status AuthService::Logout(const TokenRecord& current) {
  return store_->DeleteToken(current.token_hash);
}

Status AuthService::ChangePin(const ClientRecord& client,
                              const std::string& key_ring,
                              const SecureString& old_pin,
                              const SecureString& new_pin) {
  KMS_RETURN_IF_ERROR(CheckPinPolicy(new_pin));
  KMS_RETURN_IF_ERROR(VerifyPin(client.name, key_ring, old_pin));
  return SetPin(client.name, key_ring, new_pin);
}

Status AuthService::SetPin(const std::string& client,
                           const std::string& key_ring,
                           const SecureString& pin) {
  KMS_RETURN_IF_ERROR(CheckPinPolicy(pin));
  KMS_RETURN_IF_ERROR(store_->GetClient(client).status());
  KMS_RETURN_IF_ERROR(store_->GetKeyRing(key_ring).status());
  PinRecord record;
  record.client = client;
  record.key_ring = key_ring;
  KMS_ASSIGN_OR_RETURN(record.pin_hash, HashPin(pin, config_.scrypt_log2_n));
  record.failed_attempts = 0;
  record.updated_at = NowMillis();
  return store_->SetPin(record);
}

Status AuthService::Unlock(const std::string& client,
                           const std::string& key_ring) {
  KMS_RETURN_IF_ERROR(store_->GetPin(client, key_ring).status());
  return store_->ResetPinFailures(client, key_ring);
}

Result<PinStatus> AuthService::GetPinStatus(const std::string& client,
                                            const std::string& key_ring) {
  PinStatus status;
  status.max_attempts = config_.max_pin_attempts;
  auto record = store_->GetPin(client, key_ring);
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::kNotFound) return status;
    return record.status();
  }
  status.set = true;
  status.failed_attempts = record->failed_attempts;
  status.locked = record->failed_attempts >= config_.max_pin_attempts;
  return status;
}

}  // namespace kms
