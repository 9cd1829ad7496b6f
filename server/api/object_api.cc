#include <openssl/rand.h>

#include "common/encoding.h"
#include "common/openssl_raii.h"
#include "common/time_util.h"
#include "server/api/handlers.h"
#include "server/api/json_views.h"
#include "server/keys/key_service.h"

namespace kms {
namespace {

Status CheckValue(const std::string& object_class, const Bytes& value) {
  const unsigned char* p = value.data();
  if (object_class == "certificate") {
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(value.size())));
    if (!cert || p != value.data() + value.size()) {
      return Error(ErrorCode::kDataInvalid,
                   "certificate value must be one DER X.509 certificate");
    }
  } else if (object_class == "public_key") {
    EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(value.size())));
    if (!key || p != value.data() + value.size()) {
      return Error(ErrorCode::kDataInvalid,
                   "public_key value must be a DER SubjectPublicKeyInfo");
    }
  } else if (object_class != "data") {
    return Error(ErrorCode::kInvalidArgument,
                 "class must be \"certificate\", \"data\" or \"public_key\"");
  }
  return Status::Ok();
}

Status CheckCkId(const Bytes& ck_id) {
  if (ck_id.size() > 64) {
    return Error(ErrorCode::kInvalidArgument, "ck_id must be at most 64 bytes");
  }
  return Status::Ok();
}

// A caller without a token (and not an admin) reads only public objects:
// data objects created with "private": true in their attributes are left
// out, as a PKCS#11 token hides private objects before login.
bool PublicView(RequestScope& scope) {
  return !scope.token() && scope.client().role != "admin";
}

bool IsPrivate(const ObjectRecord& o) {
  auto attributes =
      Json::Parse(o.attributes_json.empty() ? "{}" : o.attributes_json);
  return attributes.ok() && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                                attributes->get(), "private"));
}

}  // namespace

Result<Json> HandleListObjects(RequestScope& scope) {
  Store* store = scope.context().store;
  KMS_RETURN_IF_ERROR(store->GetKeyRing(scope.param(0)).status());
  KMS_ASSIGN_OR_RETURN(auto objects, store->ListObjects(scope.param(0)));
  Json list = Json::Array();
  bool public_view = PublicView(scope);
  for (const auto& o : objects) {
    if (public_view && IsPrivate(o)) continue;
    list.Append(ObjectJson(o));
  }
  Json j = Json::Object();
  j.Set("objects", std::move(list));
  return j;
}

Result<Json> HandleCreateObject(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  ObjectRecord o;
  o.key_ring = scope.param(0);
  o.object_class = body->String("class");
  o.label = body->OptionalString("label").value_or("");
  o.ck_id = body->OptionalBase64("ck_id").value_or(Bytes());
  o.value = body->Base64("value");
  const cJSON* attributes = body->Object("attributes", false);
  KMS_RETURN_IF_ERROR(body->Finish());
  KMS_RETURN_IF_ERROR(CheckValue(o.object_class, o.value));
  KMS_RETURN_IF_ERROR(CheckCkId(o.ck_id));
  if (!o.label.empty()) KMS_RETURN_IF_ERROR(ValidateLabel(o.label));
  if (attributes != nullptr) {
    char* text = cJSON_PrintUnformatted(attributes);
    o.attributes_json = text != nullptr ? text : "{}";
    cJSON_free(text);
  } else {
    o.attributes_json = "{}";
  }
  KMS_RETURN_IF_ERROR(scope.context().store->GetKeyRing(o.key_ring).status());
  uint8_t raw[8];
  if (RAND_bytes(raw, sizeof(raw)) != 1) {
    return Error(ErrorCode::kInternal, "RNG failure");
  }
  o.id = "o" + HexEncode(raw);
  o.created_at = NowMillis();
  scope.audit().detail = o.object_class + " " + o.id + " '" + o.label + "'";
  KMS_RETURN_IF_ERROR(scope.context().store->CreateObject(o));
  return ObjectJson(o);
}

Result<Json> HandleGetObject(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(ObjectRecord o, scope.context().store->GetObject(
                                           scope.param(0), scope.param(1)));
  if (PublicView(scope) && IsPrivate(o)) {
    return Error(ErrorCode::kNotFound, "no object " + scope.param(1));
  }
  return ObjectJson(o);
}

Result<Json> HandleUpdateObject(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  auto label = body->OptionalString("label");
  auto ck_id = body->OptionalBase64("ck_id");
  KMS_RETURN_IF_ERROR(body->Finish());
  Store* store = scope.context().store;
  KMS_ASSIGN_OR_RETURN(ObjectRecord o,
                       store->GetObject(scope.param(0), scope.param(1)));
  scope.audit().detail = o.object_class + " " + o.id;
  if (label) {
    if (!label->empty()) KMS_RETURN_IF_ERROR(ValidateLabel(*label));
    o.label = *label;
  }
  if (ck_id) {
    KMS_RETURN_IF_ERROR(CheckCkId(*ck_id));
    o.ck_id = *ck_id;
  }
  KMS_RETURN_IF_ERROR(store->UpdateObject(o));
  return ObjectJson(o);
}

Result<Json> HandleDeleteObject(RequestScope& scope) {
  scope.audit().detail = "object " + scope.param(1);
  KMS_RETURN_IF_ERROR(
      scope.context().store->DeleteObject(scope.param(0), scope.param(1)));
  return Json::Object();
}

}  // namespace kms
