#include "server/audit/audit_log.h"

#include "common/time_util.h"

namespace kms {
namespace {

void PutUint64(Bytes& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (i * 8)));
}

// Length-prefixed, so that no two different records encode alike.
void PutField(Bytes& out, std::string_view s) {
  PutUint64(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

Bytes CanonicalEncoding(const Bytes& previous_mac, const AuditRecord& r) {
  Bytes out;
  PutField(out, "kms-audit-v1");
  PutUint64(out, previous_mac.size());
  out.insert(out.end(), previous_mac.begin(), previous_mac.end());
  PutUint64(out, static_cast<uint64_t>(r.seq));
  PutUint64(out, static_cast<uint64_t>(r.time));
  PutField(out, r.request_id);
  PutField(out, r.client);
  PutField(out, r.operation);
  PutField(out, r.key_ring);
  PutField(out, r.key_id);
  PutUint64(out, static_cast<uint64_t>(r.version));
  PutField(out, r.result);
  PutField(out, r.detail);
  return out;
}

}  // namespace

Result<Bytes> AuditLog::Mac(const Bytes& previous_mac,
                            const AuditRecord& record) {
  return root_->AuditMac(View(CanonicalEncoding(previous_mac, record)));
}

Status AuditLog::Init() {
  std::lock_guard<std::mutex> lock(mutex_);
  KMS_ASSIGN_OR_RETURN(auto last, store_->LastAudit());
  if (last) {
    last_seq_ = last->seq;
    last_mac_ = last->mac;
  } else {
    last_seq_ = 0;
    last_mac_.clear();
  }
  return Status::Ok();
}

Status AuditLog::Append(const AuditEvent& event) {
  std::lock_guard<std::mutex> lock(mutex_);
  AuditRecord record;
  record.seq = last_seq_ + 1;
  record.time = NowMillis();
  record.request_id = event.request_id;
  record.client = event.client;
  record.operation = event.operation;
  record.key_ring = event.key_ring;
  record.key_id = event.key_id;
  record.version = event.version;
  record.result = event.result;
  record.detail = event.detail;
  KMS_ASSIGN_OR_RETURN(record.mac, Mac(last_mac_, record));
  Status stored = store_->AppendAudit(record);
  if (!stored.ok()) {
    // Another writer may have appended (a restore, or a second replica):
    // pick up the real tail so the next append can succeed.
    auto last = store_->LastAudit();
    if (last.ok() && *last) {
      last_seq_ = (*last)->seq;
      last_mac_ = (*last)->mac;
    }
    return Error(ErrorCode::kUnavailable,
                 "audit record could not be written: " + stored.message());
  }
  last_seq_ = record.seq;
  last_mac_ = record.mac;
  return Status::Ok();
}

Result<AuditVerifyResult> AuditLog::Verify(int64_t after_seq, int limit) {
  AuditVerifyResult result;
  result.last_seq = after_seq;
  Bytes previous_mac;
  if (after_seq > 0) {
    KMS_ASSIGN_OR_RETURN(auto anchor, store_->ListAudit(after_seq - 1, 1));
    if (anchor.empty() || anchor[0].seq != after_seq) {
      result.ok = false;
      result.first_bad_seq = after_seq;
      result.reason = "record " + std::to_string(after_seq) + " is missing";
      return result;
    }
    previous_mac = anchor[0].mac;
  }
  KMS_ASSIGN_OR_RETURN(auto records, store_->ListAudit(after_seq, limit));
  int64_t expected = after_seq + 1;
  for (const AuditRecord& record : records) {
    if (record.seq != expected) {
      result.ok = false;
      result.first_bad_seq = expected;
      result.reason = "record " + std::to_string(expected) +
                      " is missing (next present is " +
                      std::to_string(record.seq) + ")";
      return result;
    }
    KMS_ASSIGN_OR_RETURN(Bytes mac, Mac(previous_mac, record));
    if (!ConstantTimeEquals(View(mac), View(record.mac))) {
      result.ok = false;
      result.first_bad_seq = record.seq;
      result.reason = "MAC mismatch: record " + std::to_string(record.seq) +
                      " was edited, reordered, or a record before it removed";
      return result;
    }
    previous_mac = record.mac;
    result.last_seq = record.seq;
    ++result.checked;
    ++expected;
  }
  if (static_cast<int>(records.size()) < limit) {
    // The end of the trail: a chain cannot show that its last records were
    // cut off, but this process knows how far it has written.
    std::lock_guard<std::mutex> lock(mutex_);
    if (result.last_seq < last_seq_) {
      result.ok = false;
      result.first_bad_seq = result.last_seq + 1;
      result.reason = "records after " + std::to_string(result.last_seq) +
                      " are missing (the trail was truncated)";
    }
  }
  return result;
}

}  // namespace kms
