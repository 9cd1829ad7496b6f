// Online backup and restore of the whole database as bytes.
//
// Export serialises the live database inside one read transaction. Import
// loads the bytes into a private in-memory connection, validates and
// migrates them there, and only then copies them over the live database with
// the backup API, which does so in a single write transaction: readers see
// either the old or the new content, never a mixture.
#include <cstring>
#include <string>

#include "server/storage/sqlite_schema.h"
#include "server/storage/sqlite_store.h"

namespace kms {
namespace {

constexpr char kSqliteMagic[] = "SQLite format 3";  // 16 bytes with the NUL
constexpr size_t kHeaderSize = 100;
// File format write/read version bytes: 1 = rollback journal, 2 = WAL.
constexpr size_t kWriteVersionOffset = 18;
constexpr size_t kReadVersionOffset = 19;

// Marks an image as a rollback-journal database: a WAL-marked image cannot
// be opened in memory, and a standalone file should not need a -wal file.
void ClearWalMark(unsigned char* image) {
  image[kWriteVersionOffset] = 1;
  image[kReadVersionOffset] = 1;
}

Status InvalidSnapshot(const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "invalid snapshot: " + why);
}

// Loads the image into a fresh in-memory connection that owns a copy.
Result<SqliteDb> LoadImage(ByteView snapshot) {
  if (snapshot.size() < kHeaderSize ||
      std::memcmp(snapshot.data(), kSqliteMagic, sizeof(kSqliteMagic)) != 0) {
    return InvalidSnapshot("not a SQLite database image");
  }
  KMS_ASSIGN_OR_RETURN(
      SqliteDb db,
      OpenSqliteDb(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  // A snapshot is data, not code: no triggers or functions from it may run.
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  auto* image = static_cast<unsigned char*>(sqlite3_malloc64(snapshot.size()));
  if (image == nullptr) {
    return Error(ErrorCode::kInternal, "out of memory loading snapshot");
  }
  std::memcpy(image, snapshot.data(), snapshot.size());
  ClearWalMark(image);
  // FREEONCLOSE hands image to SQLite, which frees it even on failure.
  int rc = sqlite3_deserialize(
      db.get(), "main", image, static_cast<sqlite3_int64>(snapshot.size()),
      static_cast<sqlite3_int64>(snapshot.size()),
      SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
  if (rc != SQLITE_OK) return SqliteError(db.get(), rc, "loading snapshot");
  return db;
}

// Rejects anything that is not an intact kms database, then brings it to
// the current schema.
Status ValidateAndMigrate(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &raw, nullptr);
  SqliteStmt check(raw);
  if (rc != SQLITE_OK) return InvalidSnapshot(sqlite3_errmsg(db));
  rc = sqlite3_step(check.get());
  const unsigned char* verdict =
      rc == SQLITE_ROW ? sqlite3_column_text(check.get(), 0) : nullptr;
  if (verdict == nullptr ||
      std::strcmp(reinterpret_cast<const char*>(verdict), "ok") != 0) {
    return InvalidSnapshot("database image is corrupt");
  }
  check.reset();

  auto version = ReadSqliteSchemaVersion(db);
  if (!version.ok()) return InvalidSnapshot(version.status().message());
  if (*version == 0) return InvalidSnapshot("database has no kms schema");
  if (*version > LatestSqliteSchemaVersion()) {
    return Error(ErrorCode::kFailedPrecondition,
                 "snapshot has schema version " + std::to_string(*version) +
                     ", newer than this build supports");
  }
  // The kms schema has neither; a snapshot carrying them was not made by kms
  // and they would otherwise be copied into the live database.
  KMS_ASSIGN_OR_RETURN(int64_t code_objects,
                       QueryInt64(db,
                                  "SELECT count(*) FROM sqlite_schema "
                                  "WHERE type IN ('trigger', 'view')"));
  if (code_objects != 0) return InvalidSnapshot("unexpected triggers or views");

  KMS_RETURN_IF_ERROR(MigrateSqliteSchema(db));
  Status tables = CheckSqliteSchemaTables(db);
  if (!tables.ok()) return InvalidSnapshot(tables.message());

  KMS_RETURN_IF_ERROR(ExecSql(db, "PRAGMA foreign_keys = ON"));
  KMS_ASSIGN_OR_RETURN(
      int64_t dangling,
      QueryInt64(db, "SELECT count(*) FROM pragma_foreign_key_check"));
  if (dangling != 0) return InvalidSnapshot("foreign key violations");
  return Status::Ok();
}

}  // namespace

Result<Bytes> SqliteStore::ExportSnapshot() {
  std::lock_guard lock(mu_);
  sqlite3_int64 size = 0;
  // On a file database this reads every page within one read transaction
  // (WAL content included), so the copy is consistent while others write.
  unsigned char* image = sqlite3_serialize(db_.get(), "main", &size, 0);
  if (image == nullptr) {
    return SqliteError(db_.get(), sqlite3_errcode(db_.get()),
                       "exporting snapshot");
  }
  Bytes snapshot(image, image + size);
  sqlite3_free(image);
  if (snapshot.size() >= kHeaderSize) ClearWalMark(snapshot.data());
  return snapshot;
}

Status SqliteStore::ImportSnapshot(ByteView snapshot) {
  // Validation runs on a private connection, without blocking the store.
  KMS_ASSIGN_OR_RETURN(SqliteDb source, LoadImage(snapshot));
  KMS_RETURN_IF_ERROR(ValidateAndMigrate(source.get()));

  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(int64_t live_page_size,
                         QueryInt64(db_.get(), "PRAGMA page_size"));
    KMS_ASSIGN_OR_RETURN(int64_t source_page_size,
                         QueryInt64(source.get(), "PRAGMA page_size"));
    if (live_page_size != source_page_size) {
      // Backup into a WAL database needs equal page sizes. PRAGMA takes no
      // parameters; the number comes from SQLite itself, not from input.
      std::string sql = "PRAGMA page_size = " + std::to_string(live_page_size);
      KMS_RETURN_IF_ERROR(ExecSql(source.get(), sql.c_str()));
      KMS_RETURN_IF_ERROR(ExecSql(source.get(), "VACUUM"));
    }

    sqlite3_backup* backup =
        sqlite3_backup_init(db_.get(), "main", source.get(), "main");
    if (backup == nullptr) {
      return SqliteError(db_.get(), sqlite3_errcode(db_.get()),
                         "restoring snapshot");
    }
    int step_rc = sqlite3_backup_step(backup, -1);
    int finish_rc = sqlite3_backup_finish(backup);
    if (step_rc != SQLITE_DONE) {
      return SqliteError(db_.get(), step_rc, "restoring snapshot");
    }
    if (finish_rc != SQLITE_OK) {
      return SqliteError(db_.get(), finish_rc, "restoring snapshot");
    }
    // The schema objects were replaced; drop statements compiled against the
    // old ones rather than rely on automatic re-preparation.
    cache_.Clear();
    return Status::Ok();
  });
}

}  // namespace kms
