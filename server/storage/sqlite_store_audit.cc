// The audit trail: an append-only, gapless sequence of MACed records.
#include <utility>

#include "server/storage/sqlite_store.h"

namespace kms {
namespace {

#define KMS_AUDIT_COLUMNS                                                 \
  "seq, time, request_id, client, operation, key_ring, key_id, version, " \
  "result, detail, mac"

AuditRecord ReadAudit(const BoundStatement& row) {
  AuditRecord record;
  record.seq = row.Int64(0);
  record.time = row.Int64(1);
  record.request_id = row.Text(2);
  record.client = row.Text(3);
  record.operation = row.Text(4);
  record.key_ring = row.Text(5);
  record.key_id = row.Text(6);
  record.version = row.Int(7);
  record.result = row.Text(8);
  record.detail = row.Text(9);
  record.mac = row.Blob(10);
  return record;
}

}  // namespace

Result<int64_t> SqliteStore::LastAuditSeq() {
  KMS_ASSIGN_OR_RETURN(BoundStatement query,
                       Prepare("SELECT coalesce(max(seq), 0) FROM audit"));
  KMS_ASSIGN_OR_RETURN(bool row, query.Step());
  return row ? query.Int64(0) : int64_t{0};
}

Status SqliteStore::InsertAudit(const AuditRecord& record,
                                int64_t expected_seq) {
  // Each record's MAC covers its predecessor's, so a record written with
  // any other seq would fork or break the chain.
  if (record.seq != expected_seq) {
    return Error(ErrorCode::kFailedPrecondition,
                 "audit record seq " + std::to_string(record.seq) +
                     " does not follow the last seq " +
                     std::to_string(expected_seq - 1));
  }
  KMS_ASSIGN_OR_RETURN(
      BoundStatement insert,
      Prepare("INSERT INTO audit (" KMS_AUDIT_COLUMNS
              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  insert.Bind(1, record.seq)
      .Bind(2, record.time)
      .Bind(3, record.request_id)
      .Bind(4, record.client)
      .Bind(5, record.operation)
      .Bind(6, record.key_ring)
      .Bind(7, record.key_id)
      .Bind(8, record.version)
      .Bind(9, record.result)
      .Bind(10, record.detail)
      .BindBlob(11, View(record.mac));
  return insert.Run();
}

Status SqliteStore::AppendAudit(const AuditRecord& record) {
  return AppendAuditBatch({record});
}

Status SqliteStore::AppendAuditBatch(const std::vector<AuditRecord>& records) {
  if (records.empty()) return Status::Ok();
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    // The IMMEDIATE transaction holds the write lock from reading the last
    // seq to the commit, so another process cannot append in between.
    KMS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(cache_));
    KMS_ASSIGN_OR_RETURN(int64_t last, LastAuditSeq());
    for (const AuditRecord& record : records) {
      KMS_RETURN_IF_ERROR(InsertAudit(record, ++last));
    }
    return txn.Commit();
  });
}

Result<std::optional<AuditRecord>> SqliteStore::LastAudit() {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(BoundStatement query,
                       Prepare("SELECT " KMS_AUDIT_COLUMNS
                               " FROM audit ORDER BY seq DESC LIMIT 1"));
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<AuditRecord>();
  return std::optional<AuditRecord>(ReadAudit(query));
}

Result<std::vector<AuditRecord>> SqliteStore::ListAudit(int64_t after_seq,
                                                        int limit) {
  if (limit <= 0) {
    return Error(ErrorCode::kInvalidArgument, "list limit must be positive");
  }
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT " KMS_AUDIT_COLUMNS
              " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
  query.Bind(1, after_seq).Bind(2, limit);
  std::vector<AuditRecord> records;
  while (true) {
    KMS_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    records.push_back(ReadAudit(query));
  }
  return records;
}

Result<int64_t> SqliteStore::CountAudit() {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(BoundStatement query,
                       Prepare("SELECT count(*) FROM audit"));
  KMS_ASSIGN_OR_RETURN(bool row, query.Step());
  return row ? query.Int64(0) : int64_t{0};
}

#undef KMS_AUDIT_COLUMNS

}  // namespace kms
