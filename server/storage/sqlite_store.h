// The SQLite Store: one connection in WAL mode, guarded by a mutex, with its
// prepared statements cached. Writes are made durable by group commit
// (WalSync) after the mutex is released. The implementation is split by record
// family across sqlite_store_*.cc; callers use OpenSqliteStore() from store.h.
#ifndef KMS_SERVER_STORAGE_SQLITE_STORE_H_
#define KMS_SERVER_STORAGE_SQLITE_STORE_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/storage/sqlite_handle.h"
#include "server/storage/store.h"
#include "server/storage/wal_sync.h"

namespace kms {

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& path);
  ~SqliteStore() override;

  int schema_version() override;
  std::string backend() const override { return "sqlite"; }

  Status CreateKeyRing(const KeyRingRecord& ring) override;
  Result<KeyRingRecord> GetKeyRing(const std::string& name) override;
  Result<std::vector<KeyRingRecord>> ListKeyRings() override;
  Status UpdateKeyRing(const KeyRingRecord& ring) override;

  Status CreateKey(const KeyRecord& key,
                   const KeyVersionRecord& first) override;
  Result<KeyRecord> GetKey(const std::string& key_ring,
                           const std::string& id) override;
  Result<std::vector<KeyRecord>> ListKeys(const std::string& key_ring,
                                          const KeyFilter& filter) override;
  Status UpdateKey(const KeyRecord& key) override;
  Status AddVersion(const KeyRecord& updated_key,
                    const KeyVersionRecord& version) override;
  Result<KeyVersionRecord> GetVersion(const std::string& key_ring,
                                      const std::string& key_id,
                                      int version) override;
  Result<std::vector<KeyVersionRecord>> ListVersions(
      const std::string& key_ring, const std::string& key_id) override;
  Status UpdateVersion(const KeyVersionRecord& version) override;
  Result<std::vector<KeyRecord>> KeysDueForRotation(int64_t now) override;
  Result<std::vector<KeyVersionRecord>> VersionsDueForDestruction(
      int64_t now) override;
  Result<std::map<std::string, int64_t>> CountVersionsByState() override;

  Status CreateObject(const ObjectRecord& object) override;
  Result<ObjectRecord> GetObject(const std::string& key_ring,
                                 const std::string& id) override;
  Result<std::vector<ObjectRecord>> ListObjects(
      const std::string& key_ring) override;
  Status UpdateObject(const ObjectRecord& object) override;
  Status DeleteObject(const std::string& key_ring,
                      const std::string& id) override;

  Status CreateClient(const ClientRecord& client) override;
  Result<ClientRecord> GetClient(const std::string& name) override;
  Result<ClientRecord> FindClientByCertificate(
      const std::string& fingerprint, const std::string& subject) override;
  Result<std::vector<ClientRecord>> ListClients() override;
  Status SetGrant(const GrantRecord& grant) override;
  Result<GrantRecord> GetGrant(const std::string& client,
                               const std::string& key_ring) override;
  Result<std::vector<GrantRecord>> ListGrants(
      const std::string& client) override;
  Status SetPin(const PinRecord& pin) override;
  Result<PinRecord> GetPin(const std::string& client,
                           const std::string& key_ring) override;
  Result<int> RecordPinFailure(const std::string& client,
                               const std::string& key_ring) override;
  Status ResetPinFailures(const std::string& client,
                          const std::string& key_ring) override;
  Status StoreToken(const TokenRecord& token) override;
  Result<TokenRecord> GetToken(const std::string& token_hash) override;
  Status DeleteToken(const std::string& token_hash) override;
  Status DeleteExpiredTokens(int64_t now) override;

  Status AppendAudit(const AuditRecord& record) override;
  Status AppendAuditBatch(const std::vector<AuditRecord>& records) override;
  Result<std::optional<AuditRecord>> LastAudit() override;
  Result<std::vector<AuditRecord>> ListAudit(int64_t after_seq,
                                             int limit) override;
  Result<int64_t> CountAudit() override;

  Result<Bytes> ExportSnapshot() override;
  Status ImportSnapshot(ByteView snapshot) override;

 private:
  SqliteStore(SqliteDb db, std::unique_ptr<WalSync> wal_sync);

  // Runs a write (which takes mu_ itself) and returns once it is durable.
  template <typename Write>
  auto Durably(Write write) -> decltype(write()) {
    auto result = write();
    if (!result.ok() || wal_sync_ == nullptr) return result;
    Status synced = wal_sync_->WaitDurable();
    if (!synced.ok()) return synced;
    return result;
  }

  // The helpers below expect mu_ to be held.
  Result<BoundStatement> Prepare(const char* sql) {
    return cache_.Prepare(sql);
  }
  Status RequireKeyRing(const std::string& name);
  Status RequireKey(const std::string& key_ring, const std::string& id);
  Status RequireClient(const std::string& name);
  Status InsertVersion(const KeyVersionRecord& version);
  Status WriteKey(const KeyRecord& key);
  Status InsertAudit(const AuditRecord& record, int64_t expected_seq);
  Result<int64_t> LastAuditSeq();

  std::mutex mu_;
  // Null when the connection syncs each commit itself (in-memory and URI
  // databases).
  std::unique_ptr<WalSync> wal_sync_;
  SqliteDb db_;
  // Declared after db_ so that statements are finalised before the
  // connection closes.
  StatementCache cache_;
};

}  // namespace kms

#endif  // KMS_SERVER_STORAGE_SQLITE_STORE_H_
