// Login PINs (with failure counting) and bearer tokens.
#include "server/storage/sqlite_store.h"

namespace kms {
namespace {

std::string NoPinMessage(const std::string& client,
                         const std::string& key_ring) {
  return "no PIN set for client '" + client + "' on key ring '" + key_ring +
         "'";
}

// Token hashes are not secrets, but they are credentials' handles; keep
// them out of messages that end up in logs.
Status TokenNotFound() {
  return Error(ErrorCode::kNotFound, "token not found");
}

}  // namespace

Status SqliteStore::SetPin(const PinRecord& pin) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(cache_));
    KMS_RETURN_IF_ERROR(RequireClient(pin.client));
    KMS_RETURN_IF_ERROR(RequireKeyRing(pin.key_ring));
    {
      KMS_ASSIGN_OR_RETURN(
          BoundStatement upsert,
          Prepare("INSERT INTO pins (client, key_ring, pin_hash, "
                  "failed_attempts, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                  "ON CONFLICT (client, key_ring) DO UPDATE SET "
                  "pin_hash = excluded.pin_hash, "
                  "failed_attempts = excluded.failed_attempts, "
                  "updated_at = excluded.updated_at"));
      upsert.Bind(1, pin.client)
          .Bind(2, pin.key_ring)
          .Bind(3, pin.pin_hash)
          .Bind(4, pin.failed_attempts)
          .Bind(5, pin.updated_at);
      KMS_RETURN_IF_ERROR(upsert.Run());
    }
    return txn.Commit();
  });
}

Result<PinRecord> SqliteStore::GetPin(const std::string& client,
                                      const std::string& key_ring) {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT client, key_ring, pin_hash, failed_attempts, updated_at "
              "FROM pins WHERE client = ?1 AND key_ring = ?2"));
  query.Bind(1, client).Bind(2, key_ring);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found)
    return Error(ErrorCode::kNotFound, NoPinMessage(client, key_ring));
  PinRecord pin;
  pin.client = query.Text(0);
  pin.key_ring = query.Text(1);
  pin.pin_hash = query.Text(2);
  pin.failed_attempts = query.Int(3);
  pin.updated_at = query.Int64(4);
  return pin;
}

Result<int> SqliteStore::RecordPinFailure(const std::string& client,
                                          const std::string& key_ring) {
  return Durably([&]() -> Result<int> {
    std::lock_guard lock(mu_);
    // One statement: the increment and the read of the new count cannot be
    // separated by another process's failure.
    KMS_ASSIGN_OR_RETURN(
        BoundStatement update,
        Prepare("UPDATE pins SET failed_attempts = failed_attempts + 1 "
                "WHERE client = ?1 AND key_ring = ?2 "
                "RETURNING failed_attempts"));
    update.Bind(1, client).Bind(2, key_ring);
    KMS_ASSIGN_OR_RETURN(bool found, update.Step());
    if (!found)
      return Error(ErrorCode::kNotFound, NoPinMessage(client, key_ring));
    int count = update.Int(0);
    KMS_ASSIGN_OR_RETURN(bool more, update.Step());
    (void)more;  // the primary key allows one row; stepping ends the statement
    return count;
  });
}

Status SqliteStore::ResetPinFailures(const std::string& client,
                                     const std::string& key_ring) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(BoundStatement update,
                         Prepare("UPDATE pins SET failed_attempts = 0 "
                                 "WHERE client = ?1 AND key_ring = ?2"));
    update.Bind(1, client).Bind(2, key_ring);
    KMS_RETURN_IF_ERROR(update.Run());
    if (update.changes() == 0) {
      return Error(ErrorCode::kNotFound, NoPinMessage(client, key_ring));
    }
    return Status::Ok();
  });
}

Status SqliteStore::StoreToken(const TokenRecord& token) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(cache_));
    KMS_RETURN_IF_ERROR(RequireClient(token.client));
    {
      KMS_ASSIGN_OR_RETURN(
          BoundStatement insert,
          Prepare("INSERT INTO tokens (token_hash, client, key_ring, "
                  "expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
      insert.Bind(1, token.token_hash)
          .Bind(2, token.client)
          .Bind(3, token.key_ring)
          .Bind(4, token.expires_at)
          .Bind(5, token.created_at);
      Status status = insert.Run();
      if (status.code() == ErrorCode::kAlreadyExists) {
        return Error(ErrorCode::kAlreadyExists, "token already exists");
      }
      KMS_RETURN_IF_ERROR(status);
    }
    return txn.Commit();
  });
}

Result<TokenRecord> SqliteStore::GetToken(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT token_hash, client, key_ring, expires_at, created_at "
              "FROM tokens WHERE token_hash = ?1"));
  query.Bind(1, token_hash);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return TokenNotFound();
  TokenRecord token;
  token.token_hash = query.Text(0);
  token.client = query.Text(1);
  token.key_ring = query.Text(2);
  token.expires_at = query.Int64(3);
  token.created_at = query.Int64(4);
  return token;
}

Status SqliteStore::DeleteToken(const std::string& token_hash) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(BoundStatement del,
                         Prepare("DELETE FROM tokens WHERE token_hash = ?1"));
    del.Bind(1, token_hash);
    KMS_RETURN_IF_ERROR(del.Run());
    if (del.changes() == 0) return TokenNotFound();
    return Status::Ok();
  });
}

Status SqliteStore::DeleteExpiredTokens(int64_t now) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(BoundStatement del,
                         Prepare("DELETE FROM tokens WHERE expires_at <= ?1"));
    del.Bind(1, now);
    return del.Run();
  });
}

}  // namespace kms
