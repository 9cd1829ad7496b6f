// A Store that remembers the records every API request reads (the client
// behind a certificate, the bearer token, the grant, the key ring, the key
// and its version) in front of another Store, so that a key operation
// reads nothing from the database and waits for no disk sync but its own
// audit record.
//
// Every change goes through this object, which forgets the records it
// touches once the change is made, so a revoked grant, a deleted token or a
// disabled version is seen by the very next request. That is only true
// while this process is the database's only writer — one kmsd per SQLite
// file. A backend shared by several servers (PostgreSQL replicas) would need
// a short time-to-live on every entry instead.
//
// PINs are not cached: login and lock-out always read the database.
#ifndef KMS_SERVER_STORAGE_CACHING_STORE_H_
#define KMS_SERVER_STORAGE_CACHING_STORE_H_

#include <memory>
#include <string>

#include "server/storage/record_cache.h"
#include "server/storage/store.h"

namespace kms {

class CachingStore final : public Store {
 public:
  // `capacity`: entries per kind of record; 0 caches nothing.
  CachingStore(std::unique_ptr<Store> inner, size_t capacity);

  int schema_version() override { return inner_->schema_version(); }
  std::string backend() const override { return inner_->backend(); }

  Status CreateKeyRing(const KeyRingRecord& ring) override;
  Result<KeyRingRecord> GetKeyRing(const std::string& name) override;
  Result<std::vector<KeyRingRecord>> ListKeyRings() override {
    return inner_->ListKeyRings();
  }
  Status UpdateKeyRing(const KeyRingRecord& ring) override;

  Status CreateKey(const KeyRecord& key,
                   const KeyVersionRecord& first) override;
  Result<KeyRecord> GetKey(const std::string& key_ring,
                           const std::string& id) override;
  Result<std::vector<KeyRecord>> ListKeys(const std::string& key_ring,
                                          const KeyFilter& filter) override {
    return inner_->ListKeys(key_ring, filter);
  }
  Status UpdateKey(const KeyRecord& key) override;
  Status AddVersion(const KeyRecord& updated_key,
                    const KeyVersionRecord& version) override;
  Result<KeyVersionRecord> GetVersion(const std::string& key_ring,
                                      const std::string& key_id,
                                      int version) override;
  Result<std::vector<KeyVersionRecord>> ListVersions(
      const std::string& key_ring, const std::string& key_id) override {
    return inner_->ListVersions(key_ring, key_id);
  }
  Status UpdateVersion(const KeyVersionRecord& version) override;
  Result<std::vector<KeyRecord>> KeysDueForRotation(int64_t now) override {
    return inner_->KeysDueForRotation(now);
  }
  Result<std::vector<KeyVersionRecord>> VersionsDueForDestruction(
      int64_t now) override {
    return inner_->VersionsDueForDestruction(now);
  }
  Result<std::map<std::string, int64_t>> CountVersionsByState() override {
    return inner_->CountVersionsByState();
  }

  // Objects are read by listing, rarely one by one: not cached.
  Status CreateObject(const ObjectRecord& object) override {
    return inner_->CreateObject(object);
  }
  Result<ObjectRecord> GetObject(const std::string& key_ring,
                                 const std::string& id) override {
    return inner_->GetObject(key_ring, id);
  }
  Result<std::vector<ObjectRecord>> ListObjects(
      const std::string& key_ring) override {
    return inner_->ListObjects(key_ring);
  }
  Status UpdateObject(const ObjectRecord& object) override {
    return inner_->UpdateObject(object);
  }
  Status DeleteObject(const std::string& key_ring,
                      const std::string& id) override {
    return inner_->DeleteObject(key_ring, id);
  }

  Status CreateClient(const ClientRecord& client) override;
  Result<ClientRecord> GetClient(const std::string& name) override;
  Result<ClientRecord> FindClientByCertificate(
      const std::string& fingerprint, const std::string& subject) override;
  Result<std::vector<ClientRecord>> ListClients() override {
    return inner_->ListClients();
  }
  Status SetGrant(const GrantRecord& grant) override;
  Result<GrantRecord> GetGrant(const std::string& client,
                               const std::string& key_ring) override;
  Result<std::vector<GrantRecord>> ListGrants(
      const std::string& client) override {
    return inner_->ListGrants(client);
  }
  Status SetPin(const PinRecord& pin) override { return inner_->SetPin(pin); }
  Result<PinRecord> GetPin(const std::string& client,
                           const std::string& key_ring) override {
    return inner_->GetPin(client, key_ring);
  }
  Result<int> RecordPinFailure(const std::string& client,
                               const std::string& key_ring) override {
    return inner_->RecordPinFailure(client, key_ring);
  }
  Status ResetPinFailures(const std::string& client,
                          const std::string& key_ring) override {
    return inner_->ResetPinFailures(client, key_ring);
  }
  Status StoreToken(const TokenRecord& token) override;
  Result<TokenRecord> GetToken(const std::string& token_hash) override;
  Status DeleteToken(const std::string& token_hash) override;
  Status DeleteExpiredTokens(int64_t now) override;

  Status AppendAudit(const AuditRecord& record) override {
    return inner_->AppendAudit(record);
  }
  Status AppendAuditBatch(const std::vector<AuditRecord>& records) override {
    return inner_->AppendAuditBatch(records);
  }
  Result<std::optional<AuditRecord>> LastAudit() override {
    return inner_->LastAudit();
  }
  Result<std::vector<AuditRecord>> ListAudit(int64_t after_seq,
                                             int limit) override {
    return inner_->ListAudit(after_seq, limit);
  }
  Result<int64_t> CountAudit() override { return inner_->CountAudit(); }

  Result<Bytes> ExportSnapshot() override { return inner_->ExportSnapshot(); }
  // Replaces everything: forgets everything.
  Status ImportSnapshot(ByteView snapshot) override;

 private:
  void ForgetAll();

  std::unique_ptr<Store> inner_;
  RecordCache<KeyRingRecord> key_rings_;
  RecordCache<KeyRecord> keys_;
  RecordCache<KeyVersionRecord> versions_;
  RecordCache<ClientRecord> clients_;          // by name
  RecordCache<ClientRecord> clients_by_cert_;  // by fingerprint, subject
  RecordCache<GrantRecord> grants_;
  RecordCache<TokenRecord> tokens_;  // by hash; expiry is checked by callers
};

}  // namespace kms

#endif  // KMS_SERVER_STORAGE_CACHING_STORE_H_
