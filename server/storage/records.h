// Plain records the storage layer persists. Times are Unix milliseconds.
#ifndef KMS_SERVER_STORAGE_RECORDS_H_
#define KMS_SERVER_STORAGE_RECORDS_H_

#include <cstdint>
#include <string>

#include "common/secure_memory.h"

namespace kms {

struct KeyRingRecord {
  std::string name;
  // Waiting period before scheduled destruction erases material; -1 means
  // "the server's default".
  int64_t destroy_wait_seconds = -1;
  bool allow_import = false;
  int64_t created_at = 0;
};

struct KeyRecord {
  std::string key_ring;
  std::string id;  // short, unique within the server; at most 32 bytes
  std::string label;
  std::string algorithm;  // AlgorithmName()
  uint32_t usages = 0;    // Usage bitmask
  int64_t rotation_period_seconds = 0;  // 0: no automatic rotation
  int64_t next_rotation_at = 0;         // 0: none scheduled
  bool exportable = false;
  bool imported = false;
  int primary_version = 1;
  int64_t created_at = 0;
  // Set when every version was scheduled for destruction through the
  // key (C_DestroyObject): the key no longer appears in listings for
  // applications, but stays recoverable until the versions are destroyed.
  bool deleted = false;
};

// Version states (wire names): ENABLED, DISABLED, DESTROY_SCHEDULED,
// DESTROYED.
enum class VersionState { kEnabled, kDisabled, kDestroyScheduled, kDestroyed };
const char* VersionStateName(VersionState state);
bool ParseVersionState(const std::string& name, VersionState* state);

struct KeyVersionRecord {
  std::string key_ring;
  std::string key_id;
  int version = 1;
  VersionState state = VersionState::kEnabled;
  // State to return to if a scheduled destruction is cancelled.
  VersionState state_before_destroy = VersionState::kEnabled;
  Bytes sealed_material;  // RootOfTrust::Seal output; empty once DESTROYED
  Bytes public_key_der;   // SubjectPublicKeyInfo; empty for symmetric keys
  int64_t created_at = 0;
  int64_t destroy_at = 0;    // when DESTROY_SCHEDULED: when erasure happens
  int64_t destroyed_at = 0;  // when DESTROYED
};

// Certificates, data objects and public keys stored through C_CreateObject.
struct ObjectRecord {
  std::string key_ring;
  std::string id;            // server-assigned, unique within the server
  std::string object_class;  // "certificate", "data", "public_key"
  std::string label;
  Bytes ck_id;               // CKA_ID
  Bytes value;               // CKA_VALUE (DER certificate, data, SPKI)
  std::string attributes_json;  // other attributes, as a JSON object
  int64_t created_at = 0;
};

struct ClientRecord {
  std::string name;
  std::string role;              // "admin" or "application"
  std::string cert_fingerprint;  // lowercase hex SHA-256 of the DER cert
  std::string cert_subject;      // subject common name, if matched by name
  int64_t created_at = 0;
};

// Permission bits of a grant.
enum Permission : uint32_t {
  kPermUseSign = 1u << 0,
  kPermUseVerify = 1u << 1,
  kPermUseEncrypt = 1u << 2,
  kPermUseDecrypt = 1u << 3,
  kPermCreate = 1u << 4,
  kPermDestroy = 1u << 5,
  kPermManage = 1u << 6,
};

struct GrantRecord {
  std::string client;
  std::string key_ring;
  uint32_t permissions = 0;
};

struct PinRecord {
  std::string client;
  std::string key_ring;
  std::string pin_hash;  // "scrypt$N$r$p$salt_b64$hash_b64"
  int failed_attempts = 0;
  int64_t updated_at = 0;
};

struct TokenRecord {
  std::string token_hash;  // lowercase hex SHA-256 of the token
  std::string client;
  std::string key_ring;
  int64_t expires_at = 0;
  int64_t created_at = 0;
};

struct AuditRecord {
  int64_t seq = 0;  // 1, 2, 3, ... without gaps
  int64_t time = 0;
  std::string request_id;
  std::string client;
  std::string operation;
  std::string key_ring;
  std::string key_id;
  int version = 0;  // 0 when not about one version
  std::string result;  // "OK" or an error code name
  std::string detail;  // never secrets
  Bytes mac;           // HMAC over the previous mac and this record
};

}  // namespace kms

#endif  // KMS_SERVER_STORAGE_RECORDS_H_
