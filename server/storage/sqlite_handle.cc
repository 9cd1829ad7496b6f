#include "server/storage/sqlite_handle.h"

#include <utility>

namespace kms {

Result<SqliteDb> OpenSqliteDb(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // sqlite3_open_v2 hands back a handle even on failure; own it either way.
  SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open database '" + path + "': " +
                          (db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc));
    return Error(ErrorCode::kInternal, std::move(message));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return db;
}

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string message(context);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return Error(ErrorCode::kAlreadyExists, std::move(message));
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error(ErrorCode::kUnavailable, std::move(message));
    default:
      return Error(ErrorCode::kInternal, std::move(message));
  }
}

Status ExecSql(sqlite3* db, const char* sql) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db, rc, "sqlite");
  return Status::Ok();
}

namespace {

// Prepares sql and steps it once; the statement is finalised on return, so
// callers copy what they need inside read.
template <typename Read>
auto QueryFirst(sqlite3* db, const char* sql, Read read)
    -> Result<decltype(read(static_cast<sqlite3_stmt*>(nullptr)))> {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  SqliteStmt stmt(raw);
  if (rc != SQLITE_OK) return SqliteError(db, rc, sql);
  rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) {
    return Error(ErrorCode::kInternal, std::string(sql) + ": no result");
  }
  if (rc != SQLITE_ROW) return SqliteError(db, rc, sql);
  return read(stmt.get());
}

}  // namespace

Result<int64_t> QueryInt64(sqlite3* db, const char* sql) {
  return QueryFirst(db, sql, [](sqlite3_stmt* stmt) {
    return static_cast<int64_t>(sqlite3_column_int64(stmt, 0));
  });
}

Result<std::string> QueryText(sqlite3* db, const char* sql) {
  return QueryFirst(db, sql, [](sqlite3_stmt* stmt) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    return std::string(text ? reinterpret_cast<const char*>(text) : "");
  });
}

BoundStatement::~BoundStatement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void BoundStatement::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

BoundStatement& BoundStatement::Bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT copies, so callers may bind temporaries.
  NoteBind(sqlite3_bind_text64(stmt_, index, text.data(), text.size(),
                               SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

BoundStatement& BoundStatement::Bind(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

BoundStatement& BoundStatement::BindBlob(int index, ByteView blob) {
  // A zero-length blob with a null pointer would bind SQL NULL; keep it a
  // blob so NOT NULL columns accept empty material.
  static const uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  NoteBind(
      sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_TRANSIENT));
  return *this;
}

BoundStatement& BoundStatement::BindNull(int index) {
  NoteBind(sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> BoundStatement::Step() {
  if (bind_rc_ != SQLITE_OK) return SqliteError(db_, bind_rc_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, "sqlite");
}

Status BoundStatement::Run() {
  KMS_ASSIGN_OR_RETURN(bool row, Step());
  // A statement used through Run() must not return rows; draining them keeps
  // side effects complete (e.g. UPDATE ... RETURNING).
  while (row) {
    KMS_ASSIGN_OR_RETURN(row, Step());
  }
  return Status::Ok();
}

std::string BoundStatement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return std::string();
  int size = sqlite3_column_bytes(stmt_, column);
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(size));
}

int64_t BoundStatement::Int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

Bytes BoundStatement::Blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return Bytes();
  const auto* begin = static_cast<const uint8_t*>(data);
  return Bytes(begin, begin + size);
}

bool BoundStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<BoundStatement> StatementCache::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw,
                                nullptr);
    SqliteStmt stmt(raw);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
    it = statements_.emplace(sql, std::move(stmt)).first;
  }
  return BoundStatement(db_, it->second.get());
}

Result<Transaction> Transaction::Begin(StatementCache& cache) {
  KMS_ASSIGN_OR_RETURN(BoundStatement begin, cache.Prepare("BEGIN IMMEDIATE"));
  KMS_RETURN_IF_ERROR(begin.Run());
  return Transaction(&cache);
}

Status Transaction::Commit() {
  KMS_ASSIGN_OR_RETURN(BoundStatement commit, cache_->Prepare("COMMIT"));
  KMS_RETURN_IF_ERROR(commit.Run());
  active_ = false;
  return Status::Ok();
}

Transaction::~Transaction() {
  if (!active_) return;
  auto rollback = cache_->Prepare("ROLLBACK");
  // Nothing useful can be done if ROLLBACK itself fails: SQLite has already
  // rolled back on the errors that make ROLLBACK fail.
  if (rollback.ok()) (void)rollback->Run();
}

}  // namespace kms
