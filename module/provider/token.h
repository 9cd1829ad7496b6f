// One slot with its token: a configured label mapped to a key ring, the
// application's login to it (shared by all its sessions) and its objects.
#ifndef KMS_MODULE_PROVIDER_TOKEN_H_
#define KMS_MODULE_PROVIDER_TOKEN_H_

#include <atomic>
#include <string>

#include "module/base/ck_status.h"
#include "module/client/ring_auth.h"
#include "module/objects/object_cache.h"
#include "module/provider/config.h"

namespace kms::p11 {

class Token {
 public:
  Token(CK_SLOT_ID slot_id, TokenConfig config, KmsClient* client,
        int64_t cache_ttl_ms, std::atomic<CK_OBJECT_HANDLE>* next_handle);

  CK_SLOT_ID slot_id() const { return slot_id_; }
  const TokenConfig& config() const { return config_; }
  RingAuth& auth() { return auth_; }
  ObjectCache& objects() { return objects_; }
  // 16 hex digits derived from label and key ring: stable across runs.
  const std::string& serial() const { return serial_; }

  void FillSlotInfo(CK_SLOT_INFO* info) const;
  // Asks the server for the PIN state (flags); server failures leave those
  // flags clear rather than failing the call.
  void FillTokenInfo(CK_TOKEN_INFO* info);
  // POST /v1/random (with the login's token if logged in), in chunks.
  CkStatus GenerateRandom(CK_BYTE_PTR out, CK_ULONG length);

 private:
  CK_SLOT_ID slot_id_;
  TokenConfig config_;
  RingAuth auth_;
  ObjectCache objects_;
  std::string serial_;
};

// Copies text into a fixed-size blank-padded PKCS#11 field.
void CopyPadded(CK_UTF8CHAR* field, size_t size, std::string_view text);

}  // namespace kms::p11

#endif  // KMS_MODULE_PROVIDER_TOKEN_H_
