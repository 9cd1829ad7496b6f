// Key lifecycle (create, import, rotate, enable/disable, scheduled
// destruction) and access to usable key material. Material is sealed under
// the root of trust with the key ring, key id and version as associated
// data; unsealed material is cached in locked, wiped memory.
#ifndef KMS_SERVER_KEYS_KEY_SERVICE_H_
#define KMS_SERVER_KEYS_KEY_SERVICE_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "server/config/server_config.h"
#include "server/crypto/key_material.h"
#include "server/root_of_trust/root_of_trust.h"
#include "server/storage/store.h"

namespace kms {

struct CreateKeyRequest {
  std::string label;
  Algorithm algorithm = Algorithm::kAes256;
  std::optional<uint32_t> usages;  // default: DefaultUsages(algorithm)
  int64_t rotation_period_seconds = 0;
  bool exportable = false;
};

enum class VersionAction { kEnable, kDisable, kDestroy, kCancelDestroy };

struct UsableKey {
  KeyRecord key;
  KeyVersionRecord version;
  std::shared_ptr<const KeyMaterial> material;
};

// Names of key rings and labels: 1-64 characters of [A-Za-z0-9._-] for key
// rings; labels are 1-128 bytes of printable UTF-8.
Status ValidateKeyRingName(const std::string& name);
Status ValidateLabel(const std::string& label);

class KeyService {
 public:
  KeyService(Store* store, RootOfTrust* root, KeysConfig config)
      : store_(store), root_(root), config_(config) {}

  Result<KeyRingRecord> CreateKeyRing(const std::string& name,
                                      std::optional<int64_t> destroy_wait,
                                      bool allow_import);
  Result<KeyRecord> CreateKey(const std::string& key_ring,
                              const CreateKeyRequest& request);
  // kImportNotAllowed unless the key ring allows import.
  Result<KeyRecord> ImportKey(const std::string& key_ring,
                              const CreateKeyRequest& request,
                              const KeyMaterial& material);
  Result<KeyRecord> UpdateKey(const std::string& key_ring,
                              const std::string& id,
                              const std::optional<std::string>& label,
                              std::optional<int64_t> rotation_period_seconds);
  Result<KeyRecord> Rotate(const std::string& key_ring, const std::string& id);
  Result<KeyVersionRecord> ChangeVersion(const std::string& key_ring,
                                         const std::string& id, int version,
                                         VersionAction action);
  // Schedules (or cancels) destruction of every version and hides the key.
  Result<KeyRecord> DestroyKey(const std::string& key_ring,
                               const std::string& id);
  Result<KeyRecord> CancelDestroyKey(const std::string& key_ring,
                                     const std::string& id);

  // The named version (or the primary) for an operation needing `usage`:
  // kUsageNotAllowed, kVersionDisabled, kVersionDestroyed, kNotFound.
  Result<UsableKey> LoadForUse(const std::string& key_ring,
                               const std::string& id,
                               std::optional<int> version, uint32_t usage);
  // Like LoadForUse, for the key being wrapped: kNotExportable unless the
  // key was created exportable.
  Result<UsableKey> LoadForExport(const std::string& key_ring,
                                  const std::string& id,
                                  std::optional<int> version);

  // Erases the material of a version whose waiting period has passed
  // (kFailedPrecondition if it is not, or no longer, due).
  Status CompleteDestruction(const KeyVersionRecord& due, int64_t now);

  void FlushCache();

 private:
  Result<KeyRecord> StoreNewKey(const std::string& key_ring,
                                const CreateKeyRequest& request,
                                const KeyMaterial& material, bool imported);
  Result<KeyVersionRecord> SealVersion(const KeyRecord& key, int version,
                                       const KeyMaterial& material);
  Result<int64_t> DestroyWaitSeconds(const std::string& key_ring);
  Status Erase(KeyVersionRecord& version);
  Result<std::shared_ptr<const KeyMaterial>> Material(
      const KeyRecord& key, const KeyVersionRecord& version);
  void Evict(const KeyVersionRecord& version);
  Status CheckRotationPeriod(int64_t seconds) const;

  Store* store_;
  RootOfTrust* root_;
  KeysConfig config_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const KeyMaterial>> cache_;
};

// Associated data binding sealed material to its place.
Bytes SealContext(const std::string& key_ring, const std::string& key_id,
                  int version);

}  // namespace kms

#endif  // KMS_SERVER_KEYS_KEY_SERVICE_H_
