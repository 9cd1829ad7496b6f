#include "common/time_util.h"
#include "server/api/handlers.h"
#include "server/api/json_views.h"
#include "server/auth/permissions.h"
#include "server/keys/key_service.h"

namespace kms {
namespace {

bool IsHexFingerprint(const std::string& s) {
  return s.size() == 64 &&
         s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

Result<Json> HandleCreateClient(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  ClientRecord client;
  client.name = body->String("name");
  client.role = body->String("role");
  client.cert_fingerprint =
      body->OptionalString("cert_fingerprint").value_or("");
  client.cert_subject = body->OptionalString("cert_subject").value_or("");
  KMS_RETURN_IF_ERROR(body->Finish());
  scope.audit().detail = "client " + client.name;
  KMS_RETURN_IF_ERROR(ValidateKeyRingName(client.name).ok()
                          ? Status::Ok()
                          : Error(ErrorCode::kInvalidArgument,
                                  "client name must be 1-64 characters of "
                                  "A-Z a-z 0-9 . _ -"));
  if (client.role != "admin" && client.role != "application") {
    return Error(ErrorCode::kInvalidArgument,
                 "role must be \"admin\" or \"application\"");
  }
  for (char& c : client.cert_fingerprint) c = static_cast<char>(std::tolower(c));
  if (!client.cert_fingerprint.empty() &&
      !IsHexFingerprint(client.cert_fingerprint)) {
    return Error(ErrorCode::kInvalidArgument,
                 "cert_fingerprint must be 64 hex digits (SHA-256)");
  }
  if (client.cert_fingerprint.empty() && client.cert_subject.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "one of cert_fingerprint and cert_subject is required");
  }
  client.created_at = NowMillis();
  KMS_RETURN_IF_ERROR(scope.context().store->CreateClient(client));
  return ClientJson(client, {});
}

Result<Json> HandleListClients(RequestScope& scope) {
  Store* store = scope.context().store;
  KMS_ASSIGN_OR_RETURN(auto clients, store->ListClients());
  Json list = Json::Array();
  for (const auto& c : clients) {
    KMS_ASSIGN_OR_RETURN(auto grants, store->ListGrants(c.name));
    list.Append(ClientJson(c, grants));
  }
  Json j = Json::Object();
  j.Set("clients", std::move(list));
  return j;
}

Result<Json> HandleSetGrant(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  GrantRecord grant;
  grant.client = scope.param(0);
  grant.key_ring = body->String("key_ring");
  std::vector<std::string> names = body->Strings("permissions");
  KMS_RETURN_IF_ERROR(body->Finish());
  scope.audit().key_ring = grant.key_ring;
  KMS_ASSIGN_OR_RETURN(grant.permissions, ParsePermissions(names));
  std::string detail = "client " + grant.client + ":";
  for (const auto& n : PermissionNames(grant.permissions)) detail += " " + n;
  scope.audit().detail = detail;
  Store* store = scope.context().store;
  KMS_RETURN_IF_ERROR(store->GetClient(grant.client).status());
  KMS_RETURN_IF_ERROR(store->GetKeyRing(grant.key_ring).status());
  KMS_RETURN_IF_ERROR(store->SetGrant(grant));
  return GrantJson(grant);
}

Result<Json> HandleRevokeGrant(RequestScope& scope) {
  GrantRecord grant;
  grant.client = scope.param(0);
  grant.key_ring = scope.param(1);
  scope.audit().key_ring = grant.key_ring;
  scope.audit().detail = "client " + grant.client;
  KMS_RETURN_IF_ERROR(scope.context().store->GetClient(grant.client).status());
  KMS_RETURN_IF_ERROR(scope.context().store->SetGrant(grant));
  return Json::Object();
}

Result<Json> HandleSetClientPin(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  std::string ring = body->String("key_ring");
  SecureString pin = body->SecretString("pin");
  KMS_RETURN_IF_ERROR(body->Finish());
  scope.audit().key_ring = ring;
  scope.audit().detail = "client " + scope.param(0);
  KMS_RETURN_IF_ERROR(scope.context().auth->SetPin(scope.param(0), ring, pin));
  return Json::Object();
}

Result<Json> HandleUnlockClient(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  std::string ring = body->String("key_ring");
  KMS_RETURN_IF_ERROR(body->Finish());
  scope.audit().key_ring = ring;
  scope.audit().detail = "client " + scope.param(0);
  KMS_RETURN_IF_ERROR(scope.context().auth->Unlock(scope.param(0), ring));
  return Json::Object();
}

Result<Json> HandleCreateKeyRing(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  std::string name = body->String("name");
  std::optional<int64_t> wait = body->OptionalInt("destroy_wait_seconds");
  bool allow_import = body->Bool("allow_import", false);
  KMS_RETURN_IF_ERROR(body->Finish());
  scope.audit().key_ring = name;
  KMS_ASSIGN_OR_RETURN(
      KeyRingRecord ring,
      scope.context().keys->CreateKeyRing(name, wait, allow_import));
  return KeyRingJson(ring, scope.context().config.keys.destroy_wait_seconds);
}

Result<Json> HandleListKeyRings(RequestScope& scope) {
  ServerContext& ctx = scope.context();
  KMS_ASSIGN_OR_RETURN(auto rings, ctx.store->ListKeyRings());
  bool admin = scope.client().role == "admin";
  Json list = Json::Array();
  for (const auto& ring : rings) {
    if (!admin) {
      KMS_ASSIGN_OR_RETURN(GrantRecord grant,
                           ctx.store->GetGrant(scope.client().name, ring.name));
      if (grant.permissions == 0) continue;
    }
    list.Append(KeyRingJson(ring, ctx.config.keys.destroy_wait_seconds));
  }
  Json j = Json::Object();
  j.Set("key_rings", std::move(list));
  return j;
}

}  // namespace kms
