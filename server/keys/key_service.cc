#include "server/keys/key_service.h"

#include <openssl/rand.h>

#include <algorithm>

#include "common/encoding.h"
#include "common/logging.h"
#include "common/time_util.h"

namespace kms {
namespace {

// Bounded so that cached private keys fit in OpenSSL's secure heap.
constexpr size_t kMaxCachedVersions = 4096;
constexpr int64_t kMinDestroyWaitSeconds = 86400;

Result<std::string> NewKeyId() {
  uint8_t raw[8];
  if (RAND_bytes(raw, sizeof(raw)) != 1) {
    return Error(ErrorCode::kInternal, "RNG failure");
  }
  return "k" + HexEncode(raw);
}

std::string CacheKey(const KeyVersionRecord& v) {
  return v.key_ring + "/" + v.key_id + "/" + std::to_string(v.version);
}

Status UsableState(const KeyVersionRecord& v) {
  switch (v.state) {
    case VersionState::kEnabled:
      return Status::Ok();
    case VersionState::kDisabled:
      return Error(ErrorCode::kVersionDisabled,
                   "version " + std::to_string(v.version) + " of key '" +
                       v.key_id + "' is disabled");
    case VersionState::kDestroyScheduled:
      return Error(ErrorCode::kVersionDisabled,
                   "version " + std::to_string(v.version) + " of key '" +
                       v.key_id + "' is scheduled for destruction");
    case VersionState::kDestroyed:
      return Error(ErrorCode::kVersionDestroyed,
                   "version " + std::to_string(v.version) + " of key '" +
                       v.key_id + "' is destroyed");
  }
  return Error(ErrorCode::kInternal, "unknown version state");
}

}  // namespace

Bytes SealContext(const std::string& key_ring, const std::string& key_id,
                  int version) {
  std::string context =
      "kms-key-v1|" + key_ring + "|" + key_id + "|" + std::to_string(version);
  return Bytes(context.begin(), context.end());
}

Status ValidateKeyRingName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                     c == '-';
            });
  if (!ok) {
    return Error(ErrorCode::kInvalidArgument,
                 "key ring name must be 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  return Status::Ok();
}

Status ValidateLabel(const std::string& label) {
  bool ok = !label.empty() && label.size() <= 128 &&
            std::none_of(label.begin(), label.end(), [](char c) {
              return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
            });
  if (!ok) {
    return Error(ErrorCode::kInvalidArgument,
                 "label must be 1-128 bytes without control characters");
  }
  return Status::Ok();
}

Status KeyService::CheckRotationPeriod(int64_t seconds) const {
  if (seconds != 0 && (seconds < config_.min_rotation_period_seconds ||
                       seconds > int64_t{100} * 365 * 86400)) {
    return Error(ErrorCode::kInvalidArgument,
                 "rotation_period_seconds must be 0 (none) or at least " +
                     std::to_string(config_.min_rotation_period_seconds));
  }
  return Status::Ok();
}

Result<KeyRingRecord> KeyService::CreateKeyRing(
    const std::string& name, std::optional<int64_t> destroy_wait,
    bool allow_import) {
  KMS_RETURN_IF_ERROR(ValidateKeyRingName(name));
  int64_t minimum = config_.allow_short_destroy_wait ? 0 : kMinDestroyWaitSeconds;
  if (destroy_wait && (*destroy_wait < minimum ||
                       *destroy_wait > int64_t{3650} * 86400)) {
    return Error(ErrorCode::kInvalidArgument,
                 "destroy_wait_seconds must be between " +
                     std::to_string(minimum) + " and 315360000");
  }
  KeyRingRecord ring;
  ring.name = name;
  ring.destroy_wait_seconds = destroy_wait.value_or(-1);
  ring.allow_import = allow_import;
  ring.created_at = NowMillis();
  KMS_RETURN_IF_ERROR(store_->CreateKeyRing(ring));
  return ring;
}

Result<KeyVersionRecord> KeyService::SealVersion(const KeyRecord& key,
                                                 int version,
                                                 const KeyMaterial& material) {
  KeyVersionRecord record;
  record.key_ring = key.key_ring;
  record.key_id = key.id;
  record.version = version;
  record.state = VersionState::kEnabled;
  record.created_at = NowMillis();
  KMS_ASSIGN_OR_RETURN(SecureBytes serialized, material.Serialize());
  KMS_ASSIGN_OR_RETURN(
      record.sealed_material,
      root_->Seal(View(serialized), View(SealContext(key.key_ring, key.id,
                                                     version))));
  if (!IsSymmetric(material.algorithm())) {
    KMS_ASSIGN_OR_RETURN(record.public_key_der, material.PublicKeyDer());
  }
  return record;
}

Result<KeyRecord> KeyService::StoreNewKey(const std::string& key_ring,
                                          const CreateKeyRequest& request,
                                          const KeyMaterial& material,
                                          bool imported) {
  KMS_RETURN_IF_ERROR(ValidateLabel(request.label));
  KMS_RETURN_IF_ERROR(CheckRotationPeriod(request.rotation_period_seconds));
  uint32_t usages = request.usages.value_or(DefaultUsages(request.algorithm));
  if (usages == 0 || (usages & ~PossibleUsages(request.algorithm)) != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "usages not possible for " +
                     std::string(AlgorithmName(request.algorithm)));
  }
  if (request.rotation_period_seconds != 0 && !IsSymmetric(request.algorithm)) {
    // Rotating an asymmetric key changes its public key under the
    // application's feet; allowed, but worth knowing in the logs.
    KMS_LOG(kInfo) << "automatic rotation set on an asymmetric key";
  }
  KMS_RETURN_IF_ERROR(store_->GetKeyRing(key_ring).status());
  KeyRecord key;
  key.key_ring = key_ring;
  KMS_ASSIGN_OR_RETURN(key.id, NewKeyId());
  key.label = request.label;
  key.algorithm = std::string(AlgorithmName(request.algorithm));
  key.usages = usages;
  key.rotation_period_seconds = request.rotation_period_seconds;
  key.exportable = request.exportable;
  key.imported = imported;
  key.primary_version = 1;
  key.created_at = NowMillis();
  if (key.rotation_period_seconds > 0) {
    key.next_rotation_at =
        key.created_at + key.rotation_period_seconds * 1000;
  }
  KMS_ASSIGN_OR_RETURN(KeyVersionRecord first, SealVersion(key, 1, material));
  KMS_RETURN_IF_ERROR(store_->CreateKey(key, first));
  return key;
}

Result<KeyRecord> KeyService::CreateKey(const std::string& key_ring,
                                        const CreateKeyRequest& request) {
  KMS_RETURN_IF_ERROR(ValidateLabel(request.label));
  KMS_RETURN_IF_ERROR(store_->GetKeyRing(key_ring).status());
  KMS_ASSIGN_OR_RETURN(KeyMaterial material,
                       KeyMaterial::Generate(request.algorithm));
  return StoreNewKey(key_ring, request, material, false);
}

Result<KeyRecord> KeyService::ImportKey(const std::string& key_ring,
                                        const CreateKeyRequest& request,
                                        const KeyMaterial& material) {
  KMS_ASSIGN_OR_RETURN(KeyRingRecord ring, store_->GetKeyRing(key_ring));
  if (!ring.allow_import) {
    return Error(ErrorCode::kImportNotAllowed,
                 "key ring '" + key_ring + "' does not allow import");
  }
  if (material.algorithm() != request.algorithm) {
    return Error(ErrorCode::kInvalidArgument,
                 "material does not match the algorithm");
  }
  return StoreNewKey(key_ring, request, material, true);
}

Result<KeyRecord> KeyService::UpdateKey(
    const std::string& key_ring, const std::string& id,
    const std::optional<std::string>& label,
    std::optional<int64_t> rotation_period_seconds) {
  KMS_ASSIGN_OR_RETURN(KeyRecord key, store_->GetKey(key_ring, id));
  if (label) {
    KMS_RETURN_IF_ERROR(ValidateLabel(*label));
    key.label = *label;
  }
  if (rotation_period_seconds) {
    KMS_RETURN_IF_ERROR(CheckRotationPeriod(*rotation_period_seconds));
    key.rotation_period_seconds = *rotation_period_seconds;
    key.next_rotation_at =
        key.rotation_period_seconds > 0
            ? NowMillis() + key.rotation_period_seconds * 1000
            : 0;
  }
  KMS_RETURN_IF_ERROR(store_->UpdateKey(key));
  return key;
}

Result<KeyRecord> KeyService::Rotate(const std::string& key_ring,
                                     const std::string& id) {
  KMS_ASSIGN_OR_RETURN(KeyRecord key, store_->GetKey(key_ring, id));
  if (key.deleted) {
    return Error(ErrorCode::kFailedPrecondition,
                 "key '" + id + "' is scheduled for destruction");
  }
  KMS_ASSIGN_OR_RETURN(Algorithm algorithm, ParseAlgorithm(key.algorithm));
  KMS_ASSIGN_OR_RETURN(auto versions, store_->ListVersions(key_ring, id));
  int next = 1;
  for (const auto& v : versions) next = std::max(next, v.version + 1);
  KMS_ASSIGN_OR_RETURN(KeyMaterial material, KeyMaterial::Generate(algorithm));
  KMS_ASSIGN_OR_RETURN(KeyVersionRecord version,
                       SealVersion(key, next, material));
  key.primary_version = next;
  if (key.rotation_period_seconds > 0) {
    key.next_rotation_at = NowMillis() + key.rotation_period_seconds * 1000;
  }
  KMS_RETURN_IF_ERROR(store_->AddVersion(key, version));
  return key;
}

Result<int64_t> KeyService::DestroyWaitSeconds(const std::string& key_ring) {
  KMS_ASSIGN_OR_RETURN(KeyRingRecord ring, store_->GetKeyRing(key_ring));
  return ring.destroy_wait_seconds >= 0 ? ring.destroy_wait_seconds
                                        : config_.destroy_wait_seconds;
}

Status KeyService::Erase(KeyVersionRecord& version) {
  SecureWipe(version.sealed_material.data(), version.sealed_material.size());
  version.sealed_material.clear();
  version.state = VersionState::kDestroyed;
  version.destroyed_at = NowMillis();
  KMS_RETURN_IF_ERROR(store_->UpdateVersion(version));
  Evict(version);
  return Status::Ok();
}

Result<KeyVersionRecord> KeyService::ChangeVersion(const std::string& key_ring,
                                                   const std::string& id,
                                                   int number,
                                                   VersionAction action) {
  KMS_ASSIGN_OR_RETURN(KeyVersionRecord v,
                       store_->GetVersion(key_ring, id, number));
  auto refuse = [&](const std::string& why) {
    return Error(ErrorCode::kFailedPrecondition,
                 "version " + std::to_string(number) + " is " +
                     VersionStateName(v.state) + ": " + why);
  };
  switch (action) {
    case VersionAction::kEnable:
      if (v.state == VersionState::kEnabled) return v;
      if (v.state != VersionState::kDisabled) {
        return refuse("only a disabled version can be enabled");
      }
      v.state = VersionState::kEnabled;
      break;
    case VersionAction::kDisable:
      if (v.state == VersionState::kDisabled) return v;
      if (v.state != VersionState::kEnabled) {
        return refuse("only an enabled version can be disabled");
      }
      v.state = VersionState::kDisabled;
      break;
    case VersionAction::kDestroy: {
      if (v.state == VersionState::kDestroyScheduled) return v;
      if (v.state == VersionState::kDestroyed) {
        return refuse("already destroyed");
      }
      KMS_ASSIGN_OR_RETURN(int64_t wait, DestroyWaitSeconds(key_ring));
      v.state_before_destroy = v.state;
      v.state = VersionState::kDestroyScheduled;
      v.destroy_at = NowMillis() + wait * 1000;
      if (wait == 0) {
        KMS_RETURN_IF_ERROR(Erase(v));
        return v;
      }
      break;
    }
    case VersionAction::kCancelDestroy: {
      if (v.state != VersionState::kDestroyScheduled) {
        return refuse("only a version scheduled for destruction can be "
                      "restored");
      }
      v.state = v.state_before_destroy;
      v.destroy_at = 0;
      // A usable version makes a key destroyed as a whole visible again.
      KMS_ASSIGN_OR_RETURN(KeyRecord key, store_->GetKey(key_ring, id));
      if (key.deleted) {
        key.deleted = false;
        KMS_RETURN_IF_ERROR(store_->UpdateKey(key));
      }
      break;
    }
  }
  KMS_RETURN_IF_ERROR(store_->UpdateVersion(v));
  if (v.state != VersionState::kEnabled) Evict(v);
  return v;
}

Result<KeyRecord> KeyService::DestroyKey(const std::string& key_ring,
                                         const std::string& id) {
  KMS_ASSIGN_OR_RETURN(KeyRecord key, store_->GetKey(key_ring, id));
  KMS_ASSIGN_OR_RETURN(auto versions, store_->ListVersions(key_ring, id));
  key.deleted = true;
  KMS_RETURN_IF_ERROR(store_->UpdateKey(key));
  for (const auto& v : versions) {
    if (v.state == VersionState::kEnabled ||
        v.state == VersionState::kDisabled) {
      KMS_RETURN_IF_ERROR(
          ChangeVersion(key_ring, id, v.version, VersionAction::kDestroy)
              .status());
    }
  }
  return key;
}

Result<KeyRecord> KeyService::CancelDestroyKey(const std::string& key_ring,
                                               const std::string& id) {
  KMS_ASSIGN_OR_RETURN(KeyRecord key, store_->GetKey(key_ring, id));
  KMS_ASSIGN_OR_RETURN(auto versions, store_->ListVersions(key_ring, id));
  bool any_left = false;
  for (const auto& v : versions) {
    if (v.state == VersionState::kDestroyScheduled) {
      KMS_RETURN_IF_ERROR(
          ChangeVersion(key_ring, id, v.version, VersionAction::kCancelDestroy)
              .status());
      any_left = true;
    } else if (v.state != VersionState::kDestroyed) {
      any_left = true;
    }
  }
  if (!any_left) {
    return Error(ErrorCode::kFailedPrecondition,
                 "every version of key '" + id + "' is already destroyed");
  }
  key.deleted = false;
  KMS_RETURN_IF_ERROR(store_->UpdateKey(key));
  return key;
}

Result<std::shared_ptr<const KeyMaterial>> KeyService::Material(
    const KeyRecord& key, const KeyVersionRecord& version) {
  std::string cache_key = CacheKey(version);
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end()) return it->second;
  }
  KMS_ASSIGN_OR_RETURN(Algorithm algorithm, ParseAlgorithm(key.algorithm));
  KMS_ASSIGN_OR_RETURN(
      SecureBytes serialized,
      root_->Unseal(View(version.sealed_material),
                    View(SealContext(key.key_ring, key.id, version.version))));
  KMS_ASSIGN_OR_RETURN(KeyMaterial material,
                       KeyMaterial::Deserialize(algorithm, View(serialized)));
  auto shared = std::make_shared<const KeyMaterial>(std::move(material));
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cache_.size() >= kMaxCachedVersions) cache_.clear();
  cache_[cache_key] = shared;
  return shared;
}

void KeyService::Evict(const KeyVersionRecord& version) {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  cache_.erase(CacheKey(version));
}

void KeyService::FlushCache() {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  cache_.clear();
}

Result<UsableKey> KeyService::LoadForUse(const std::string& key_ring,
                                         const std::string& id,
                                         std::optional<int> version,
                                         uint32_t usage) {
  UsableKey usable;
  KMS_ASSIGN_OR_RETURN(usable.key, store_->GetKey(key_ring, id));
  if (usage != 0 && (usable.key.usages & usage) != usage) {
    return Error(ErrorCode::kUsageNotAllowed,
                 "key '" + id + "' does not allow this operation (usages: " +
                     [&] {
                       std::string s;
                       for (const auto& n : UsageNames(usable.key.usages)) {
                         s += (s.empty() ? "" : ",") + n;
                       }
                       return s;
                     }() +
                     ")");
  }
  KMS_ASSIGN_OR_RETURN(
      usable.version,
      store_->GetVersion(key_ring, id,
                         version.value_or(usable.key.primary_version)));
  KMS_RETURN_IF_ERROR(UsableState(usable.version));
  KMS_ASSIGN_OR_RETURN(usable.material, Material(usable.key, usable.version));
  return usable;
}

Result<UsableKey> KeyService::LoadForExport(const std::string& key_ring,
                                            const std::string& id,
                                            std::optional<int> version) {
  KMS_ASSIGN_OR_RETURN(UsableKey usable, LoadForUse(key_ring, id, version, 0));
  if (!usable.key.exportable) {
    return Error(ErrorCode::kNotExportable,
                 "key '" + id + "' was not created exportable");
  }
  return usable;
}

Status KeyService::CompleteDestruction(const KeyVersionRecord& due,
                                      int64_t now) {
  // Re-read: the destruction may have been cancelled since it was listed.
  KMS_ASSIGN_OR_RETURN(KeyVersionRecord current,
                       store_->GetVersion(due.key_ring, due.key_id, due.version));
  if (current.state != VersionState::kDestroyScheduled ||
      current.destroy_at > now) {
    return Error(ErrorCode::kFailedPrecondition,
                 "version is no longer due for destruction");
  }
  return Erase(current);
}

}  // namespace kms
