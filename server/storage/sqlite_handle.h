// RAII ownership of SQLite connections and statements, plus the mapping from
// SQLite result codes to kms::Status. Nothing here knows about kms tables.
#ifndef KMS_SERVER_STORAGE_SQLITE_HANDLE_H_
#define KMS_SERVER_STORAGE_SQLITE_HANDLE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms {

struct SqliteDbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteDbCloser>;

struct SqliteStmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using SqliteStmt = std::unique_ptr<sqlite3_stmt, SqliteStmtFinalizer>;

// Opens a connection with extended result codes enabled. The caller
// serialises all use of the connection.
Result<SqliteDb> OpenSqliteDb(const std::string& path, int flags);

// Maps a failed SQLite call to a Status: unique/primary-key violations become
// kAlreadyExists, a busy database (after busy_timeout) kUnavailable, anything
// else kInternal. The message is context plus sqlite3_errmsg, which names
// columns but never bound values, so secrets cannot leak through it.
Status SqliteError(sqlite3* db, int rc, std::string_view context);

// Runs constant SQL without parameters (pragmas, DDL, BEGIN/COMMIT).
Status ExecSql(sqlite3* db, const char* sql);

// First column of the first row of constant, parameterless SQL (pragmas,
// counts); kInternal if there is no row.
Result<int64_t> QueryInt64(sqlite3* db, const char* sql);
Result<std::string> QueryText(sqlite3* db, const char* sql);

// A cached statement borrowed for one use. Bindings are 1-based, columns
// 0-based, as in SQLite. Destruction resets the statement and clears its
// bindings, so a borrowed statement never holds a read transaction open or
// keeps values alive after its scope.
class BoundStatement {
 public:
  BoundStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  BoundStatement(const BoundStatement&) = delete;
  BoundStatement& operator=(const BoundStatement&) = delete;
  BoundStatement(BoundStatement&& other) noexcept
      : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  BoundStatement& operator=(BoundStatement&&) = delete;
  ~BoundStatement();

  BoundStatement& Bind(int index, std::string_view text);
  BoundStatement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  BoundStatement& Bind(int index, const char* text) {
    return Bind(index, std::string_view(text));
  }
  BoundStatement& Bind(int index, int64_t value);
  BoundStatement& Bind(int index, int value) {
    return Bind(index, static_cast<int64_t>(value));
  }
  BoundStatement& Bind(int index, uint32_t value) {
    return Bind(index, static_cast<int64_t>(value));
  }
  BoundStatement& Bind(int index, bool value) {
    return Bind(index, static_cast<int64_t>(value ? 1 : 0));
  }
  BoundStatement& BindBlob(int index, ByteView blob);
  BoundStatement& BindNull(int index);

  // True when a row is available, false when done.
  Result<bool> Step();
  // Steps a statement that returns no rows.
  Status Run();
  // Rows changed by the last Run() on this connection.
  int64_t changes() const { return sqlite3_changes64(db_); }

  std::string Text(int column) const;
  int64_t Int64(int column) const;
  int Int(int column) const { return static_cast<int>(Int64(column)); }
  bool Bool(int column) const { return Int64(column) != 0; }
  Bytes Blob(int column) const;
  bool IsNull(int column) const;

 private:
  // Remembered so that Step() reports the first bind failure (out of
  // memory, bad index) instead of silently running with a NULL parameter.
  void NoteBind(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

// Prepared statements of one connection, keyed by their SQL text, prepared
// on first use and kept for the life of the connection. Must be destroyed
// before the connection it belongs to.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  Result<BoundStatement> Prepare(const char* sql);
  void Clear() { statements_.clear(); }

 private:
  sqlite3* db_;
  std::unordered_map<std::string, SqliteStmt> statements_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back on destruction unless committed.
// IMMEDIATE takes the write lock up front, so a read-then-write sequence
// (check the last audit seq, then append) cannot race another process.
class Transaction {
 public:
  static Result<Transaction> Begin(StatementCache& cache);
  Transaction(Transaction&& other) noexcept
      : cache_(other.cache_), active_(other.active_) {
    other.active_ = false;
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status Commit();

 private:
  explicit Transaction(StatementCache* cache) : cache_(cache), active_(true) {}

  StatementCache* cache_;
  bool active_;
};

}  // namespace kms

#endif  // KMS_SERVER_STORAGE_SQLITE_HANDLE_H_
