#include "module/objects/key_store.h"

#include <openssl/rand.h>

#include <cstring>

#include "common/encoding.h"
#include "module/client/kms_client.h"
#include "module/objects/key_objects.h"

namespace kms::p11 {
namespace {

constexpr char kAliasAttribute[] = "kms_key_id";

std::string RingPath(const RingAuth& auth) {
  return "/v1/keyrings/" + UrlEncode(auth.key_ring());
}

CkResult<std::string> GeneratedLabel() {
  uint8_t raw[6];
  if (RAND_bytes(raw, sizeof(raw)) != 1) {
    return CkError(CKR_FUNCTION_FAILED, "RNG failure");
  }
  return "key-" + HexEncode(ByteView(raw, sizeof(raw)));
}

CkResult<std::string> CreateAlias(RingAuth& auth, const std::string& key_id,
                                  const Bytes& ck_id) {
  Json attributes = Json::Object();
  attributes.Set(kAliasAttribute, key_id);
  Json body = Json::Object();
  body.Set("class", "data");
  body.Set("label", "kms key id alias " + key_id);
  body.SetBase64("ck_id", View(ck_id));
  body.SetBase64("value", View(key_id));
  body.Set("attributes", std::move(attributes));
  CK_ASSIGN_OR_RETURN(Json reply,
                      auth.Call("POST", RingPath(auth) + "/objects", body));
  const cJSON* id = cJSON_GetObjectItemCaseSensitive(reply.get(), "id");
  return std::string(cJSON_IsString(id) ? id->valuestring : "");
}

// The body of a key creation or import: label (made up if empty),
// algorithm, usages, exportable.
CkResult<Json> NewKeyBody(const NewKey& request) {
  std::string label = request.label;
  if (label.empty()) {
    CK_ASSIGN_OR_RETURN(label, GeneratedLabel());
  }
  Json body = Json::Object();
  body.Set("label", label);
  body.Set("algorithm", std::string(KeyAlgorithmName(request.algorithm)));
  if (!request.usages.empty()) body.SetStrings("usages", request.usages);
  body.Set("exportable", request.exportable);
  return body;
}

// The objects of a key just made (created or imported), with the
// application's CKA_ID stored in an alias.
CkResult<std::vector<std::shared_ptr<P11Object>>> FinishNewKey(
    RingAuth& auth, const NewKey& request, const Json& key) {
  CK_ASSIGN_OR_RETURN(auto objects, ObjectsForKey(key.get()));
  if (objects.empty()) {
    return CkError(CKR_DEVICE_ERROR, "server returned an unusable key");
  }
  const std::string key_id = objects.front()->key_id();
  if (request.ck_id) {
    auto alias = CreateAlias(auth, key_id, *request.ck_id);
    if (!alias.ok()) {
      (void)DestroyKey(auth, key_id);  // do not leave a half-made key
      return alias.status();
    }
  }
  for (auto& o : objects) {
    if (request.ck_id) ApplyCkId(*o, *request.ck_id);
    if (!request.token) o->SetBool(CKA_TOKEN, false);
  }
  return objects;
}

}  // namespace

CkResult<std::vector<std::shared_ptr<P11Object>>> CreateKey(
    RingAuth& auth, const NewKey& request) {
  CK_ASSIGN_OR_RETURN(Json body, NewKeyBody(request));
  CK_ASSIGN_OR_RETURN(Json key,
                      auth.Call("POST", RingPath(auth) + "/keys", body));
  return FinishNewKey(auth, request, key);
}

CkResult<std::vector<std::shared_ptr<P11Object>>> ImportKey(
    RingAuth& auth, const NewKey& request, const SecureBytes& material) {
  CK_ASSIGN_OR_RETURN(Json body, NewKeyBody(request));
  body.SetBase64("material", View(material));
  auto key = auth.Call("POST", RingPath(auth) + "/import", body);
  const cJSON* copy = cJSON_GetObjectItemCaseSensitive(body.get(), "material");
  if (cJSON_IsString(copy)) {
    SecureWipe(copy->valuestring, std::strlen(copy->valuestring));
  }
  if (!key.ok()) return key.status();
  return FinishNewKey(auth, request, *key);
}

CkResult<std::vector<std::shared_ptr<P11Object>>> RelabelKey(
    RingAuth& auth, const std::string& key_id, const std::string& label) {
  Json body = Json::Object();
  body.Set("label", label);
  CK_ASSIGN_OR_RETURN(Json key, auth.Call("POST",
                                          RingPath(auth) + "/keys/" +
                                              UrlEncode(key_id) + "/update",
                                          body));
  return ObjectsForKey(key.get());
}

CkResult<std::vector<std::shared_ptr<P11Object>>> FetchKey(
    RingAuth& auth, const std::string& key_id) {
  CK_ASSIGN_OR_RETURN(Json key, auth.Call("GET", RingPath(auth) + "/keys/" +
                                                     UrlEncode(key_id)));
  return ObjectsForKey(key.get());
}

CkResult<std::string> SetKeyCkId(RingAuth& auth, const std::string& key_id,
                                 const std::string& alias_id,
                                 const Bytes& ck_id) {
  if (alias_id.empty()) return CreateAlias(auth, key_id, ck_id);
  CK_RETURN_IF_ERROR(
      UpdateObject(auth, alias_id, std::nullopt, ck_id).status());
  return alias_id;
}

CkResult<Json> PostObject(RingAuth& auth, const Json& body) {
  return auth.Call("POST", RingPath(auth) + "/objects", body);
}

CkResult<Json> UpdateObject(RingAuth& auth, const std::string& object_id,
                            const std::optional<std::string>& label,
                            const std::optional<Bytes>& ck_id) {
  Json body = Json::Object();
  if (label) body.Set("label", *label);
  if (ck_id) body.SetBase64("ck_id", View(*ck_id));
  return auth.Call(
      "POST", RingPath(auth) + "/objects/" + UrlEncode(object_id) + "/update",
      body);
}

CkStatus CreateKeyIdAlias(RingAuth& auth, const std::string& key_id,
                          const Bytes& ck_id) {
  return CreateAlias(auth, key_id, ck_id).status();
}

CkStatus DestroyKey(RingAuth& auth, const std::string& key_id) {
  return auth
      .Call("POST", RingPath(auth) + "/keys/" + UrlEncode(key_id) + "/destroy",
            Json::Object())
      .status();
}

CkStatus DestroyKeyVersion(RingAuth& auth, const std::string& key_id,
                           int version) {
  return auth
      .Call("POST",
            RingPath(auth) + "/keys/" + UrlEncode(key_id) + "/versions/" +
                std::to_string(version) + "/destroy",
            Json::Object())
      .status();
}

CkStatus DeleteObject(RingAuth& auth, const std::string& object_id) {
  return auth
      .Call("DELETE", RingPath(auth) + "/objects/" + UrlEncode(object_id))
      .status();
}

std::string AliasKeyId(const cJSON* object) {
  const cJSON* cls = cJSON_GetObjectItemCaseSensitive(object, "class");
  if (!cJSON_IsString(cls) || std::string(cls->valuestring) != "data") {
    return "";
  }
  const cJSON* attributes =
      cJSON_GetObjectItemCaseSensitive(object, "attributes");
  const cJSON* id =
      cJSON_GetObjectItemCaseSensitive(attributes, kAliasAttribute);
  return cJSON_IsString(id) ? id->valuestring : "";
}

void ApplyCkId(P11Object& object, const Bytes& ck_id) {
  Bytes id = ck_id;
  if (object.version() != 0) {
    std::string suffix = VersionSuffix(object.version());
    id.insert(id.end(), suffix.begin(), suffix.end());
  }
  object.SetBytes(CKA_ID, std::move(id));
}

}  // namespace kms::p11
