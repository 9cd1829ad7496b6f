#include "server/storage/caching_store.h"

#include <utility>

namespace kms {
namespace {

// Names and ids never contain NUL (SQLite text), so joined keys are unique.
std::string Join(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (std::string_view part : parts) {
    key.append(part);
    key.push_back('\0');
  }
  return key;
}

std::string VersionKey(const std::string& key_ring, const std::string& key_id,
                       int version) {
  return Join({key_ring, key_id, std::to_string(version)});
}

// Only successful reads are remembered: "not found" may stop being true
// through a path (another table's change) that does not invalidate it.
template <typename Record, typename Load>
Result<Record> ReadThrough(RecordCache<Record>& cache, const std::string& key,
                           Load load) {
  uint64_t generation = 0;
  if (std::optional<Record> hit = cache.Find(key, &generation)) {
    return *std::move(hit);
  }
  Result<Record> loaded = load();
  if (loaded.ok()) cache.Fill(key, *loaded, generation);
  return loaded;
}

}  // namespace

CachingStore::CachingStore(std::unique_ptr<Store> inner, size_t capacity)
    : inner_(std::move(inner)),
      key_rings_(capacity),
      keys_(capacity),
      versions_(capacity),
      clients_(capacity),
      clients_by_cert_(capacity),
      grants_(capacity),
      tokens_(capacity) {}

// Writers change the database first and forget afterwards: a read that
// fetched the old record in between is refused by the cache (generation),
// and one that starts after the change reads the new record.

Status CachingStore::CreateKeyRing(const KeyRingRecord& ring) {
  Status status = inner_->CreateKeyRing(ring);
  key_rings_.Erase(ring.name);
  return status;
}

Result<KeyRingRecord> CachingStore::GetKeyRing(const std::string& name) {
  return ReadThrough(key_rings_, name,
                     [&] { return inner_->GetKeyRing(name); });
}

Status CachingStore::UpdateKeyRing(const KeyRingRecord& ring) {
  Status status = inner_->UpdateKeyRing(ring);
  key_rings_.Erase(ring.name);
  return status;
}

Status CachingStore::CreateKey(const KeyRecord& key,
                               const KeyVersionRecord& first) {
  Status status = inner_->CreateKey(key, first);
  keys_.Erase(Join({key.key_ring, key.id}));
  versions_.Erase(VersionKey(first.key_ring, first.key_id, first.version));
  return status;
}

Result<KeyRecord> CachingStore::GetKey(const std::string& key_ring,
                                       const std::string& id) {
  return ReadThrough(keys_, Join({key_ring, id}),
                     [&] { return inner_->GetKey(key_ring, id); });
}

Status CachingStore::UpdateKey(const KeyRecord& key) {
  Status status = inner_->UpdateKey(key);
  keys_.Erase(Join({key.key_ring, key.id}));
  return status;
}

Status CachingStore::AddVersion(const KeyRecord& updated_key,
                                const KeyVersionRecord& version) {
  Status status = inner_->AddVersion(updated_key, version);
  keys_.Erase(Join({updated_key.key_ring, updated_key.id}));
  versions_.Erase(
      VersionKey(version.key_ring, version.key_id, version.version));
  return status;
}

Result<KeyVersionRecord> CachingStore::GetVersion(const std::string& key_ring,
                                                  const std::string& key_id,
                                                  int version) {
  return ReadThrough(versions_, VersionKey(key_ring, key_id, version), [&] {
    return inner_->GetVersion(key_ring, key_id, version);
  });
}

Status CachingStore::UpdateVersion(const KeyVersionRecord& version) {
  Status status = inner_->UpdateVersion(version);
  versions_.Erase(
      VersionKey(version.key_ring, version.key_id, version.version));
  return status;
}

Status CachingStore::CreateClient(const ClientRecord& client) {
  Status status = inner_->CreateClient(client);
  clients_.Erase(client.name);
  // A new client can change which client a certificate maps to (a
  // fingerprint match wins over a subject match).
  clients_by_cert_.Clear();
  return status;
}

Result<ClientRecord> CachingStore::GetClient(const std::string& name) {
  return ReadThrough(clients_, name, [&] { return inner_->GetClient(name); });
}

Result<ClientRecord> CachingStore::FindClientByCertificate(
    const std::string& fingerprint, const std::string& subject) {
  return ReadThrough(clients_by_cert_, Join({fingerprint, subject}), [&] {
    return inner_->FindClientByCertificate(fingerprint, subject);
  });
}

Status CachingStore::SetGrant(const GrantRecord& grant) {
  Status status = inner_->SetGrant(grant);
  grants_.Erase(Join({grant.client, grant.key_ring}));
  return status;
}

Result<GrantRecord> CachingStore::GetGrant(const std::string& client,
                                           const std::string& key_ring) {
  return ReadThrough(grants_, Join({client, key_ring}),
                     [&] { return inner_->GetGrant(client, key_ring); });
}

Status CachingStore::StoreToken(const TokenRecord& token) {
  Status status = inner_->StoreToken(token);
  tokens_.Erase(token.token_hash);
  return status;
}

Result<TokenRecord> CachingStore::GetToken(const std::string& token_hash) {
  return ReadThrough(tokens_, token_hash,
                     [&] { return inner_->GetToken(token_hash); });
}

Status CachingStore::DeleteToken(const std::string& token_hash) {
  Status status = inner_->DeleteToken(token_hash);
  tokens_.Erase(token_hash);
  return status;
}

Status CachingStore::DeleteExpiredTokens(int64_t now) {
  Status status = inner_->DeleteExpiredTokens(now);
  // Expired tokens already fail validation; forgetting them makes them
  // "unknown" afterwards, exactly as the database says.
  tokens_.Clear();
  return status;
}

Status CachingStore::ImportSnapshot(ByteView snapshot) {
  Status status = inner_->ImportSnapshot(snapshot);
  ForgetAll();
  return status;
}

void CachingStore::ForgetAll() {
  key_rings_.Clear();
  keys_.Clear();
  versions_.Clear();
  clients_.Clear();
  clients_by_cert_.Clear();
  grants_.Clear();
  tokens_.Clear();
}

}  // namespace kms
