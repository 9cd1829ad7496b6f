#include "module/objects/object_import.h"

#include <openssl/err.h>
#include <openssl/objects.h>

#include <algorithm>

#include "module/objects/certificate_object.h"
#include "module/objects/key_material.h"
#include "module/objects/template_reader.h"

namespace kms::p11 {
namespace {

constexpr size_t kMaxObjectId = 64;  // kmsd's limit for ck_id
constexpr size_t kMaxKeyId = 32;     // as for generated keys (docs/pkcs11.md)
constexpr size_t kMaxLabel = 128;    // kmsd's limit for labels

// Attributes the token sets itself; a template may not give them
// (PKCS#11 2.40 section 4.1.1: CKR_ATTRIBUTE_READ_ONLY).
CkStatus RefuseReadOnly(const AttributeList& templ,
                        std::initializer_list<CK_ATTRIBUTE_TYPE> types) {
  for (const auto& a : templ) {
    if (std::find(types.begin(), types.end(), a.type) != types.end()) {
      return CkError(CKR_ATTRIBUTE_READ_ONLY,
                     "an attribute the token sets was given");
    }
  }
  return CkStatus::Ok();
}

CkResult<std::string> Label(TemplateReader& r) {
  CK_ASSIGN_OR_RETURN(std::optional<std::string> label, r.String(CKA_LABEL));
  if (!label) return std::string();
  if (label->size() > kMaxLabel ||
      std::any_of(label->begin(), label->end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      })) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   "CKA_LABEL: at most 128 bytes, no control characters");
  }
  return *label;
}

CkResult<Bytes> Id(TemplateReader& r, size_t max) {
  CK_ASSIGN_OR_RETURN(const Bytes* id, r.Raw(CKA_ID));
  if (id == nullptr) return Bytes();
  if (id->size() > max) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "CKA_ID too long");
  }
  return *id;
}

CkResult<bool> BoolOr(TemplateReader& r, CK_ATTRIBUTE_TYPE type,
                      bool default_value) {
  CK_ASSIGN_OR_RETURN(std::optional<bool> value, r.Bool(type));
  return value.value_or(default_value);
}

// The flags every stored object has.
CkStatus ReadStoredCommon(TemplateReader& r, StoredObject& o, size_t max_id) {
  CK_ASSIGN_OR_RETURN(o.token, BoolOr(r, CKA_TOKEN, false));
  CK_ASSIGN_OR_RETURN(o.label, Label(r));
  if (max_id > 0) {
    CK_ASSIGN_OR_RETURN(o.ck_id, Id(r, max_id));
  }
  CK_ASSIGN_OR_RETURN(o.modifiable, BoolOr(r, CKA_MODIFIABLE, true));
  CK_ASSIGN_OR_RETURN(o.destroyable, BoolOr(r, CKA_DESTROYABLE, true));
  // C_CopyObject is not offered: objects report CKA_COPYABLE=FALSE.
  r.Ignore({CKA_COPYABLE});
  return CkStatus::Ok();
}

// A derived attribute the application may restate: it must agree.
CkStatus MustMatch(TemplateReader& r, CK_ATTRIBUTE_TYPE type,
                   const Bytes& derived, const char* name) {
  CK_ASSIGN_OR_RETURN(const Bytes* given, r.Raw(type));
  if (given != nullptr && *given != derived) {
    return CkError(CKR_TEMPLATE_INCONSISTENT,
                   std::string(name) + " does not match CKA_VALUE");
  }
  return CkStatus::Ok();
}

CkStatus RequireEmptyIfPresent(TemplateReader& r, CK_ATTRIBUTE_TYPE type) {
  CK_ASSIGN_OR_RETURN(const Bytes* value, r.Raw(type));
  if (value != nullptr && !value->empty()) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   "only empty values are kept for this attribute");
  }
  return CkStatus::Ok();
}

CkResult<CK_ULONG> SmallUlong(TemplateReader& r, CK_ATTRIBUTE_TYPE type,
                              CK_ULONG max) {
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> value, r.Ulong(type));
  if (value && *value > max) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "value out of range");
  }
  return value.value_or(0);
}

CkStatus ReadCertificate(TemplateReader& r, StoredObject& o) {
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> type,
                      r.Ulong(CKA_CERTIFICATE_TYPE));
  if (!type) {
    return CkError(CKR_TEMPLATE_INCOMPLETE, "CKA_CERTIFICATE_TYPE missing");
  }
  if (*type != CKC_X_509) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "only X.509 certificates");
  }
  CK_ASSIGN_OR_RETURN(const Bytes* value, r.Raw(CKA_VALUE));
  if (value == nullptr) {
    return CkError(CKR_TEMPLATE_INCOMPLETE, "CKA_VALUE missing");
  }
  CK_ASSIGN_OR_RETURN(CertificateFacts facts, ParseCertificate(View(*value)));
  o.value = *value;
  CK_RETURN_IF_ERROR(MustMatch(r, CKA_SUBJECT, facts.subject, "CKA_SUBJECT"));
  CK_RETURN_IF_ERROR(MustMatch(r, CKA_ISSUER, facts.issuer, "CKA_ISSUER"));
  CK_RETURN_IF_ERROR(MustMatch(r, CKA_SERIAL_NUMBER, facts.serial_number,
                               "CKA_SERIAL_NUMBER"));
  CK_RETURN_IF_ERROR(ReadStoredCommon(r, o, kMaxObjectId));
  // Only the security officer may mark a certificate trusted.
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_TRUSTED, false));
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_PRIVATE, false));
  CK_ASSIGN_OR_RETURN(o.certificate_category,
                      SmallUlong(r, CKA_CERTIFICATE_CATEGORY, 3));
  CK_ASSIGN_OR_RETURN(o.java_midp_security_domain,
                      SmallUlong(r, CKA_JAVA_MIDP_SECURITY_DOMAIN, 3));
  for (CK_ATTRIBUTE_TYPE t : {CKA_URL, CKA_HASH_OF_SUBJECT_PUBLIC_KEY,
                              CKA_HASH_OF_ISSUER_PUBLIC_KEY}) {
    CK_RETURN_IF_ERROR(RequireEmptyIfPresent(r, t));
  }
  // Derived from CKA_VALUE whatever the template says.
  r.Ignore(
      {CKA_START_DATE, CKA_END_DATE, CKA_CHECK_VALUE, CKA_PUBLIC_KEY_INFO});
  o.is_private = false;
  return CkStatus::Ok();
}

CkStatus ReadData(TemplateReader& r, StoredObject& o) {
  CK_ASSIGN_OR_RETURN(const Bytes* value, r.Raw(CKA_VALUE));
  if (value != nullptr) o.value = *value;
  CK_RETURN_IF_ERROR(ReadStoredCommon(r, o, 0));
  // The standard leaves the default to the token; like SoftHSMv2 the module
  // makes data objects private unless told otherwise.
  CK_ASSIGN_OR_RETURN(o.is_private, BoolOr(r, CKA_PRIVATE, true));
  CK_ASSIGN_OR_RETURN(std::optional<std::string> application,
                      r.String(CKA_APPLICATION));
  o.application = application.value_or("");
  CK_ASSIGN_OR_RETURN(const Bytes* oid, r.Raw(CKA_OBJECT_ID));
  if (oid != nullptr && !oid->empty()) {
    const unsigned char* p = oid->data();
    ASN1_OBJECT* parsed =
        d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(oid->size()));
    bool whole = parsed != nullptr && p == oid->data() + oid->size();
    ASN1_OBJECT_free(parsed);
    if (!whole) {
      ERR_clear_error();
      return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                     "CKA_OBJECT_ID is not a DER object identifier");
    }
    o.object_id = *oid;
  }
  return CkStatus::Ok();
}

// Accepted and ignored on keys: they carry no meaning for a kmsd key (as
// for C_GenerateKey, docs/pkcs11.md "Key generation").
void IgnoreHarmless(TemplateReader& r) {
  r.Ignore({CKA_SUBJECT, CKA_START_DATE, CKA_END_DATE, CKA_MODIFIABLE,
            CKA_COPYABLE, CKA_DESTROYABLE, CKA_ALLOWED_MECHANISMS, CKA_DERIVE});
}

CkStatus ReadPublicKey(TemplateReader& r, StoredObject& o, CK_KEY_TYPE type) {
  CK_ASSIGN_OR_RETURN(PublicKeyMaterial key, PublicKeyFromTemplate(r, type));
  o.value = key.spki;
  CK_RETURN_IF_ERROR(
      MustMatch(r, CKA_PUBLIC_KEY_INFO, key.spki, "CKA_PUBLIC_KEY_INFO"));
  CK_RETURN_IF_ERROR(ReadStoredCommon(r, o, kMaxObjectId));
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_PRIVATE, false));
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_TRUSTED, false));
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_VERIFY_RECOVER, false));
  bool rsa = IsRsa(key.algorithm);
  CK_ASSIGN_OR_RETURN(o.verify, BoolOr(r, CKA_VERIFY, true));
  CK_ASSIGN_OR_RETURN(o.encrypt, BoolOr(r, CKA_ENCRYPT, rsa));
  CK_ASSIGN_OR_RETURN(o.wrap, BoolOr(r, CKA_WRAP, false));
  if (!rsa && (o.encrypt || o.wrap)) {
    return CkError(CKR_TEMPLATE_INCONSISTENT,
                   "EC and Ed25519 keys cannot encrypt or wrap");
  }
  r.Ignore({CKA_SUBJECT, CKA_START_DATE, CKA_END_DATE, CKA_DERIVE,
            CKA_ALLOWED_MECHANISMS});
  o.is_private = false;
  return CkStatus::Ok();
}

struct Usage {
  CK_ATTRIBUTE_TYPE type;
  const char* wire;
  bool allowed;
};

CkStatus ReadUsages(TemplateReader& r, std::initializer_list<Usage> usages,
                    std::vector<std::string>& out) {
  for (const Usage& u : usages) {
    CK_ASSIGN_OR_RETURN(std::optional<bool> v, r.Bool(u.type));
    if (!v || !*v) continue;
    if (!u.allowed) {
      return CkError(CKR_TEMPLATE_INCONSISTENT,
                     std::string("this key type cannot ") + u.wire);
    }
    out.push_back(u.wire);
  }
  return CkStatus::Ok();
}

// CKA_TOKEN, CKA_LABEL, CKA_ID and the sensitivity flags of a key.
CkStatus ReadKeyCommon(TemplateReader& r, NewKey& key) {
  CK_ASSIGN_OR_RETURN(key.token, BoolOr(r, CKA_TOKEN, false));
  CK_ASSIGN_OR_RETURN(key.label, Label(r));
  CK_ASSIGN_OR_RETURN(const Bytes* id, r.Raw(CKA_ID));
  if (id != nullptr) {
    CK_ASSIGN_OR_RETURN(Bytes checked, Id(r, kMaxKeyId));
    key.ck_id = std::move(checked);
  }
  // Key objects are private whatever the template says (as generated keys).
  r.Ignore({CKA_PRIVATE});
  // Key material never leaves kmsd in plaintext.
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_SENSITIVE, true));
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_ALWAYS_AUTHENTICATE, false));
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_WRAP_WITH_TRUSTED, false));
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_SIGN_RECOVER, false));
  CK_ASSIGN_OR_RETURN(key.exportable, BoolOr(r, CKA_EXTRACTABLE, false));
  IgnoreHarmless(r);
  return CkStatus::Ok();
}

CkStatus ReadPrivateKey(TemplateReader& r, CreateRequest& out,
                        CK_KEY_TYPE type) {
  CK_ASSIGN_OR_RETURN(PrivateKeyMaterial key, PrivateKeyFromTemplate(r, type));
  out.key.algorithm = key.algorithm;
  out.material = std::move(key.pkcs8);
  CK_RETURN_IF_ERROR(ReadKeyCommon(r, out.key));
  bool rsa = IsRsa(key.algorithm);
  CK_RETURN_IF_ERROR(ReadUsages(r,
                                {{CKA_SIGN, "sign", true},
                                 {CKA_DECRYPT, "decrypt", rsa},
                                 {CKA_UNWRAP, "unwrap", rsa}},
                                out.key.usages));
  r.Ignore({CKA_PUBLIC_KEY_INFO});
  return CkStatus::Ok();
}

CkStatus ReadSecretKey(TemplateReader& r, CreateRequest& out,
                       CK_KEY_TYPE type) {
  CK_ASSIGN_OR_RETURN(const Bytes* value, r.Raw(CKA_VALUE));
  if (value == nullptr) {
    return CkError(CKR_TEMPLATE_INCOMPLETE, "CKA_VALUE missing");
  }
  bool hmac = type == CKK_GENERIC_SECRET || type == CKK_SHA256_HMAC;
  if (type == CKK_AES) {
    if (value->size() != 16 && value->size() != 32) {
      return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                     "AES keys are 16 or 32 bytes");
    }
    out.key.algorithm =
        value->size() == 16 ? KeyAlgorithm::kAes128 : KeyAlgorithm::kAes256;
  } else if (hmac) {
    if (value->size() != 32) {
      return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                     "generic secrets (HMAC-SHA256) are 32 bytes");
    }
    out.key.algorithm = KeyAlgorithm::kHmacSha256;
  } else {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   "CKA_KEY_TYPE not supported for secret keys");
  }
  out.material = ToSecure(View(*value));
  CK_RETURN_IF_ERROR(ReadKeyCommon(r, out.key));
  CK_RETURN_IF_ERROR(ReadUsages(r,
                                {{CKA_ENCRYPT, "encrypt", !hmac},
                                 {CKA_DECRYPT, "decrypt", !hmac},
                                 {CKA_SIGN, "sign", hmac},
                                 {CKA_VERIFY, "verify", hmac},
                                 {CKA_WRAP, "wrap", !hmac},
                                 {CKA_UNWRAP, "unwrap", !hmac}},
                                out.key.usages));
  // kmsd verifies a MAC by computing it.
  if (std::find(out.key.usages.begin(), out.key.usages.end(), "sign") !=
          out.key.usages.end() &&
      std::find(out.key.usages.begin(), out.key.usages.end(), "verify") ==
          out.key.usages.end()) {
    out.key.usages.push_back("verify");
  }
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_TRUSTED, false));
  r.Ignore({CKA_CHECK_VALUE});
  return CkStatus::Ok();
}

}  // namespace

CkResult<CreateRequest> ReadCreateTemplate(const AttributeList& templ) {
  TemplateReader r(templ);
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> cls, r.Ulong(CKA_CLASS));
  if (!cls) return CkError(CKR_TEMPLATE_INCOMPLETE, "CKA_CLASS missing");
  CK_RETURN_IF_ERROR(
      RefuseReadOnly(templ, {CKA_LOCAL, CKA_ALWAYS_SENSITIVE,
                             CKA_NEVER_EXTRACTABLE, CKA_KEY_GEN_MECHANISM}));
  CreateRequest out;
  out.object.object_class = *cls;
  std::optional<CK_ULONG> key_type;
  if (*cls == CKO_PUBLIC_KEY || *cls == CKO_PRIVATE_KEY ||
      *cls == CKO_SECRET_KEY) {
    CK_ASSIGN_OR_RETURN(key_type, r.Ulong(CKA_KEY_TYPE));
    if (!key_type) {
      return CkError(CKR_TEMPLATE_INCOMPLETE, "CKA_KEY_TYPE missing");
    }
    if (*cls != CKO_SECRET_KEY) {
      CK_RETURN_IF_ERROR(RefuseReadOnly(templ, {CKA_MODULUS_BITS}));
    } else {
      CK_RETURN_IF_ERROR(RefuseReadOnly(templ, {CKA_VALUE_LEN}));
    }
  }
  switch (*cls) {
    case CKO_CERTIFICATE:
      CK_RETURN_IF_ERROR(ReadCertificate(r, out.object));
      break;
    case CKO_DATA:
      CK_RETURN_IF_ERROR(ReadData(r, out.object));
      break;
    case CKO_PUBLIC_KEY:
      CK_RETURN_IF_ERROR(ReadPublicKey(r, out.object, *key_type));
      break;
    case CKO_PRIVATE_KEY:
      out.is_key = true;
      CK_RETURN_IF_ERROR(ReadPrivateKey(r, out, *key_type));
      break;
    case CKO_SECRET_KEY:
      out.is_key = true;
      CK_RETURN_IF_ERROR(ReadSecretKey(r, out, *key_type));
      break;
    default:
      return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "CKA_CLASS not supported");
  }
  CK_RETURN_IF_ERROR(r.CheckAllRead());
  return out;
}

}  // namespace kms::p11
