#include "server/api/handlers.h"
#include "server/api/json_views.h"
#include "server/crypto/operations.h"
#include "server/keys/key_service.h"

namespace kms {
namespace {

// `label_field` names the RSA-OAEP label: "label" for wrap; "oaep_label" for
// unwrap, where "label" is the new key's label.
Result<WrapParams> ReadWrapParams(JsonReader& body,
                                  std::string_view label_field) {
  WrapParams params;
  std::string mechanism = body.String("mechanism");
  auto hash = body.OptionalString("hash");
  auto mgf1 = body.OptionalString("mgf1_hash");
  params.label = body.OptionalBase64(label_field).value_or(Bytes());
  KMS_RETURN_IF_ERROR(body.status());
  KMS_ASSIGN_OR_RETURN(params.mechanism, ParseWrapMechanism(mechanism));
  if (hash) {
    KMS_ASSIGN_OR_RETURN(params.oaep_hash, ParseHash(*hash));
  }
  params.mgf1_hash = params.oaep_hash;
  if (mgf1) {
    KMS_ASSIGN_OR_RETURN(params.mgf1_hash, ParseHash(*mgf1));
  }
  return params;
}

// The attributes of a key made by unwrap or import.
Result<CreateKeyRequest> ReadNewKey(JsonReader& body) {
  CreateKeyRequest request;
  request.label = body.String("label");
  std::string algorithm = body.String("algorithm");
  auto usages = body.OptionalStrings("usages");
  request.exportable = body.Bool("exportable", false);
  KMS_RETURN_IF_ERROR(body.status());
  KMS_ASSIGN_OR_RETURN(request.algorithm, ParseAlgorithm(algorithm));
  if (usages) {
    KMS_ASSIGN_OR_RETURN(request.usages, ParseUsages(*usages));
  }
  return request;
}

Result<Json> NewKeyReply(RequestScope& scope, const KeyRecord& key) {
  scope.audit().detail = "new key " + key.id;
  KMS_ASSIGN_OR_RETURN(
      auto versions, scope.context().store->ListVersions(key.key_ring, key.id));
  return KeyJson(key, versions);
}

}  // namespace

Result<Json> HandleWrap(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  std::string target_id = body->String("target_key_id");
  auto target_version = body->OptionalInt("target_version");
  auto version = body->OptionalInt("version");
  KMS_ASSIGN_OR_RETURN(WrapParams params, ReadWrapParams(*body, "label"));
  KMS_RETURN_IF_ERROR(body->Finish());
  KeyService* keys = scope.context().keys;
  const std::string& ring = scope.param(0);
  KMS_ASSIGN_OR_RETURN(
      UsableKey wrapping,
      keys->LoadForUse(ring, scope.param(1),
                       version ? std::optional<int>(static_cast<int>(*version))
                               : std::nullopt,
                       kUsageWrap));
  scope.audit().version = wrapping.version.version;
  scope.audit().detail = "target " + target_id;
  KMS_ASSIGN_OR_RETURN(
      UsableKey target,
      keys->LoadForExport(
          ring, target_id,
          target_version
              ? std::optional<int>(static_cast<int>(*target_version))
              : std::nullopt));
  scope.audit().detail += " version " + std::to_string(target.version.version);
  KMS_ASSIGN_OR_RETURN(Bytes wrapped,
                       WrapKey(*wrapping.material, params, *target.material));
  Json j = Json::Object();
  j.Set("version", wrapping.version.version);
  j.Set("target_version", target.version.version);
  j.SetBase64("wrapped", View(wrapped));
  return j;
}

Result<Json> HandleUnwrap(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  Bytes wrapped = body->Base64("wrapped");
  auto version = body->OptionalInt("version");
  KMS_ASSIGN_OR_RETURN(WrapParams params, ReadWrapParams(*body, "oaep_label"));
  KMS_ASSIGN_OR_RETURN(CreateKeyRequest request, ReadNewKey(*body));
  KMS_RETURN_IF_ERROR(body->Finish());
  KeyService* keys = scope.context().keys;
  KMS_ASSIGN_OR_RETURN(
      UsableKey unwrapping,
      keys->LoadForUse(scope.param(0), scope.param(1),
                       version ? std::optional<int>(static_cast<int>(*version))
                               : std::nullopt,
                       kUsageUnwrap));
  scope.audit().version = unwrapping.version.version;
  KMS_ASSIGN_OR_RETURN(KeyMaterial material,
                       UnwrapKey(*unwrapping.material, params, View(wrapped),
                                 request.algorithm));
  KMS_ASSIGN_OR_RETURN(KeyRecord key,
                       keys->ImportKey(scope.param(0), request, material));
  return NewKeyReply(scope, key);
}

Result<Json> HandleImport(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  SecureBytes raw = body->SecretBase64("material");
  KMS_ASSIGN_OR_RETURN(CreateKeyRequest request, ReadNewKey(*body));
  KMS_RETURN_IF_ERROR(body->Finish());
  KMS_ASSIGN_OR_RETURN(KeyMaterial material,
                       KeyMaterial::Deserialize(request.algorithm, View(raw)));
  KMS_ASSIGN_OR_RETURN(KeyRecord key, scope.context().keys->ImportKey(
                                          scope.param(0), request, material));
  return NewKeyReply(scope, key);
}

Result<Json> HandleRandom(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  int64_t length = body->Int("length");
  KMS_RETURN_IF_ERROR(body->Finish());
  if (length < 1 || length > 4096) {
    return Error(ErrorCode::kInvalidArgument,
                 "length must be between 1 and 4096");
  }
  KMS_ASSIGN_OR_RETURN(
      Bytes random, scope.context().root->Random(static_cast<size_t>(length)));
  Json j = Json::Object();
  j.SetBase64("random", View(random));
  return j;
}

}  // namespace kms
