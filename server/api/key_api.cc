#include <charconv>

#include "server/api/handlers.h"
#include "server/api/json_views.h"
#include "server/keys/key_service.h"

namespace kms {
namespace {

Result<Json> KeyReply(RequestScope& scope, const KeyRecord& key) {
  KMS_ASSIGN_OR_RETURN(
      auto versions, scope.context().store->ListVersions(key.key_ring, key.id));
  return KeyJson(key, versions);
}

Result<int> VersionParam(RequestScope& scope) {
  const std::string& text = scope.param(2);
  int version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   version);
  if (ec != std::errc() || end != text.data() + text.size() || version < 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "version must be a positive integer");
  }
  scope.audit().version = version;
  return version;
}

Result<Json> ChangeVersion(RequestScope& scope, VersionAction action) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  KMS_RETURN_IF_ERROR(body->Finish());
  KMS_ASSIGN_OR_RETURN(int version, VersionParam(scope));
  KMS_ASSIGN_OR_RETURN(KeyVersionRecord record,
                       scope.context().keys->ChangeVersion(
                           scope.param(0), scope.param(1), version, action));
  return VersionJson(record);
}

Result<Json> EmptyBodyThen(
    RequestScope& scope,
    Result<KeyRecord> (KeyService::*action)(const std::string&,
                                            const std::string&)) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  KMS_RETURN_IF_ERROR(body->Finish());
  KMS_ASSIGN_OR_RETURN(
      KeyRecord key,
      (scope.context().keys->*action)(scope.param(0), scope.param(1)));
  scope.audit().version = key.primary_version;
  return KeyReply(scope, key);
}

}  // namespace

Result<Json> HandleListKeys(RequestScope& scope) {
  Store* store = scope.context().store;
  KMS_RETURN_IF_ERROR(store->GetKeyRing(scope.param(0)).status());
  KeyFilter filter;
  filter.label = scope.Query("label");
  filter.include_deleted = scope.Query("include_deleted") == "true";
  filter.after_id = scope.Query("after").value_or("");
  int limit = 1000;
  if (auto text = scope.Query("limit")) {
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(),
                                     limit);
    if (ec != std::errc() || end != text->data() + text->size() || limit < 1 ||
        limit > 1000) {
      return Error(ErrorCode::kInvalidArgument,
                   "limit must be between 1 and 1000");
    }
  }
  // One more than asked, to know whether another page follows.
  filter.limit = limit + 1;
  KMS_ASSIGN_OR_RETURN(auto keys, store->ListKeys(scope.param(0), filter));
  Json list = Json::Array();
  bool more = static_cast<int>(keys.size()) > limit;
  if (more) keys.resize(static_cast<size_t>(limit));
  for (const auto& key : keys) {
    KMS_ASSIGN_OR_RETURN(auto versions,
                         store->ListVersions(key.key_ring, key.id));
    list.Append(KeyJson(key, versions));
  }
  Json j = Json::Object();
  j.Set("keys", std::move(list));
  if (more) j.Set("next_after", keys.back().id);
  return j;
}

Result<Json> HandleCreateKey(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  CreateKeyRequest request;
  request.label = body->String("label");
  std::string algorithm = body->String("algorithm");
  auto usages = body->OptionalStrings("usages");
  request.rotation_period_seconds = body->Int("rotation_period_seconds", 0);
  request.exportable = body->Bool("exportable", false);
  KMS_RETURN_IF_ERROR(body->Finish());
  KMS_ASSIGN_OR_RETURN(request.algorithm, ParseAlgorithm(algorithm));
  if (usages) {
    KMS_ASSIGN_OR_RETURN(request.usages, ParseUsages(*usages));
  }
  KMS_ASSIGN_OR_RETURN(KeyRecord key, scope.context().keys->CreateKey(
                                          scope.param(0), request));
  scope.audit().key_id = key.id;
  scope.audit().version = 1;
  scope.audit().detail = key.algorithm + " '" + key.label + "'";
  return KeyReply(scope, key);
}

Result<Json> HandleGetKey(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(KeyRecord key, scope.context().store->GetKey(
                                          scope.param(0), scope.param(1)));
  return KeyReply(scope, key);
}

Result<Json> HandleUpdateKey(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  auto label = body->OptionalString("label");
  auto rotation = body->OptionalInt("rotation_period_seconds");
  KMS_RETURN_IF_ERROR(body->Finish());
  if (!label && !rotation) {
    return Error(ErrorCode::kInvalidArgument,
                 "nothing to update: give label or rotation_period_seconds");
  }
  KMS_ASSIGN_OR_RETURN(KeyRecord key,
                       scope.context().keys->UpdateKey(
                           scope.param(0), scope.param(1), label, rotation));
  return KeyReply(scope, key);
}

Result<Json> HandleRotateKey(RequestScope& scope) {
  return EmptyBodyThen(scope, &KeyService::Rotate);
}

Result<Json> HandleEnableVersion(RequestScope& scope) {
  return ChangeVersion(scope, VersionAction::kEnable);
}

Result<Json> HandleDisableVersion(RequestScope& scope) {
  return ChangeVersion(scope, VersionAction::kDisable);
}

Result<Json> HandleDestroyVersion(RequestScope& scope) {
  return ChangeVersion(scope, VersionAction::kDestroy);
}

Result<Json> HandleCancelDestroyVersion(RequestScope& scope) {
  return ChangeVersion(scope, VersionAction::kCancelDestroy);
}

Result<Json> HandleDestroyKey(RequestScope& scope) {
  return EmptyBodyThen(scope, &KeyService::DestroyKey);
}

Result<Json> HandleCancelDestroyKey(RequestScope& scope) {
  return EmptyBodyThen(scope, &KeyService::CancelDestroyKey);
}

}  // namespace kms
