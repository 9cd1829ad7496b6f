// Typed, validated reads from an application's template (C_GenerateKey*,
// C_CreateObject): booleans and CK_ULONGs must have their exact size
// (CKR_ATTRIBUTE_VALUE_INVALID), an attribute given twice with different
// values is CKR_TEMPLATE_INCONSISTENT, and attributes nobody asked about are
// refused with CKR_ATTRIBUTE_TYPE_INVALID by CheckAllRead().
#ifndef KMS_MODULE_OBJECTS_TEMPLATE_READER_H_
#define KMS_MODULE_OBJECTS_TEMPLATE_READER_H_

#include <optional>
#include <set>
#include <string>

#include "module/base/ck_status.h"
#include "module/objects/attribute_template.h"

namespace kms::p11 {

class TemplateReader {
 public:
  explicit TemplateReader(const AttributeList& attributes)
      : attributes_(attributes) {}

  // The raw value, or nullptr when absent.
  CkResult<const Bytes*> Raw(CK_ATTRIBUTE_TYPE type);
  CkResult<std::optional<bool>> Bool(CK_ATTRIBUTE_TYPE type);
  CkResult<std::optional<CK_ULONG>> Ulong(CK_ATTRIBUTE_TYPE type);
  CkResult<std::optional<std::string>> String(CK_ATTRIBUTE_TYPE type);
  // A boolean that may only take `allowed` (CKR_ATTRIBUTE_VALUE_INVALID).
  CkStatus RequireBoolIfPresent(CK_ATTRIBUTE_TYPE type, bool allowed);
  // A CK_ULONG that must equal `expected` when present
  // (CKR_TEMPLATE_INCONSISTENT: e.g. CKA_CLASS, CKA_KEY_TYPE).
  CkStatus RequireUlongIfPresent(CK_ATTRIBUTE_TYPE type, CK_ULONG expected);
  // Marks attributes the module accepts and ignores (dates, subject...).
  void Ignore(std::initializer_list<CK_ATTRIBUTE_TYPE> types);
  // CKR_ATTRIBUTE_TYPE_INVALID if the template holds an attribute that was
  // neither read nor ignored.
  CkStatus CheckAllRead() const;

 private:
  const AttributeList& attributes_;
  std::set<CK_ATTRIBUTE_TYPE> read_;
};

// CKR_TEMPLATE_INCONSISTENT if both are set and differ; else the one set.
template <typename T>
CkResult<std::optional<T>> Agree(const std::optional<T>& a,
                                 const std::optional<T>& b, const char* what) {
  if (a && b && *a != *b) {
    return CkError(CKR_TEMPLATE_INCONSISTENT,
                   std::string(what) + " differs between the templates");
  }
  return a ? a : b;
}

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_TEMPLATE_READER_H_
