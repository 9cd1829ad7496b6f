// Certificates, data objects and public keys (non-key objects).
#include "server/storage/sqlite_store.h"

namespace kms {
namespace {

#define KMS_OBJECT_COLUMNS                                             \
  "key_ring, id, object_class, label, ck_id, value, attributes_json, " \
  "created_at"

ObjectRecord ReadObject(const BoundStatement& row) {
  ObjectRecord object;
  object.key_ring = row.Text(0);
  object.id = row.Text(1);
  object.object_class = row.Text(2);
  object.label = row.Text(3);
  object.ck_id = row.Blob(4);
  object.value = row.Blob(5);
  object.attributes_json = row.Text(6);
  object.created_at = row.Int64(7);
  return object;
}

// Binds an object's fields as ?1..?8, in KMS_OBJECT_COLUMNS order.
void BindObject(BoundStatement& statement, const ObjectRecord& object) {
  statement.Bind(1, object.key_ring)
      .Bind(2, object.id)
      .Bind(3, object.object_class)
      .Bind(4, object.label)
      .BindBlob(5, View(object.ck_id))
      .BindBlob(6, View(object.value))
      .Bind(7, object.attributes_json)
      .Bind(8, object.created_at);
}

std::string NotFoundMessage(const std::string& key_ring,
                            const std::string& id) {
  return "object '" + id + "' not found in key ring '" + key_ring + "'";
}

}  // namespace

Status SqliteStore::CreateObject(const ObjectRecord& object) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(cache_));
    KMS_RETURN_IF_ERROR(RequireKeyRing(object.key_ring));
    {
      KMS_ASSIGN_OR_RETURN(
          BoundStatement insert,
          Prepare("INSERT INTO objects (" KMS_OBJECT_COLUMNS
                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
      BindObject(insert, object);
      Status status = insert.Run();
      if (status.code() == ErrorCode::kAlreadyExists) {
        return Error(ErrorCode::kAlreadyExists,
                     "object '" + object.id + "' already exists");
      }
      KMS_RETURN_IF_ERROR(status);
    }
    return txn.Commit();
  });
}

Result<ObjectRecord> SqliteStore::GetObject(const std::string& key_ring,
                                            const std::string& id) {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT " KMS_OBJECT_COLUMNS
              " FROM objects WHERE key_ring = ?1 AND id = ?2"));
  query.Bind(1, key_ring).Bind(2, id);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Error(ErrorCode::kNotFound, NotFoundMessage(key_ring, id));
  }
  return ReadObject(query);
}

Result<std::vector<ObjectRecord>> SqliteStore::ListObjects(
    const std::string& key_ring) {
  std::lock_guard lock(mu_);
  KMS_RETURN_IF_ERROR(RequireKeyRing(key_ring));
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT " KMS_OBJECT_COLUMNS
              " FROM objects WHERE key_ring = ?1 ORDER BY id"));
  query.Bind(1, key_ring);
  std::vector<ObjectRecord> objects;
  while (true) {
    KMS_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    objects.push_back(ReadObject(query));
  }
  return objects;
}

Status SqliteStore::UpdateObject(const ObjectRecord& object) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(
        BoundStatement update,
        Prepare("UPDATE objects SET object_class = ?3, label = ?4, ck_id = ?5, "
                "value = ?6, attributes_json = ?7, created_at = ?8 "
                "WHERE key_ring = ?1 AND id = ?2"));
    BindObject(update, object);
    KMS_RETURN_IF_ERROR(update.Run());
    if (update.changes() == 0) {
      return Error(ErrorCode::kNotFound,
                   NotFoundMessage(object.key_ring, object.id));
    }
    return Status::Ok();
  });
}

Status SqliteStore::DeleteObject(const std::string& key_ring,
                                 const std::string& id) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(
        BoundStatement del,
        Prepare("DELETE FROM objects WHERE key_ring = ?1 AND id = ?2"));
    del.Bind(1, key_ring).Bind(2, id);
    KMS_RETURN_IF_ERROR(del.Run());
    if (del.changes() == 0) {
      return Error(ErrorCode::kNotFound, NotFoundMessage(key_ring, id));
    }
    return Status::Ok();
  });
}

#undef KMS_OBJECT_COLUMNS

}  // namespace kms
