#include "server/audit/audit_log.h"

#include "common/time_util.h"

namespace kms {
namespace {

void PutUint64(Bytes& out, uint64_t v) {
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<uint8_t>(v >> (i * 8)));
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
  durable_seq_ = last ? last->seq : 0;
  durable_mac_ = last ? last->mac : Bytes();
  last_seq_ = durable_seq_;
  last_mac_ = durable_mac_;
  return Status::Ok();
}

Status AuditLog::Append(const AuditEvent& event) {
  if (off_for_benchmark_) return Status::Ok();
  std::unique_lock<std::mutex> lock(mutex_);
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
  last_seq_ = record.seq;
  last_mac_ = record.mac;
  auto ticket = std::make_shared<Ticket>();
  pending_.emplace_back(std::move(record), ticket);
  while (!ticket->done) {
    if (!flushing_) {
      Flush(lock);
    } else {
      flushed_.wait(lock);
    }
  }
  return ticket->status;
}

void AuditLog::Flush(std::unique_lock<std::mutex>& lock) {
  flushing_ = true;
  std::vector<Pending> batch;
  batch.swap(pending_);
  std::vector<AuditRecord> records;
  records.reserve(batch.size());
  for (const auto& [record, ticket] : batch) records.push_back(record);
  lock.unlock();
  Status stored = store_->AppendAuditBatch(records);
  lock.lock();
  flushing_ = false;
  if (stored.ok()) {
    durable_seq_ = records.back().seq;
    durable_mac_ = records.back().mac;
    for (auto& [record, ticket] : batch) ticket->done = true;
  } else {
    // Records queued meanwhile chain from the failed ones: they fail too,
    // and the chain continues from what is durable (or from what another
    // writer, e.g. a restore, put there).
    Status failed =
        Error(ErrorCode::kUnavailable,
              "audit record could not be written: " + stored.message());
    for (auto* list : {&batch, &pending_}) {
      for (auto& [record, ticket] : *list) {
        ticket->done = true;
        ticket->status = failed;
      }
    }
    pending_.clear();
    auto last = store_->LastAudit();
    if (last.ok() && *last) {
      durable_seq_ = (*last)->seq;
      durable_mac_ = (*last)->mac;
    }
    last_seq_ = durable_seq_;
    last_mac_ = durable_mac_;
  }
  flushed_.notify_all();
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
    if (result.last_seq < durable_seq_) {
      result.ok = false;
      result.first_bad_seq = result.last_seq + 1;
      result.reason = "records after " + std::to_string(result.last_seq) +
                      " are missing (the trail was truncated)";
    }
  }
  return result;
}

}  // namespace kms
