#include "server/api/handlers.h"

namespace kms {
namespace {

Json TokenJson(const IssuedToken& issued, int64_t ttl_seconds) {
  Json j = Json::Object();
  j.Set("token", std::string_view(issued.token.data(), issued.token.size()));
  j.Set("expires_at", issued.record.expires_at);
  j.Set("ttl_seconds", ttl_seconds);
  j.Set("client", issued.record.client);
  j.Set("key_ring", issued.record.key_ring);
  return j;
}

}  // namespace

Result<Json> HandleLogin(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  std::string ring = body->String("key_ring");
  SecureString pin = body->SecretString("pin");
  // A PKCS#11 security officer login: only an admin may log in as one.
  // Refused before the PIN is checked, so that it costs no attempt.
  bool as_admin = body->Bool("as_admin", false);
  KMS_RETURN_IF_ERROR(body->Finish());
  scope.audit().key_ring = ring;
  if (as_admin && scope.client().role != "admin") {
    return Error(ErrorCode::kPermissionDenied,
                 "only an admin client may log in as security officer");
  }
  KMS_ASSIGN_OR_RETURN(IssuedToken issued,
                       scope.context().auth->Login(scope.client(), ring, pin));
  return TokenJson(issued, scope.context().auth->config().token_ttl_seconds);
}

Result<Json> HandleRenew(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  KMS_RETURN_IF_ERROR(body->Finish());
  scope.audit().key_ring = scope.token()->key_ring;
  KMS_ASSIGN_OR_RETURN(IssuedToken issued,
                       scope.context().auth->Renew(*scope.token()));
  return TokenJson(issued, scope.context().auth->config().token_ttl_seconds);
}

Result<Json> HandleLogout(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  KMS_RETURN_IF_ERROR(body->Finish());
  scope.audit().key_ring = scope.token()->key_ring;
  KMS_RETURN_IF_ERROR(scope.context().auth->Logout(*scope.token()));
  return Json::Object();
}

Result<Json> HandleChangePin(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  std::string ring = body->String("key_ring");
  SecureString old_pin = body->SecretString("old_pin");
  SecureString new_pin = body->SecretString("new_pin");
  KMS_RETURN_IF_ERROR(body->Finish());
  scope.audit().key_ring = ring;
  KMS_RETURN_IF_ERROR(
      scope.context().auth->ChangePin(scope.client(), ring, old_pin, new_pin));
  return Json::Object();
}

Result<Json> HandlePinStatus(RequestScope& scope) {
  auto ring = scope.Query("key_ring");
  if (!ring) {
    return Error(ErrorCode::kInvalidArgument,
                 "query parameter 'key_ring' is required");
  }
  KMS_RETURN_IF_ERROR(scope.context().store->GetKeyRing(*ring).status());
  KMS_ASSIGN_OR_RETURN(PinStatus status, scope.context().auth->GetPinStatus(
                                             scope.client().name, *ring));
  Json j = Json::Object();
  j.Set("pin_set", status.set);
  j.Set("failed_attempts", status.failed_attempts);
  j.Set("max_attempts", status.max_attempts);
  j.Set("locked", status.locked);
  return j;
}

}  // namespace kms
