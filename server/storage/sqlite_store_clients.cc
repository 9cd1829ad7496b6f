// Clients and their grants.
#include "server/storage/sqlite_store.h"

namespace kms {
namespace {

#define KMS_CLIENT_COLUMNS \
  "name, role, cert_fingerprint, cert_subject, created_at"

ClientRecord ReadClient(const BoundStatement& row) {
  ClientRecord client;
  client.name = row.Text(0);
  client.role = row.Text(1);
  client.cert_fingerprint = row.Text(2);
  client.cert_subject = row.Text(3);
  client.created_at = row.Int64(4);
  return client;
}

// Which uniqueness rule a new client broke, from SQLite's message (which
// names the column, never the value).
Status ClientConflict(const ClientRecord& client, const Status& status) {
  const std::string& detail = status.message();
  std::string message;
  if (detail.find("clients.cert_fingerprint") != std::string::npos) {
    message = "a client with certificate fingerprint '" +
              client.cert_fingerprint + "' already exists";
  } else if (detail.find("clients.cert_subject") != std::string::npos) {
    message = "a client with certificate subject '" + client.cert_subject +
              "' already exists";
  } else {
    message = "client '" + client.name + "' already exists";
  }
  return Error(ErrorCode::kAlreadyExists, std::move(message));
}

}  // namespace

Status SqliteStore::CreateClient(const ClientRecord& client) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    KMS_ASSIGN_OR_RETURN(BoundStatement insert,
                         Prepare("INSERT INTO clients (" KMS_CLIENT_COLUMNS
                                 ") VALUES (?1, ?2, ?3, ?4, ?5)"));
    insert.Bind(1, client.name)
        .Bind(2, client.role)
        .Bind(3, client.cert_fingerprint)
        .Bind(4, client.cert_subject)
        .Bind(5, client.created_at);
    Status status = insert.Run();
    if (status.code() == ErrorCode::kAlreadyExists) {
      return ClientConflict(client, status);
    }
    return status;
  });
}

Result<ClientRecord> SqliteStore::GetClient(const std::string& name) {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT " KMS_CLIENT_COLUMNS " FROM clients WHERE name = ?1"));
  query.Bind(1, name);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Error(ErrorCode::kNotFound, "client '" + name + "' not found");
  }
  return ReadClient(query);
}

Result<ClientRecord> SqliteStore::FindClientByCertificate(
    const std::string& fingerprint, const std::string& subject) {
  std::lock_guard lock(mu_);
  // Empty values never match: clients registered by one of the two carry an
  // empty string in the other column.
  if (!fingerprint.empty()) {
    KMS_ASSIGN_OR_RETURN(BoundStatement query,
                         Prepare("SELECT " KMS_CLIENT_COLUMNS
                                 " FROM clients WHERE cert_fingerprint = ?1"));
    query.Bind(1, fingerprint);
    KMS_ASSIGN_OR_RETURN(bool found, query.Step());
    if (found) return ReadClient(query);
  }
  if (!subject.empty()) {
    KMS_ASSIGN_OR_RETURN(BoundStatement query,
                         Prepare("SELECT " KMS_CLIENT_COLUMNS
                                 " FROM clients WHERE cert_subject = ?1"));
    query.Bind(1, subject);
    KMS_ASSIGN_OR_RETURN(bool found, query.Step());
    if (found) return ReadClient(query);
  }
  return Error(
      ErrorCode::kNotFound,
      "no client is registered for certificate subject '" + subject + "'");
}

Result<std::vector<ClientRecord>> SqliteStore::ListClients() {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(
      BoundStatement query,
      Prepare("SELECT " KMS_CLIENT_COLUMNS " FROM clients ORDER BY name"));
  std::vector<ClientRecord> clients;
  while (true) {
    KMS_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    clients.push_back(ReadClient(query));
  }
  return clients;
}

Status SqliteStore::SetGrant(const GrantRecord& grant) {
  return Durably([&]() -> Status {
    std::lock_guard lock(mu_);
    if (grant.permissions == 0) {
      KMS_ASSIGN_OR_RETURN(
          BoundStatement del,
          Prepare("DELETE FROM grants WHERE client = ?1 AND key_ring = ?2"));
      del.Bind(1, grant.client).Bind(2, grant.key_ring);
      return del.Run();
    }
    KMS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(cache_));
    KMS_RETURN_IF_ERROR(RequireClient(grant.client));
    KMS_RETURN_IF_ERROR(RequireKeyRing(grant.key_ring));
    {
      KMS_ASSIGN_OR_RETURN(
          BoundStatement upsert,
          Prepare("INSERT INTO grants (client, key_ring, permissions) "
                  "VALUES (?1, ?2, ?3) ON CONFLICT (client, key_ring) "
                  "DO UPDATE SET permissions = excluded.permissions"));
      upsert.Bind(1, grant.client)
          .Bind(2, grant.key_ring)
          .Bind(3, grant.permissions);
      KMS_RETURN_IF_ERROR(upsert.Run());
    }
    return txn.Commit();
  });
}

Result<GrantRecord> SqliteStore::GetGrant(const std::string& client,
                                          const std::string& key_ring) {
  std::lock_guard lock(mu_);
  KMS_ASSIGN_OR_RETURN(BoundStatement query,
                       Prepare("SELECT permissions FROM grants "
                               "WHERE client = ?1 AND key_ring = ?2"));
  query.Bind(1, client).Bind(2, key_ring);
  KMS_ASSIGN_OR_RETURN(bool found, query.Step());
  GrantRecord grant{client, key_ring, 0};
  if (found) grant.permissions = static_cast<uint32_t>(query.Int64(0));
  return grant;
}

Result<std::vector<GrantRecord>> SqliteStore::ListGrants(
    const std::string& client) {
  std::lock_guard lock(mu_);
  KMS_RETURN_IF_ERROR(RequireClient(client));
  KMS_ASSIGN_OR_RETURN(BoundStatement query,
                       Prepare("SELECT client, key_ring, permissions "
                               "FROM grants WHERE client = ?1 "
                               "ORDER BY key_ring"));
  query.Bind(1, client);
  std::vector<GrantRecord> grants;
  while (true) {
    KMS_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    grants.push_back(GrantRecord{query.Text(0), query.Text(1),
                                 static_cast<uint32_t>(query.Int64(2))});
  }
  return grants;
}

#undef KMS_CLIENT_COLUMNS

}  // namespace kms
