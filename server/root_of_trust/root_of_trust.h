// The root of trust: the key-encryption key under which every key version's
// material is sealed, and the audit key that chains the audit trail.
#ifndef KMS_SERVER_ROOT_OF_TRUST_ROOT_OF_TRUST_H_
#define KMS_SERVER_ROOT_OF_TRUST_ROOT_OF_TRUST_H_

#include <memory>
#include <string>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms {

class RootOfTrust {
 public:
  virtual ~RootOfTrust() = default;

  // "file" or "pkcs11".
  virtual std::string backend() const = 0;
  // True only when the keys live, non-extractable, in an HSM.
  virtual bool hsm_backed() const = 0;
  // Human-readable description for status output (no secrets): e.g. the
  // token label and module path, or the file path.
  virtual std::string description() const = 0;

  // AES-256-GCM under the key-encryption key: returns iv(12)||ct||tag(16).
  // `aad` binds the context (key ring, key id, version).
  virtual Result<Bytes> Seal(ByteView plaintext, ByteView aad) = 0;
  // kDecryptFailed if the tag does not verify (wrong aad, tampering, or a
  // different root of trust).
  virtual Result<SecureBytes> Unseal(ByteView sealed, ByteView aad) = 0;
  // HMAC-SHA256 under the audit key (32 bytes).
  virtual Result<Bytes> AuditMac(ByteView data) = 0;
  // Random bytes from the root of trust's RNG.
  virtual Result<Bytes> Random(size_t length) = 0;
};

// A 256-bit root key (and an audit key) in a 0600 file. Created when
// missing and `create` is true; refuses a file readable by group or others.
Result<std::unique_ptr<RootOfTrust>> OpenFileRootOfTrust(
    const std::string& path, bool create);

struct Pkcs11RootConfig {
  std::string module_path;   // e.g. /usr/lib/softhsm/libsofthsm2.so
  std::string token_label;   // the token holding the keys
  SecureString pin;          // user PIN of that token
  std::string kek_label = "kms-root-kek";
  std::string audit_key_label = "kms-audit-key";
};
// Loads the module with dlopen, logs in to the token and finds the KEK
// (AES-256, CKA_EXTRACTABLE=FALSE, CKA_SENSITIVE=TRUE) and the audit key
// (generic secret for CKM_SHA256_HMAC); creates both on first start.
Result<std::unique_ptr<RootOfTrust>> OpenPkcs11RootOfTrust(
    Pkcs11RootConfig config);

}  // namespace kms

#endif  // KMS_SERVER_ROOT_OF_TRUST_ROOT_OF_TRUST_H_
