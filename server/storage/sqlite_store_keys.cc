// Key rings, keys and key versions.
#include <utility>

#include "server/storage/sqlite_store.h"

namespace kms {
namespace {

// Column lists shared by every SELECT of a table, so that the readers below
// and the queries cannot disagree on positions. Spliced into SQL literals at
// compile time; values are always bound.
#define KMS_KEY_RING_COLUMNS \
  "name, destroy_wait_seconds, allow_import, created_at"
#define KMS_KEY_COLUMNS                                                   \
  "key_ring, id, label, algorithm, usages, rotation_period_seconds, "     \
  "next_rotation_at, exportable, imported, primary_version, created_at, " \
  "deleted"
#define KMS_VERSION_COLUMNS                                  \
  "key_ring, key_id, version, state, state_before_destroy, " \
  "sealed_material, public_key_der, created_at, destroy_at, destroyed_at"

KeyRingRecord ReadKeyRing(const BoundStatement& row) {
  KeyRingRecord ring;
  ring.name = row.Text(0);
  ring.destroy_wait_seconds = row.Int64(1);
  ring.allow_import = row.Bool(2);
  ring.created_at = row.Int64(3);
  return ring;
}

// The columns of a version as ?1..?10 (KMS_VERSION_COLUMNS order), for
// insert and update alike.
void BindVersion(BoundStatement& statement, const KeyVersionRecord& version) {
  statement.Bind(1, version.key_ring)
      .Bind(2, version.key_id)
      .Bind(3, version.version)
      .Bind(4, VersionStateName(version.state))
      .Bind(5, VersionStateName(version.state_before_destroy))
      .BindBlob(6, View(version.sealed_material))
      .BindBlob(7, View(version.public_key_der))
      .Bind(8, version.created_at)
      .Bind(9, version.destroy_at)
      .Bind(10, version.destroyed_at);
}

// Binds a key's fields as ?1..?12, in KMS_KEY_COLUMNS order.
void BindKey(BoundStatement& statement, const KeyRecord& key) {
  statement.Bind(1, key.key_ring)
      .Bind(2, key.id)
      .Bind(3, key.label)
      .Bind(4, key.algorithm)
      .Bind(5, key.usages)
      .Bind(6, key.rotation_period_seconds)
      .Bind(7, key.next_rotation_at)
      .Bind(8, key.exportable)
      .Bind(9, key.imported)
      .Bind(10, key.primary_version)
      .Bind(11, key.created_at)
      .Bind(12, key.deleted);
}

KeyRecord ReadKey(const BoundStatement& row) {
  KeyRecord key;
  key.key_ring = row.Text(0);
  key.id = row.Text(1);
  key.label = row.Text(2);
  key.algorithm = row.Text(3);
  key.usages = static_cast<uint32_t>(row.Int64(4));
  key.rotation_period_seconds = row.Int64(5);
  key.next_rotation_at = row.Int64(6);
  key.exportable = row.Bool(7);
  key.imported = row.Bool(8);
  key.primary_version = row.Int(9);
  key.created_at = row.Int64(10);
  key.deleted = row.Bool(11);
  return key;
}

Result<KeyVersionRecord> ReadVersion(const BoundStatement& row) {
  KeyVersionRecord version;
  version.key_ring = row.Text(0);
  version.key_id = row.Text(1);
  version.version = row.Int(2);
  if (!ParseVersionState(row.Text(3), &version.state) ||
      !ParseVersionState(row.Text(4), &version.state_before_destroy)) {
    return Error(ErrorCode::kInternal, "stored version state is invalid");
  }
  version.sealed_material = row.Blob(5);
  version.public_key_der = row.Blob(6);
  version.created_at = row.Int64(7);
  version.destroy_at = row.Int64(8);
  version.destroyed_at = row.Int64(9);
  return version;
}

Result<std::vector<KeyRecord>> CollectKeys(BoundStatement& query) {
  std::vector<KeyRecord> keys;
  while (true) {
    KMS_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    keys.push_back(ReadKey(query));
  }
  return keys;
}

Result<std::vector<KeyVersionRecord>> CollectVersions(BoundStatement& query) {
  std::vector<KeyVersionRecord> versions;
  while (true) {
    KMS_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    KMS_ASSIGN_OR_RETURN(KeyVersionRecord version, ReadVersion(query));
    versions.push_back(std::move(version));
  }
  return versions;
}

std::string VersionName(const std::string& key_ring, const std::string& key_id,
                        int version) {
  return "version " + std::to_string(version) + " of key '" + key_id +
         "' in key ring '" + key_ring + "'";
}

}  // namespace

Status SqliteStore::CreateKeyRing(const KeyRingRecord& ring) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(BoundStatement insert,
                         Prepare("INSERT INTO key_rings (" KMS_KEY_RING_COLUMNS
                                 ") VALUES (?1, ?2, ?3, ?4)"));
    insert.Bind(1, ring.name)
        .Bind(2, ring.destroy_wait_seconds)
        .Bind(3, ring.allow_import)
        .Bind(4, ring.created_at);
    Status status = insert.Run();
    if (status.code() == ErrorCode::kAlreadyExists) {
      return Error(ErrorCode::kAlreadyExists,
                   "key ring '" + ring.name + "' already exists");
    }
    return status;
  });
}

Result<KeyRingRecord> SqliteStore::GetKeyRing(const std::string& name) {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(BoundStatement query,
                       Prepare("SELECT " KMS_KEY_RING_COLUMNS
                               " FROM key_rings WHERE name = ?1"));
  query.Bind(1, name);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Error(ErrorCode::kNotFound, "key ring '" + name + "' not found");
  }
  return ReadKeyRing(query);
}

Result<std::vector<KeyRingRecord>> SqliteStore::ListKeyRings() {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT " KMS_KEY_RING_COLUMNS " FROM key_rings ORDER BY name"));
  std::vector<KeyRingRecord> rings;
  while (true) {
    KMS_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    rings.push_back(ReadKeyRing(query));
  }
  return rings;
}

Status SqliteStore::UpdateKeyRing(const KeyRingRecord& ring) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(
        BoundStatement update,
        Prepare("UPDATE key_rings SET destroy_wait_seconds = ?2, "
                "allow_import = ?3, created_at = ?4 WHERE name = ?1"));
    update.Bind(1, ring.name)
        .Bind(2, ring.destroy_wait_seconds)
        .Bind(3, ring.allow_import)
        .Bind(4, ring.created_at);
    KMS_RETURN_IF_ERROR(update.Run());
    if (update.changes() == 0) {
      return Error(ErrorCode::kNotFound,
                   "key ring '" + ring.name + "' not found");
    }
    return Status::Ok();
  });
}

Status SqliteStore::InsertVersion(const KeyVersionRecord& version) {
  KMS_ASSIGN_OR_RETURN(
      BoundStatement insert,
      Prepare("INSERT INTO key_versions (" KMS_VERSION_COLUMNS
              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  BindVersion(insert, version);
  Status status = insert.Run();
  if (status.code() == ErrorCode::kAlreadyExists) {
    return Error(
        ErrorCode::kAlreadyExists,
        VersionName(version.key_ring, version.key_id, version.version) +
            " already exists");
  }
  return status;
}

Status SqliteStore::WriteKey(const KeyRecord& key) {
  KMS_ASSIGN_OR_RETURN(
      BoundStatement update,
      Prepare("UPDATE keys SET label = ?3, algorithm = ?4, usages = ?5, "
              "rotation_period_seconds = ?6, next_rotation_at = ?7, "
              "exportable = ?8, imported = ?9, primary_version = ?10, "
              "created_at = ?11, deleted = ?12 "
              "WHERE key_ring = ?1 AND id = ?2"));
  BindKey(update, key);
  KMS_RETURN_IF_ERROR(update.Run());
  if (update.changes() == 0) {
    return Error(
        ErrorCode::kNotFound,
        "key '" + key.id + "' not found in key ring '" + key.key_ring + "'");
  }
  return Status::Ok();
}

Status SqliteStore::CreateKey(const KeyRecord& key,
                              const KeyVersionRecord& first) {
  if (first.key_ring != key.key_ring || first.key_id != key.id) {
    return Error(ErrorCode::kInvalidArgument,
                 "first version does not belong to key '" + key.id + "'");
  }
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(cache_));
    KMS_RETURN_IF_ERROR(RequireKeyRing(key.key_ring));
    {
      KMS_ASSIGN_OR_RETURN(
          BoundStatement insert,
          Prepare(
              "INSERT INTO keys (" KMS_KEY_COLUMNS
              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
      BindKey(insert, key);
      Status status = insert.Run();
      if (status.code() == ErrorCode::kAlreadyExists) {
        // Key ids are unique across the server, not only within a ring.
        return Error(ErrorCode::kAlreadyExists,
                     "key '" + key.id + "' already exists");
      }
      KMS_RETURN_IF_ERROR(status);
    }
    KMS_RETURN_IF_ERROR(InsertVersion(first));
    return txn.Commit();
  });
}

Result<KeyRecord> SqliteStore::GetKey(const std::string& key_ring,
                                      const std::string& id) {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(BoundStatement query,
                       Prepare("SELECT " KMS_KEY_COLUMNS
                               " FROM keys WHERE key_ring = ?1 AND id = ?2"));
  query.Bind(1, key_ring).Bind(2, id);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Error(ErrorCode::kNotFound,
                 "key '" + id + "' not found in key ring '" + key_ring + "'");
  }
  return ReadKey(query);
}

Result<std::vector<KeyRecord>> SqliteStore::ListKeys(
    const std::string& key_ring, const KeyFilter& filter) {
  if (filter.limit <= 0) {
    return Error(ErrorCode::kInvalidArgument, "list limit must be positive");
  }
  std::lock_guard lock(mu_);
  KMS_RETURN_IF_ERROR(RequireKeyRing(key_ring));
  // Two statements rather than "?3 IS NULL OR label = ?3", which would keep
  // the planner from using keys_by_ring_label.
  const char* sql =
      filter.label.has_value()
          ? "SELECT " KMS_KEY_COLUMNS
            " FROM keys WHERE key_ring = ?1 AND id > ?2 AND (?3 OR deleted = "
            "0) AND label = ?5 ORDER BY id LIMIT ?4"
          : "SELECT " KMS_KEY_COLUMNS
            " FROM keys WHERE key_ring = ?1 AND id > ?2 AND (?3 OR deleted = "
            "0) ORDER BY id LIMIT ?4";
  KMS_ASSIGN_OR_RETURN(BoundStatement query, Prepare(sql));
  query.Bind(1, key_ring)
      .Bind(2, filter.after_id)
      .Bind(3, filter.include_deleted)
      .Bind(4, filter.limit);
  if (filter.label.has_value()) query.Bind(5, *filter.label);
  return CollectKeys(query);
}

Status SqliteStore::UpdateKey(const KeyRecord& key) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    return WriteKey(key);
  });
}

Status SqliteStore::AddVersion(const KeyRecord& updated_key,
                               const KeyVersionRecord& version) {
  if (version.key_ring != updated_key.key_ring ||
      version.key_id != updated_key.id) {
    return Error(ErrorCode::kInvalidArgument,
                 "version does not belong to key '" + updated_key.id + "'");
  }
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(cache_));
    KMS_RETURN_IF_ERROR(RequireKey(updated_key.key_ring, updated_key.id));
    KMS_RETURN_IF_ERROR(InsertVersion(version));
    KMS_RETURN_IF_ERROR(WriteKey(updated_key));
    return txn.Commit();
  });
}

Result<KeyVersionRecord> SqliteStore::GetVersion(const std::string& key_ring,
                                                 const std::string& key_id,
                                                 int version) {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT " KMS_VERSION_COLUMNS
              " FROM key_versions WHERE key_ring = ?1 AND key_id = ?2 AND "
              "version = ?3"));
  query.Bind(1, key_ring).Bind(2, key_id).Bind(3, version);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Error(ErrorCode::kNotFound,
                 VersionName(key_ring, key_id, version) + " not found");
  }
  return ReadVersion(query);
}

Result<std::vector<KeyVersionRecord>> SqliteStore::ListVersions(
    const std::string& key_ring, const std::string& key_id) {
  std::lock_guard lock(mu_);
  KMS_RETURN_IF_ERROR(RequireKey(key_ring, key_id));
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT " KMS_VERSION_COLUMNS
              " FROM key_versions WHERE key_ring = ?1 AND key_id = ?2 "
              "ORDER BY version"));
  query.Bind(1, key_ring).Bind(2, key_id);
  return CollectVersions(query);
}

Status SqliteStore::UpdateVersion(const KeyVersionRecord& version) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(
        BoundStatement update,
        Prepare(
            "UPDATE key_versions SET state = ?4, state_before_destroy = ?5, "
            "sealed_material = ?6, public_key_der = ?7, created_at = ?8, "
            "destroy_at = ?9, destroyed_at = ?10 "
            "WHERE key_ring = ?1 AND key_id = ?2 AND version = ?3"));
    BindVersion(update, version);
    KMS_RETURN_IF_ERROR(update.Run());
    if (update.changes() == 0) {
      return Error(
          ErrorCode::kNotFound,
          VersionName(version.key_ring, version.key_id, version.version) +
              " not found");
    }
    return Status::Ok();
  });
}

Result<std::vector<KeyRecord>> SqliteStore::KeysDueForRotation(int64_t now) {
  std::lock_guard lock(mu_);
  // The first two conditions repeat keys_by_next_rotation's WHERE clause.
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT " KMS_KEY_COLUMNS
              " FROM keys WHERE rotation_period_seconds > 0 AND deleted = 0 "
              "AND next_rotation_at <= ?1 ORDER BY next_rotation_at, id"));
  query.Bind(1, now);
  return CollectKeys(query);
}

Result<std::vector<KeyVersionRecord>> SqliteStore::VersionsDueForDestruction(
    int64_t now) {
  std::lock_guard lock(mu_);
  // The state literal repeats key_versions_by_destroy_at's WHERE clause.
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT " KMS_VERSION_COLUMNS
              " FROM key_versions WHERE state = 'DESTROY_SCHEDULED' AND "
              "destroy_at <= ?1 ORDER BY destroy_at, key_ring, key_id, "
              "version"));
  query.Bind(1, now);
  return CollectVersions(query);
}

Result<std::map<std::string, int64_t>> SqliteStore::CountVersionsByState() {
  std::map<std::string, int64_t> counts;
  // Every state appears, with zero when no version is in it, so that metrics
  // built on this do not lose series.
  for (VersionState state :
       {VersionState::kEnabled, VersionState::kDisabled,
        VersionState::kDestroyScheduled, VersionState::kDestroyed}) {
    counts[VersionStateName(state)] = 0;
  }
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT state, count(*) FROM key_versions GROUP BY state"));
  while (true) {
    KMS_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    counts[query.Text(0)] = query.Int64(1);
  }
  return counts;
}

#undef KMS_KEY_RING_COLUMNS
#undef KMS_KEY_COLUMNS
#undef KMS_VERSION_COLUMNS

}  // namespace kms
