// The storage interface. SQLite is the embedded default; PostgreSQL (a later
// backend) implements the same interface, and every storage test runs
// against each backend. Each method is atomic; an Ok return means the change
// is durable (survives kill -9 and power loss).
#ifndef KMS_SERVER_STORAGE_STORE_H_
#define KMS_SERVER_STORAGE_STORE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/storage/records.h"

namespace kms {

struct KeyFilter {
  std::optional<std::string> label;
  bool include_deleted = false;
  std::string after_id;  // paging: ids greater than this
  int limit = 1000;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual int schema_version() = 0;
  virtual std::string backend() const = 0;  // "sqlite"

  // Key rings. kAlreadyExists / kNotFound.
  virtual Status CreateKeyRing(const KeyRingRecord& ring) = 0;
  virtual Result<KeyRingRecord> GetKeyRing(const std::string& name) = 0;
  virtual Result<std::vector<KeyRingRecord>> ListKeyRings() = 0;
  virtual Status UpdateKeyRing(const KeyRingRecord& ring) = 0;

  // Keys and versions. CreateKey inserts the key and its first version
  // together. AddVersion inserts a version and updates the key (primary,
  // next rotation) together.
  virtual Status CreateKey(const KeyRecord& key,
                           const KeyVersionRecord& first) = 0;
  virtual Result<KeyRecord> GetKey(const std::string& key_ring,
                                   const std::string& id) = 0;
  virtual Result<std::vector<KeyRecord>> ListKeys(const std::string& key_ring,
                                                  const KeyFilter& filter) = 0;
  virtual Status UpdateKey(const KeyRecord& key) = 0;
  virtual Status AddVersion(const KeyRecord& updated_key,
                            const KeyVersionRecord& version) = 0;
  virtual Result<KeyVersionRecord> GetVersion(const std::string& key_ring,
                                              const std::string& key_id,
                                              int version) = 0;
  virtual Result<std::vector<KeyVersionRecord>> ListVersions(
      const std::string& key_ring, const std::string& key_id) = 0;
  virtual Status UpdateVersion(const KeyVersionRecord& version) = 0;
  virtual Result<std::vector<KeyRecord>> KeysDueForRotation(int64_t now) = 0;
  virtual Result<std::vector<KeyVersionRecord>> VersionsDueForDestruction(
      int64_t now) = 0;
  // Number of versions per state name, over all key rings.
  virtual Result<std::map<std::string, int64_t>> CountVersionsByState() = 0;

  // Non-key objects.
  virtual Status CreateObject(const ObjectRecord& object) = 0;
  virtual Result<ObjectRecord> GetObject(const std::string& key_ring,
                                         const std::string& id) = 0;
  virtual Result<std::vector<ObjectRecord>> ListObjects(
      const std::string& key_ring) = 0;
  virtual Status UpdateObject(const ObjectRecord& object) = 0;
  virtual Status DeleteObject(const std::string& key_ring,
                              const std::string& id) = 0;

  // Clients, grants, PINs and tokens.
  virtual Status CreateClient(const ClientRecord& client) = 0;
  virtual Result<ClientRecord> GetClient(const std::string& name) = 0;
  // By fingerprint first, then by subject common name; kNotFound if neither.
  virtual Result<ClientRecord> FindClientByCertificate(
      const std::string& fingerprint, const std::string& subject) = 0;
  virtual Result<std::vector<ClientRecord>> ListClients() = 0;
  // Upserts; permissions == 0 removes the grant.
  virtual Status SetGrant(const GrantRecord& grant) = 0;
  // permissions == 0 when there is no grant.
  virtual Result<GrantRecord> GetGrant(const std::string& client,
                                       const std::string& key_ring) = 0;
  virtual Result<std::vector<GrantRecord>> ListGrants(
      const std::string& client) = 0;
  virtual Status SetPin(const PinRecord& pin) = 0;  // upsert
  virtual Result<PinRecord> GetPin(const std::string& client,
                                   const std::string& key_ring) = 0;
  // Atomically increments failed_attempts and returns the new count.
  virtual Result<int> RecordPinFailure(const std::string& client,
                                       const std::string& key_ring) = 0;
  virtual Status ResetPinFailures(const std::string& client,
                                  const std::string& key_ring) = 0;
  virtual Status StoreToken(const TokenRecord& token) = 0;
  virtual Result<TokenRecord> GetToken(const std::string& token_hash) = 0;
  virtual Status DeleteToken(const std::string& token_hash) = 0;
  virtual Status DeleteExpiredTokens(int64_t now) = 0;

  // Audit trail. AppendAudit refuses a seq that is not last+1
  // (kFailedPrecondition), so concurrent writers cannot fork the chain.
  virtual Status AppendAudit(const AuditRecord& record) = 0;
  virtual Status AppendAuditBatch(const std::vector<AuditRecord>& records) = 0;
  virtual Result<std::optional<AuditRecord>> LastAudit() = 0;
  virtual Result<std::vector<AuditRecord>> ListAudit(int64_t after_seq,
                                                     int limit) = 0;
  virtual Result<int64_t> CountAudit() = 0;

  // Backup: a consistent copy of everything, taken online, as opaque bytes
  // (the caller seals them); Restore replaces the whole content with one.
  virtual Result<Bytes> ExportSnapshot() = 0;
  virtual Status ImportSnapshot(ByteView snapshot) = 0;
};

// Opens (creating if needed) a SQLite database at path in WAL mode (a file:
// synchronous=NORMAL plus group commit, see wal_sync.h; in-memory and URI
// databases: synchronous=FULL) and applies pending schema migrations.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace kms

#endif  // KMS_SERVER_STORAGE_STORE_H_
