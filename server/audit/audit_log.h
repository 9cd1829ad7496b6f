// The tamper-evident audit trail. Each record carries
// HMAC-SHA256(audit key, previous MAC || canonical encoding of the record),
// so editing, deleting or reordering any record breaks the chain from there
// on. Appends are serialised here; the store refuses a seq that is not
// last+1, so two writers cannot fork the chain.
#ifndef KMS_SERVER_AUDIT_AUDIT_LOG_H_
#define KMS_SERVER_AUDIT_AUDIT_LOG_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "common/status.h"
#include "server/root_of_trust/root_of_trust.h"
#include "server/storage/store.h"

namespace kms {

struct AuditEvent {
  std::string request_id;
  std::string client;
  std::string operation;
  std::string key_ring;
  std::string key_id;
  int version = 0;
  std::string result = "OK";
  std::string detail;
};

struct AuditVerifyResult {
  bool ok = true;
  int64_t checked = 0;
  int64_t last_seq = 0;       // last record checked
  int64_t first_bad_seq = 0;  // when !ok
  std::string reason;         // when !ok
};

class AuditLog {
 public:
  AuditLog(Store* store, RootOfTrust* root) : store_(store), root_(root) {}

  // Reads the tail of the chain; call once before Append.
  Status Init();
  // Durable when it returns Ok (fail closed: callers must not reply success
  // otherwise).
  Status Append(const AuditEvent& event);
  // Checks up to `limit` records after `after_seq`, chaining from the MAC of
  // record `after_seq` (which an earlier window checked).
  Result<AuditVerifyResult> Verify(int64_t after_seq, int limit);

  // Re-reads the tail (after a restore).
  Status Reload() { return Init(); }

 private:
  Result<Bytes> Mac(const Bytes& previous_mac, const AuditRecord& record);

  Store* store_;
  RootOfTrust* root_;
  std::mutex mutex_;
  int64_t last_seq_ = 0;
  Bytes last_mac_;
};

}  // namespace kms

#endif  // KMS_SERVER_AUDIT_AUDIT_LOG_H_
