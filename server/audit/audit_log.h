// The tamper-evident audit trail. Each record carries
// HMAC-SHA256(audit key, previous MAC || canonical encoding of the record),
// so editing, deleting or reordering any record breaks the chain from there
// on. Appends are serialised here; the store refuses a seq that is not
// last+1, so two writers cannot fork the chain.
//
// Group commit: concurrent appends are written to the store together, in
// one transaction (one fsync), by whichever caller finds no write under way;
// every caller still returns only once its own record is durable.
#ifndef KMS_SERVER_AUDIT_AUDIT_LOG_H_
#define KMS_SERVER_AUDIT_AUDIT_LOG_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

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

  // Append then records nothing and returns Ok at once. Only `kmsd dev
  // --audit-off` calls it, to measure what the trail costs (issue 5's
  // "audit on vs off" ratio); no configuration file can.
  void TurnOffForBenchmark() { off_for_benchmark_ = true; }
  bool off_for_benchmark() const { return off_for_benchmark_; }

 private:
  struct Ticket {
    bool done = false;
    Status status;
  };
  using Pending = std::pair<AuditRecord, std::shared_ptr<Ticket>>;

  Result<Bytes> Mac(const Bytes& previous_mac, const AuditRecord& record);
  // Writes what is pending; called with the lock held, releases it while
  // writing.
  void Flush(std::unique_lock<std::mutex>& lock);

  Store* store_;
  RootOfTrust* root_;
  bool off_for_benchmark_ = false;
  std::mutex mutex_;
  std::condition_variable flushed_;
  bool flushing_ = false;
  std::vector<Pending> pending_;
  // The tail of the chain including records not yet written...
  int64_t last_seq_ = 0;
  Bytes last_mac_;
  // ...and of what is durable.
  int64_t durable_seq_ = 0;
  Bytes durable_mac_;
};

}  // namespace kms

#endif  // KMS_SERVER_AUDIT_AUDIT_LOG_H_
