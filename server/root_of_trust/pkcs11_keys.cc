#include "server/root_of_trust/pkcs11_keys.h"

#include <vector>

#include "server/root_of_trust/pkcs11_error.h"
#include "server/root_of_trust/sealed_layout.h"

namespace kms::rot_internal {
namespace {

struct KeySpec {
  const char* role_name;
  CK_KEY_TYPE key_type;
  CK_MECHANISM_TYPE generate;
  // Granted usages; every other usage attribute is set to FALSE.
  CK_ATTRIBUTE_TYPE use_a;
  CK_ATTRIBUTE_TYPE use_b;
};

KeySpec SpecFor(RootKeyRole role) {
  if (role == RootKeyRole::kKek) {
    return {"key-encryption key", CKK_AES, CKM_AES_KEY_GEN, CKA_ENCRYPT,
            CKA_DECRYPT};
  }
  return {"audit key", CKK_GENERIC_SECRET, CKM_GENERIC_SECRET_KEY_GEN, CKA_SIGN,
          CKA_VERIFY};
}

CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE type, void* value, CK_ULONG size) {
  CK_ATTRIBUTE attr;
  attr.type = type;
  attr.pValue = value;
  attr.ulValueLen = size;
  return attr;
}

Status NotUsable(const std::string& label, const KeySpec& spec,
                 const std::string& why) {
  return Error(ErrorCode::kFailedPrecondition, "PKCS#11 object '" + label +
                                                   "' cannot be used as the " +
                                                   spec.role_name + ": " + why);
}

Status CheckExisting(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                     CK_OBJECT_HANDLE key, const std::string& label,
                     const KeySpec& spec) {
  CK_KEY_TYPE key_type = 0;
  CK_ULONG value_len = 0;
  CK_BBOOL sensitive = CK_FALSE, extractable = CK_TRUE;
  CK_BBOOL use_a = CK_FALSE, use_b = CK_FALSE;
  CK_ATTRIBUTE attrs[] = {
      Attr(CKA_KEY_TYPE, &key_type, sizeof(key_type)),
      Attr(CKA_VALUE_LEN, &value_len, sizeof(value_len)),
      Attr(CKA_SENSITIVE, &sensitive, sizeof(sensitive)),
      Attr(CKA_EXTRACTABLE, &extractable, sizeof(extractable)),
      Attr(spec.use_a, &use_a, sizeof(use_a)),
      Attr(spec.use_b, &use_b, sizeof(use_b)),
  };
  CK_RV rv = fn->C_GetAttributeValue(session, key, attrs,
                                     sizeof(attrs) / sizeof(attrs[0]));
  if (rv != CKR_OK) return Pkcs11Error("C_GetAttributeValue", rv);
  if (key_type != spec.key_type) {
    return NotUsable(label, spec, "wrong key type");
  }
  if (value_len != kRootKeySize) {
    return NotUsable(label, spec, "not a 256-bit key");
  }
  if (sensitive != CK_TRUE || extractable != CK_FALSE) {
    return NotUsable(label, spec, "it is extractable or not sensitive");
  }
  if (use_a != CK_TRUE || use_b != CK_TRUE) {
    return NotUsable(label, spec, "its usage attributes do not allow it");
  }
  return Status::Ok();
}

Result<CK_OBJECT_HANDLE> Generate(CK_FUNCTION_LIST* fn,
                                  CK_SESSION_HANDLE session,
                                  const std::string& label,
                                  const KeySpec& spec) {
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_KEY_TYPE key_type = spec.key_type;
  CK_ULONG value_len = kRootKeySize;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  std::vector<CK_ATTRIBUTE> attrs = {
      Attr(CKA_CLASS, &klass, sizeof(klass)),
      Attr(CKA_KEY_TYPE, &key_type, sizeof(key_type)),
      Attr(CKA_VALUE_LEN, &value_len, sizeof(value_len)),
      Attr(CKA_LABEL, const_cast<char*>(label.data()), label.size()),
      Attr(CKA_TOKEN, &yes, sizeof(yes)),
      Attr(CKA_PRIVATE, &yes, sizeof(yes)),
      Attr(CKA_SENSITIVE, &yes, sizeof(yes)),
      Attr(CKA_EXTRACTABLE, &no, sizeof(no)),
  };
  for (CK_ATTRIBUTE_TYPE usage :
       {CKA_ENCRYPT, CKA_DECRYPT, CKA_SIGN, CKA_VERIFY, CKA_WRAP, CKA_UNWRAP,
        CKA_DERIVE}) {
    bool granted = usage == spec.use_a || usage == spec.use_b;
    attrs.push_back(Attr(usage, granted ? &yes : &no, sizeof(CK_BBOOL)));
  }
  CK_MECHANISM mechanism = {spec.generate, nullptr, 0};
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  CK_RV rv =
      fn->C_GenerateKey(session, &mechanism, attrs.data(), attrs.size(), &key);
  if (rv != CKR_OK) return Pkcs11Error("C_GenerateKey", rv);
  return key;
}

}  // namespace

Result<CK_OBJECT_HANDLE> FindOrCreateRootKey(CK_FUNCTION_LIST* fn,
                                             CK_SESSION_HANDLE session,
                                             RootKeyRole role,
                                             const std::string& label,
                                             bool* created) {
  KeySpec spec = SpecFor(role);
  *created = false;
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_BBOOL yes = CK_TRUE;
  // No key type in the template: a same-named key of the wrong type must be
  // refused, not silently shadowed by a new one.
  CK_ATTRIBUTE find[] = {
      Attr(CKA_CLASS, &klass, sizeof(klass)),
      Attr(CKA_TOKEN, &yes, sizeof(yes)),
      Attr(CKA_LABEL, const_cast<char*>(label.data()), label.size()),
  };
  CK_RV rv =
      fn->C_FindObjectsInit(session, find, sizeof(find) / sizeof(find[0]));
  if (rv != CKR_OK) return Pkcs11Error("C_FindObjectsInit", rv);
  CK_OBJECT_HANDLE found[2];
  CK_ULONG count = 0;
  rv = fn->C_FindObjects(session, found, 2, &count);
  CK_RV final_rv = fn->C_FindObjectsFinal(session);
  if (rv != CKR_OK) return Pkcs11Error("C_FindObjects", rv);
  if (final_rv != CKR_OK) return Pkcs11Error("C_FindObjectsFinal", final_rv);
  if (count > 1) {
    return NotUsable(label, spec, "more than one secret key has this label");
  }
  if (count == 1) {
    KMS_RETURN_IF_ERROR(CheckExisting(fn, session, found[0], label, spec));
    return found[0];
  }
  KMS_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE key,
                       Generate(fn, session, label, spec));
  *created = true;
  return key;
}

}  // namespace kms::rot_internal
