#include "server/storage/sqlite_schema.h"

#include <array>
#include <string>

#include "common/time_util.h"
#include "server/storage/sqlite_handle.h"

namespace kms {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// Append only: a released step never changes, since databases in the field
// have already applied it. Later changes are new steps.
constexpr std::array kMigrations = {
    Migration{1, "tables", R"sql(
CREATE TABLE key_rings (
  name TEXT PRIMARY KEY NOT NULL,
  destroy_wait_seconds INTEGER NOT NULL,
  allow_import INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE keys (
  id TEXT PRIMARY KEY NOT NULL,
  key_ring TEXT NOT NULL REFERENCES key_rings (name),
  label TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  usages INTEGER NOT NULL,
  rotation_period_seconds INTEGER NOT NULL,
  next_rotation_at INTEGER NOT NULL,
  exportable INTEGER NOT NULL,
  imported INTEGER NOT NULL,
  primary_version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  UNIQUE (key_ring, id)
);
CREATE TABLE key_versions (
  key_ring TEXT NOT NULL,
  key_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN
      ('ENABLED', 'DISABLED', 'DESTROY_SCHEDULED', 'DESTROYED')),
  state_before_destroy TEXT NOT NULL CHECK (state_before_destroy IN
      ('ENABLED', 'DISABLED', 'DESTROY_SCHEDULED', 'DESTROYED')),
  sealed_material BLOB NOT NULL,
  public_key_der BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  destroy_at INTEGER NOT NULL,
  destroyed_at INTEGER NOT NULL,
  PRIMARY KEY (key_ring, key_id, version),
  FOREIGN KEY (key_ring, key_id) REFERENCES keys (key_ring, id)
);
CREATE TABLE objects (
  id TEXT PRIMARY KEY NOT NULL,
  key_ring TEXT NOT NULL REFERENCES key_rings (name),
  object_class TEXT NOT NULL,
  label TEXT NOT NULL,
  ck_id BLOB NOT NULL,
  value BLOB NOT NULL,
  attributes_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (key_ring, id)
);
CREATE TABLE clients (
  name TEXT PRIMARY KEY NOT NULL,
  role TEXT NOT NULL,
  cert_fingerprint TEXT NOT NULL,
  cert_subject TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE grants (
  client TEXT NOT NULL REFERENCES clients (name),
  key_ring TEXT NOT NULL REFERENCES key_rings (name),
  permissions INTEGER NOT NULL,
  PRIMARY KEY (client, key_ring)
);
CREATE TABLE pins (
  client TEXT NOT NULL REFERENCES clients (name),
  key_ring TEXT NOT NULL REFERENCES key_rings (name),
  pin_hash TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (client, key_ring)
);
-- key_ring is not a foreign key: a token may be scoped to no key ring.
CREATE TABLE tokens (
  token_hash TEXT PRIMARY KEY NOT NULL,
  client TEXT NOT NULL REFERENCES clients (name),
  key_ring TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
-- No foreign keys: the audit trail outlives what it describes.
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY CHECK (seq > 0),
  time INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  client TEXT NOT NULL,
  operation TEXT NOT NULL,
  key_ring TEXT NOT NULL,
  key_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  result TEXT NOT NULL,
  detail TEXT NOT NULL,
  mac BLOB NOT NULL
);
)sql"},
    Migration{2, "indexes", R"sql(
CREATE INDEX keys_by_ring_label ON keys (key_ring, label);
-- Partial indexes: the scheduler's queries repeat these WHERE clauses
-- literally so the planner can use them.
CREATE INDEX keys_by_next_rotation ON keys (next_rotation_at)
  WHERE rotation_period_seconds > 0 AND deleted = 0;
CREATE INDEX key_versions_by_destroy_at ON key_versions (destroy_at)
  WHERE state = 'DESTROY_SCHEDULED';
-- A certificate must identify at most one client.
CREATE UNIQUE INDEX clients_by_fingerprint ON clients (cert_fingerprint)
  WHERE cert_fingerprint <> '';
CREATE UNIQUE INDEX clients_by_subject ON clients (cert_subject)
  WHERE cert_subject <> '';
CREATE INDEX tokens_by_expiry ON tokens (expires_at);
)sql"},
    // A find by label pages through "label = ? AND id > ? ORDER BY id": with
    // (key_ring, label) alone the planner walked the whole key ring by id
    // instead (170 ms with 100,000 keys).
    Migration{3, "label index ordered by id", R"sql(
DROP INDEX keys_by_ring_label;
CREATE INDEX keys_by_ring_label ON keys (key_ring, label, id);
)sql"},
};

constexpr std::array kTables = {
    "schema_migrations", "key_rings", "keys", "key_versions", "objects",
    "clients",           "grants",    "pins", "tokens",       "audit"};

Status RecordMigration(sqlite3* db, const Migration& migration) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(
      db,
      "INSERT INTO schema_migrations (version, description, applied_at) "
      "VALUES (?1, ?2, ?3)",
      -1, &raw, nullptr);
  SqliteStmt stmt(raw);
  if (rc != SQLITE_OK) return SqliteError(db, rc, "recording migration");
  BoundStatement insert(db, stmt.get());
  insert.Bind(1, migration.version)
      .Bind(2, migration.description)
      .Bind(3, NowMillis());
  return insert.Run();
}

Status ApplyPending(sqlite3* db, int target_version) {
  KMS_ASSIGN_OR_RETURN(int current, ReadSqliteSchemaVersion(db));
  if (current > LatestSqliteSchemaVersion()) {
    return Error(ErrorCode::kFailedPrecondition,
                 "database schema version " + std::to_string(current) +
                     " is newer than this build supports (" +
                     std::to_string(LatestSqliteSchemaVersion()) +
                     "); upgrade kms");
  }
  if (current == 0) {
    KMS_RETURN_IF_ERROR(ExecSql(db, "PRAGMA application_id = 1263358769"));
    KMS_RETURN_IF_ERROR(ExecSql(db,
                                "CREATE TABLE schema_migrations ("
                                "version INTEGER PRIMARY KEY NOT NULL, "
                                "description TEXT NOT NULL, "
                                "applied_at INTEGER NOT NULL)"));
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= current || migration.version > target_version) {
      continue;
    }
    KMS_RETURN_IF_ERROR(ExecSql(db, migration.sql));
    KMS_RETURN_IF_ERROR(RecordMigration(db, migration));
  }
  return Status::Ok();
}

}  // namespace

static_assert(kSqliteApplicationId == 1263358769,
              "keep the PRAGMA literal in ApplyPending in step");

int LatestSqliteSchemaVersion() { return kMigrations.back().version; }

Result<int> ReadSqliteSchemaVersion(sqlite3* db) {
  KMS_ASSIGN_OR_RETURN(int64_t app_id, QueryInt64(db, "PRAGMA application_id"));
  if (app_id == 0) {
    KMS_ASSIGN_OR_RETURN(int64_t objects,
                         QueryInt64(db, "SELECT count(*) FROM sqlite_schema"));
    if (objects == 0) return 0;
  }
  if (app_id != kSqliteApplicationId) {
    return Error(ErrorCode::kFailedPrecondition,
                 "not a kms database (unexpected application_id)");
  }
  KMS_ASSIGN_OR_RETURN(
      int64_t version,
      QueryInt64(db,
                 "SELECT coalesce(max(version), 0) FROM schema_migrations"));
  return static_cast<int>(version);
}

Status MigrateSqliteSchema(sqlite3* db, int target_version) {
  if (target_version < 0) target_version = LatestSqliteSchemaVersion();
  // IMMEDIATE: two processes opening a new file at once must not both
  // decide to create the schema.
  KMS_RETURN_IF_ERROR(ExecSql(db, "BEGIN IMMEDIATE"));
  Status status = ApplyPending(db, target_version);
  if (status.ok()) status = ExecSql(db, "COMMIT");
  if (!status.ok()) {
    (void)ExecSql(db, "ROLLBACK");
    return status;
  }
  return Status::Ok();
}

Status CheckSqliteSchemaTables(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(
      db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1", -1,
      &raw, nullptr);
  SqliteStmt stmt(raw);
  if (rc != SQLITE_OK) return SqliteError(db, rc, "checking schema");
  for (const char* table : kTables) {
    BoundStatement query(db, stmt.get());
    query.Bind(1, table);
    KMS_ASSIGN_OR_RETURN(bool present, query.Step());
    if (!present) {
      return Error(
          ErrorCode::kFailedPrecondition,
          std::string("not a kms database: table '") + table + "' is missing");
    }
  }
  return Status::Ok();
}

}  // namespace kms
