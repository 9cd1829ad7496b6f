#include "server/storage/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "server/storage/sqlite_schema.h"

namespace kms {
namespace {

constexpr int kBusyTimeoutMillis = 10000;

// The database holds sealed key material and the audit trail: create it
// readable by the owner only. SQLite gives the -wal and -shm files the same
// mode as the database file.
void CreateOwnerOnly(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) {
    return;
  }
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) close(fd);
}

// A plain file path, whose WAL is path + "-wal".
bool IsPlainFile(const std::string& path) {
  return !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0;
}

Status ConfigureConnection(sqlite3* db, bool in_memory, bool group_commit) {
  sqlite3_busy_timeout(db, kBusyTimeoutMillis);
  KMS_ASSIGN_OR_RETURN(std::string mode,
                       QueryText(db, "PRAGMA journal_mode = WAL"));
  if (!in_memory && mode != "wal") {
    return Error(ErrorCode::kInternal,
                 "cannot enable WAL mode (journal_mode is '" + mode + "')");
  }
  // An acknowledged write must survive power loss, not just a process
  // crash. FULL: every commit fsyncs the WAL. With group commit, commits
  // only write the WAL (NORMAL: SQLite still syncs around checkpoints) and
  // WalSync syncs it once for all the writers waiting, outside the lock.
  KMS_RETURN_IF_ERROR(ExecSql(db, group_commit ? "PRAGMA synchronous = NORMAL"
                                               : "PRAGMA synchronous = FULL"));
  KMS_RETURN_IF_ERROR(ExecSql(db, "PRAGMA foreign_keys = ON"));
  KMS_ASSIGN_OR_RETURN(std::string fk, QueryText(db, "PRAGMA foreign_keys"));
  if (fk != "1") {
    return Error(ErrorCode::kInternal, "SQLite lacks foreign key support");
  }
  // Overwrite freed content so that replaced sealed material and deleted
  // tokens do not linger in free pages of the file.
  KMS_RETURN_IF_ERROR(ExecSql(db, "PRAGMA secure_delete = ON"));
  KMS_RETURN_IF_ERROR(ExecSql(db, "PRAGMA trusted_schema = OFF"));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  return SqliteStore::Open(path);
}

Result<std::unique_ptr<Store>> SqliteStore::Open(const std::string& path) {
  CreateOwnerOnly(path);
  // NOMUTEX: SqliteStore serialises every use of the connection itself.
  KMS_ASSIGN_OR_RETURN(
      SqliteDb db,
      OpenSqliteDb(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI));
  // Refuse a foreign or newer file before changing anything in it (even
  // switching its journal mode).
  KMS_ASSIGN_OR_RETURN(int version, ReadSqliteSchemaVersion(db.get()));
  if (version > LatestSqliteSchemaVersion()) {
    return Error(ErrorCode::kFailedPrecondition,
                 "database '" + path + "' has schema version " +
                     std::to_string(version) + ", newer than the " +
                     std::to_string(LatestSqliteSchemaVersion()) +
                     " this build supports; upgrade kms");
  }
  const bool group_commit = IsPlainFile(path);
  KMS_RETURN_IF_ERROR(
      ConfigureConnection(db.get(), path == ":memory:", group_commit));
  KMS_RETURN_IF_ERROR(MigrateSqliteSchema(db.get()));
  std::unique_ptr<WalSync> wal_sync;
  if (group_commit) {
    wal_sync = std::make_unique<WalSync>(path + "-wal");
    // Whatever the migration wrote is durable before anything is served.
    KMS_RETURN_IF_ERROR(wal_sync->WaitDurable());
  }
  return std::unique_ptr<Store>(
      new SqliteStore(std::move(db), std::move(wal_sync)));
}

SqliteStore::SqliteStore(SqliteDb db, std::unique_ptr<WalSync> wal_sync)
    : wal_sync_(std::move(wal_sync)), db_(std::move(db)), cache_(db_.get()) {}

SqliteStore::~SqliteStore() { cache_.Clear(); }

int SqliteStore::schema_version() {
  std::lock_guard lock(mu_);
  auto version = ReadSqliteSchemaVersion(db_.get());
  return version.ok() ? *version : -1;
}

Status SqliteStore::RequireKeyRing(const std::string& name) {
  KMS_ASSIGN_OR_RETURN(BoundStatement query,
                       Prepare("SELECT 1 FROM key_rings WHERE name = ?1"));
  query.Bind(1, name);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Error(ErrorCode::kNotFound, "key ring '" + name + "' not found");
  }
  return Status::Ok();
}

Status SqliteStore::RequireKey(const std::string& key_ring,
                               const std::string& id) {
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT 1 FROM keys WHERE key_ring = ?1 AND id = ?2"));
  query.Bind(1, key_ring).Bind(2, id);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Error(ErrorCode::kNotFound,
                 "key '" + id + "' not found in key ring '" + key_ring + "'");
  }
  return Status::Ok();
}

Status SqliteStore::RequireClient(const std::string& name) {
  KMS_ASSIGN_OR_RETURN(BoundStatement query,
                       Prepare("SELECT 1 FROM clients WHERE name = ?1"));
  query.Bind(1, name);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Error(ErrorCode::kNotFound, "client '" + name + "' not found");
  }
  return Status::Ok();
}

}  // namespace kms
