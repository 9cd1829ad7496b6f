// SQLite specifics: migrations, file format checks, pragmas, snapshot
// validation against hand-made databases.
#include "server/storage/sqlite_schema.h"

#include <gmock/gmock.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

#include "server/storage/sqlite_handle.h"
#include "tests/storage/store_test_fixture.h"

namespace kms {
namespace {

using ::testing::HasSubstr;

class SqliteSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = "/tmp/kms_sqlite_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/kms.db";
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  static SqliteDb Raw(const std::string& path) {
    auto db = OpenSqliteDb(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : SqliteDb();
  }

  static int64_t Int(sqlite3* db, const char* sql) {
    auto value = QueryInt64(db, sql);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() ? *value : -1;
  }

  static Bytes Serialize(sqlite3* db) {
    sqlite3_int64 size = 0;
    unsigned char* image = sqlite3_serialize(db, "main", &size, 0);
    if (image == nullptr) return Bytes();
    Bytes bytes(image, image + size);
    sqlite3_free(image);
    return bytes;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteSchemaTest, MigrationsAreIdempotent) {
  SqliteDb db = Raw(path_);
  ASSERT_TRUE(db);
  KMS_ASSERT_OK(MigrateSqliteSchema(db.get()));
  KMS_ASSERT_OK(MigrateSqliteSchema(db.get()));
  KMS_ASSERT_OK_AND_ASSIGN(int version, ReadSqliteSchemaVersion(db.get()));
  EXPECT_EQ(version, LatestSqliteSchemaVersion());
  EXPECT_EQ(Int(db.get(), "SELECT count(*) FROM schema_migrations"),
            LatestSqliteSchemaVersion());
  KMS_EXPECT_OK(CheckSqliteSchemaTables(db.get()));
}

TEST_F(SqliteSchemaTest, OlderSchemaIsMigratedOnOpen) {
  ASSERT_GE(LatestSqliteSchemaVersion(), 2);
  {
    SqliteDb db = Raw(path_);
    KMS_ASSERT_OK(MigrateSqliteSchema(db.get(), 1));
    EXPECT_EQ(Int(db.get(),
                  "SELECT count(*) FROM sqlite_schema "
                  "WHERE name = 'keys_by_ring_label'"),
              0);
    KMS_ASSERT_OK(
        ExecSql(db.get(), "INSERT INTO key_rings VALUES ('old', -1, 0, 7)"));
  }
  KMS_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
  EXPECT_EQ(store->schema_version(), LatestSqliteSchemaVersion());
  KMS_ASSERT_OK_AND_ASSIGN(KeyRingRecord ring, store->GetKeyRing("old"));
  EXPECT_EQ(ring.created_at, 7);
  store.reset();
  SqliteDb db = Raw(path_);
  EXPECT_EQ(Int(db.get(),
                "SELECT count(*) FROM sqlite_schema "
                "WHERE name = 'keys_by_ring_label'"),
            1);
}

TEST_F(SqliteSchemaTest, NewerSchemaIsRefused) {
  { KMS_ASSERT_OK(OpenSqliteStore(path_)); }
  {
    SqliteDb db = Raw(path_);
    KMS_ASSERT_OK(ExecSql(db.get(),
                          "INSERT INTO schema_migrations VALUES "
                          "(999, 'from the future', 0)"));
  }
  auto store = OpenSqliteStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("999"));
  EXPECT_THAT(store.status().message(), HasSubstr("newer"));
}

TEST_F(SqliteSchemaTest, ForeignDatabaseIsRefusedUntouched) {
  {
    SqliteDb db = Raw(path_);
    KMS_ASSERT_OK(ExecSql(db.get(), "CREATE TABLE notes (body TEXT)"));
  }
  auto store = OpenSqliteStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("not a kms database"));
  SqliteDb db = Raw(path_);
  KMS_ASSERT_OK_AND_ASSIGN(std::string mode,
                           QueryText(db.get(), "PRAGMA journal_mode"));
  EXPECT_EQ(mode, "delete");
  EXPECT_EQ(Int(db.get(), "SELECT count(*) FROM sqlite_schema"), 1);
}

TEST_F(SqliteSchemaTest, OpensInWalModeWithOwnerOnlyFile) {
  KMS_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
  EXPECT_EQ(store->backend(), "sqlite");
  struct stat info {};
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  SqliteDb db = Raw(path_);
  KMS_ASSERT_OK_AND_ASSIGN(std::string mode,
                           QueryText(db.get(), "PRAGMA journal_mode"));
  EXPECT_EQ(mode, "wal");
  EXPECT_EQ(Int(db.get(), "PRAGMA application_id"), kSqliteApplicationId);
}

TEST_F(SqliteSchemaTest, SchedulerQueriesUseTheirIndexes) {
  SqliteDb db = Raw(path_);
  KMS_ASSERT_OK(MigrateSqliteSchema(db.get()));
  // The "detail" column of every row of the plan.
  auto plan = [&](const char* sql) {
    sqlite3_stmt* raw = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db.get(), sql, -1, &raw, nullptr), SQLITE_OK);
    SqliteStmt stmt(raw);
    std::string details;
    while (raw != nullptr && sqlite3_step(raw) == SQLITE_ROW) {
      details += reinterpret_cast<const char*>(sqlite3_column_text(raw, 3));
      details += "\n";
    }
    return details;
  };
  EXPECT_THAT(plan("EXPLAIN QUERY PLAN SELECT id FROM keys WHERE "
                   "rotation_period_seconds > 0 AND deleted = 0 AND "
                   "next_rotation_at <= 5 ORDER BY next_rotation_at, id"),
              HasSubstr("keys_by_next_rotation"));
  EXPECT_THAT(plan("EXPLAIN QUERY PLAN SELECT key_id FROM key_versions WHERE "
                   "state = 'DESTROY_SCHEDULED' AND destroy_at <= 5"),
              HasSubstr("key_versions_by_destroy_at"));
  EXPECT_THAT(plan("EXPLAIN QUERY PLAN SELECT id FROM keys WHERE "
                   "key_ring = 'r' AND label = 'l'"),
              HasSubstr("keys_by_ring_label"));
  // The page query of a find by label (SqliteStore::ListKeys).
  EXPECT_THAT(plan("EXPLAIN QUERY PLAN SELECT id FROM keys WHERE key_ring = "
                   "'r' AND id > '' AND (0 OR deleted = 0) AND label = 'l' "
                   "ORDER BY id LIMIT 100"),
              HasSubstr("keys_by_ring_label (key_ring=? AND label=? AND id>?)"));
}

TEST_F(SqliteSchemaTest, SnapshotOfForeignDatabaseIsRefused) {
  KMS_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
  KMS_ASSERT_OK(store->CreateKeyRing(MakeRing("keep")));
  SqliteDb other = Raw(":memory:");
  KMS_ASSERT_OK(ExecSql(other.get(), "CREATE TABLE key_rings (name TEXT)"));
  Bytes foreign = Serialize(other.get());
  ASSERT_FALSE(foreign.empty());
  Status status = store->ImportSnapshot(View(foreign));
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("not a kms database"));

  SqliteDb empty = Raw(":memory:");
  KMS_ASSERT_OK(ExecSql(empty.get(), "PRAGMA user_version = 1"));
  EXPECT_EQ(store->ImportSnapshot(View(Serialize(empty.get()))).code(),
            ErrorCode::kInvalidArgument);
  KMS_EXPECT_OK(store->GetKeyRing("keep"));
}

TEST_F(SqliteSchemaTest, SnapshotWithTriggerIsRefused) {
  KMS_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
  SqliteDb other = Raw(":memory:");
  KMS_ASSERT_OK(MigrateSqliteSchema(other.get()));
  KMS_ASSERT_OK(ExecSql(other.get(),
                        "CREATE TRIGGER sneaky AFTER INSERT ON audit BEGIN "
                        "DELETE FROM audit; END"));
  EXPECT_EQ(store->ImportSnapshot(View(Serialize(other.get()))).code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(SqliteSchemaTest, SnapshotFromNewerSchemaIsRefused) {
  KMS_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
  SqliteDb other = Raw(":memory:");
  KMS_ASSERT_OK(MigrateSqliteSchema(other.get()));
  KMS_ASSERT_OK(ExecSql(other.get(),
                        "INSERT INTO schema_migrations VALUES (999, 'x', 0)"));
  EXPECT_EQ(store->ImportSnapshot(View(Serialize(other.get()))).code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store->schema_version(), LatestSqliteSchemaVersion());
}

TEST_F(SqliteSchemaTest, SnapshotFromOlderSchemaIsMigrated) {
  KMS_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
  SqliteDb other = Raw(":memory:");
  KMS_ASSERT_OK(MigrateSqliteSchema(other.get(), 1));
  KMS_ASSERT_OK(
      ExecSql(other.get(), "INSERT INTO key_rings VALUES ('v1', 30, 1, 9)"));
  KMS_ASSERT_OK(store->ImportSnapshot(View(Serialize(other.get()))));
  EXPECT_EQ(store->schema_version(), LatestSqliteSchemaVersion());
  KMS_ASSERT_OK_AND_ASSIGN(KeyRingRecord ring, store->GetKeyRing("v1"));
  EXPECT_EQ(ring.destroy_wait_seconds, 30);
  store.reset();
  SqliteDb db = Raw(path_);
  KMS_ASSERT_OK_AND_ASSIGN(std::string mode,
                           QueryText(db.get(), "PRAGMA journal_mode"));
  EXPECT_EQ(mode, "wal");  // the restore kept the live file in WAL mode
}

}  // namespace
}  // namespace kms
