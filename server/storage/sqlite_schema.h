// The SQLite schema as an ordered list of migrations. A database records
// each applied step in schema_migrations; opening applies the missing steps
// in one transaction, so a crash mid-migration leaves the old schema intact.
#ifndef KMS_SERVER_STORAGE_SQLITE_SCHEMA_H_
#define KMS_SERVER_STORAGE_SQLITE_SCHEMA_H_

#include <sqlite3.h>

#include "common/status.h"

namespace kms {

// Marks a file as a kms database (PRAGMA application_id), so that another
// program's SQLite file is never mistaken for (or migrated into) one.
inline constexpr int kSqliteApplicationId = 0x4b4d5331;  // "KMS1"

// The newest schema version this build knows.
int LatestSqliteSchemaVersion();

// Current version of an open database: 0 when no kms schema exists yet.
// kFailedPrecondition if the file belongs to another application.
Result<int> ReadSqliteSchemaVersion(sqlite3* db);

// Applies pending migrations up to target_version (default: latest) in one
// transaction. Idempotent. Fails with kFailedPrecondition, changing nothing,
// when the database is newer than this build or is not a kms database.
Status MigrateSqliteSchema(sqlite3* db, int target_version = -1);

// Checks that every table the current schema defines is present, for
// validating a snapshot before it replaces the live data.
Status CheckSqliteSchemaTables(sqlite3* db);

}  // namespace kms

#endif  // KMS_SERVER_STORAGE_SQLITE_SCHEMA_H_
