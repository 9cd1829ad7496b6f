#include "module/objects/attribute_template.h"

#include <cstring>

namespace kms::p11 {

CkResult<AttributeList> CopyTemplate(const CK_ATTRIBUTE* attrs,
                                     CK_ULONG count) {
  AttributeList out;
  if (count > 0 && attrs == nullptr) {
    return CkError(CKR_ARGUMENTS_BAD, "template is NULL");
  }
  for (CK_ULONG i = 0; i < count; ++i) {
    const CK_ATTRIBUTE& a = attrs[i];
    if (a.pValue == nullptr && a.ulValueLen > 0) {
      return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "NULL attribute value");
    }
    if (a.ulValueLen > (1u << 20)) {
      return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "attribute value too long");
    }
    const auto* p = static_cast<const uint8_t*>(a.pValue);
    out.push_back({a.type, Bytes(p, p + (p ? a.ulValueLen : 0))});
  }
  return out;
}

CK_RV GetAttributes(const P11Object& object, CK_ATTRIBUTE* attrs,
                    CK_ULONG count) {
  bool sensitive = false, invalid = false, too_small = false;
  for (CK_ULONG i = 0; i < count; ++i) {
    CK_ATTRIBUTE& a = attrs[i];
    if (object.IsSensitive(a.type)) {
      a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
      sensitive = true;
      continue;
    }
    const Bytes* value = object.Find(a.type);
    if (value == nullptr) {
      a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
      invalid = true;
      continue;
    }
    if (a.pValue == nullptr) {
      a.ulValueLen = value->size();
    } else if (a.ulValueLen >= value->size()) {
      if (!value->empty()) std::memcpy(a.pValue, value->data(), value->size());
      a.ulValueLen = value->size();
    } else {
      a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
      too_small = true;
    }
  }
  if (sensitive) return CKR_ATTRIBUTE_SENSITIVE;
  if (invalid) return CKR_ATTRIBUTE_TYPE_INVALID;
  if (too_small) return CKR_BUFFER_TOO_SMALL;
  return CKR_OK;
}

bool Matches(const P11Object& object, const AttributeList& criteria) {
  for (const auto& c : criteria) {
    const Bytes* value = object.Find(c.type);
    if (value == nullptr || *value != c.value) return false;
  }
  return true;
}

}  // namespace kms::p11
