// C_GetAttributeValue and C_FindObjects template semantics over a P11Object.
#ifndef KMS_MODULE_OBJECTS_ATTRIBUTE_TEMPLATE_H_
#define KMS_MODULE_OBJECTS_ATTRIBUTE_TEMPLATE_H_

#include <vector>

#include "module/base/ck_status.h"
#include "module/objects/object.h"

namespace kms::p11 {

// A copy of an application's template (the search criteria outlive the
// caller's buffers).
struct AttributeValue {
  CK_ATTRIBUTE_TYPE type;
  Bytes value;
};
using AttributeList = std::vector<AttributeValue>;

// Copies a template; CKR_ATTRIBUTE_VALUE_INVALID for NULL with length > 0.
CkResult<AttributeList> CopyTemplate(const CK_ATTRIBUTE* attrs, CK_ULONG count);

// Fills the template as PKCS#11 2.40 section 5.7 says: every entry is
// processed; unreadable entries get CK_UNAVAILABLE_INFORMATION. If several
// problems apply the result is CKR_ATTRIBUTE_SENSITIVE, then
// CKR_ATTRIBUTE_TYPE_INVALID, then CKR_BUFFER_TOO_SMALL.
CK_RV GetAttributes(const P11Object& object, CK_ATTRIBUTE* attrs,
                    CK_ULONG count);

// True if every criterion equals the object's attribute (sensitive
// attributes never match).
bool Matches(const P11Object& object, const AttributeList& criteria);

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_ATTRIBUTE_TEMPLATE_H_
