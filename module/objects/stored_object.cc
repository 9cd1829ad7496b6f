#include "module/objects/stored_object.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include "common/encoding.h"
#include "module/objects/certificate_object.h"
#include "module/objects/key_objects.h"

namespace kms::p11 {
namespace {

// Names in the "attributes" object of kmsd's object record.
constexpr char kPrivate[] = "private";
constexpr char kApplication[] = "application";
constexpr char kObjectId[] = "object_id";
constexpr char kCategory[] = "certificate_category";
constexpr char kJavaMidp[] = "java_midp_security_domain";
constexpr char kVerify[] = "verify";
constexpr char kEncrypt[] = "encrypt";
constexpr char kWrap[] = "wrap";
constexpr char kModifiable[] = "modifiable";
constexpr char kDestroyable[] = "destroyable";

std::string StringField(const cJSON* o, const char* name) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsString(v) ? v->valuestring : "";
}

bool BoolField(const cJSON* o, const char* name, bool default_value) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsBool(v) ? cJSON_IsTrue(v) : default_value;
}

CK_ULONG UlongField(const cJSON* o, const char* name) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsNumber(v) && v->valuedouble >= 0 ? v->valueint : 0;
}

CkResult<Bytes> Base64Field(const cJSON* o, const char* name) {
  auto bytes = Base64Decode(StringField(o, name));
  if (!bytes.ok()) {
    return CkError(CKR_DEVICE_ERROR, std::string("bad base64 in ") + name);
  }
  return std::move(bytes).value();
}

CkStatus SetPublicKey(P11Object& o, const StoredObject& s) {
  const unsigned char* p = s.value.data();
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(s.value.size()));
  if (raw == nullptr) {
    ERR_clear_error();
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "unreadable public key");
  }
  std::shared_ptr<EVP_PKEY> pkey(raw, EVP_PKEY_free);
  auto algorithm = PublicKeyAlgorithm(pkey.get());
  if (!algorithm) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   "public key of an unsupported type or size");
  }
  o.set_algorithm(*algorithm);
  o.SetUlong(CKA_KEY_TYPE, CkKeyType(*algorithm));
  o.SetBytes(CKA_SUBJECT, {});
  o.SetBytes(CKA_START_DATE, {});
  o.SetBytes(CKA_END_DATE, {});
  o.SetBool(CKA_DERIVE, false);
  o.SetBool(CKA_LOCAL, false);
  o.SetUlong(CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION);
  o.SetBool(CKA_VERIFY, s.verify);
  o.SetBool(CKA_VERIFY_RECOVER, false);
  o.SetBool(CKA_ENCRYPT, s.encrypt);
  o.SetBool(CKA_WRAP, s.wrap);
  o.SetBool(CKA_TRUSTED, false);
  return SetPublicKeyAttributes(o, *algorithm, s.value, std::move(pkey), true);
}

}  // namespace

CkResult<StoredObject> StoredObjectFromJson(const cJSON* object) {
  StoredObject s;
  s.id = StringField(object, "id");
  std::string cls = StringField(object, "class");
  if (cls == "certificate") {
    s.object_class = CKO_CERTIFICATE;
  } else if (cls == "data") {
    s.object_class = CKO_DATA;
  } else if (cls == "public_key") {
    s.object_class = CKO_PUBLIC_KEY;
  } else {
    return CkError(CKR_DEVICE_ERROR, "object of unknown class " + cls);
  }
  if (s.id.empty()) return CkError(CKR_DEVICE_ERROR, "object without id");
  s.label = StringField(object, "label");
  CK_ASSIGN_OR_RETURN(s.ck_id, Base64Field(object, "ck_id"));
  CK_ASSIGN_OR_RETURN(s.value, Base64Field(object, "value"));
  const cJSON* a = cJSON_GetObjectItemCaseSensitive(object, "attributes");
  s.token = true;
  s.modifiable = BoolField(a, kModifiable, true);
  s.destroyable = BoolField(a, kDestroyable, true);
  // Objects stored without the flag (e.g. by kmsctl) are public.
  s.is_private = BoolField(a, kPrivate, false);
  s.application = StringField(a, kApplication);
  CK_ASSIGN_OR_RETURN(s.object_id, Base64Field(a, kObjectId));
  s.certificate_category = UlongField(a, kCategory);
  s.java_midp_security_domain = UlongField(a, kJavaMidp);
  s.verify = BoolField(a, kVerify, true);
  s.encrypt = BoolField(a, kEncrypt, false);
  s.wrap = BoolField(a, kWrap, false);
  return s;
}

Json StoredObjectRequest(const StoredObject& o) {
  Json attributes = Json::Object();
  attributes.Set(kModifiable, o.modifiable);
  attributes.Set(kDestroyable, o.destroyable);
  const char* cls = "data";
  switch (o.object_class) {
    case CKO_CERTIFICATE:
      cls = "certificate";
      attributes.Set(kCategory, static_cast<int64_t>(o.certificate_category));
      attributes.Set(kJavaMidp,
                     static_cast<int64_t>(o.java_midp_security_domain));
      break;
    case CKO_PUBLIC_KEY:
      cls = "public_key";
      attributes.Set(kVerify, o.verify);
      attributes.Set(kEncrypt, o.encrypt);
      attributes.Set(kWrap, o.wrap);
      break;
    default:
      attributes.Set(kPrivate, o.is_private);
      attributes.Set(kApplication, o.application);
      attributes.SetBase64(kObjectId, View(o.object_id));
      break;
  }
  Json body = Json::Object();
  body.Set("class", cls);
  if (!o.label.empty()) body.Set("label", o.label);
  body.SetBase64("ck_id", View(o.ck_id));
  body.SetBase64("value", View(o.value));
  body.Set("attributes", std::move(attributes));
  return body;
}

CkResult<std::shared_ptr<P11Object>> MakeStoredObject(const StoredObject& s) {
  auto o = std::make_shared<P11Object>();
  o->set_class(s.object_class);
  o->set_key_id(s.id);
  o->set_identity((s.token ? "object/" : "session-object/") + s.id);
  o->set_local(!s.token);
  o->SetUlong(CKA_CLASS, s.object_class);
  o->SetBool(CKA_TOKEN, s.token);
  o->SetBool(CKA_PRIVATE, s.object_class == CKO_DATA && s.is_private);
  o->SetBool(CKA_MODIFIABLE, s.modifiable);
  o->SetBool(CKA_COPYABLE, false);
  o->SetBool(CKA_DESTROYABLE, s.destroyable);
  o->SetString(CKA_LABEL, s.label);
  switch (s.object_class) {
    case CKO_CERTIFICATE:
      CK_RETURN_IF_ERROR(SetCertificateAttributes(*o, s.value));
      o->SetBytes(CKA_ID, s.ck_id);
      o->SetUlong(CKA_CERTIFICATE_CATEGORY, s.certificate_category);
      o->SetUlong(CKA_JAVA_MIDP_SECURITY_DOMAIN, s.java_midp_security_domain);
      break;
    case CKO_PUBLIC_KEY:
      CK_RETURN_IF_ERROR(SetPublicKey(*o, s));
      o->SetBytes(CKA_ID, s.ck_id);
      break;
    default:
      // Data objects have no CKA_ID.
      o->SetString(CKA_APPLICATION, s.application);
      o->SetBytes(CKA_OBJECT_ID, s.object_id);
      o->SetBytes(CKA_VALUE, s.value);
      break;
  }
  return o;
}

}  // namespace kms::p11
