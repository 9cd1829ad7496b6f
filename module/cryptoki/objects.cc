// Object search and attributes.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

KMS_EXPORT CK_RV C_FindObjectsInit(CK_SESSION_HANDLE handle,
                                   CK_ATTRIBUTE_PTR templ, CK_ULONG count) {
  return WithSession(
      "C_FindObjectsInit", handle, [&](Library&, Session& session) -> CkStatus {
        if (templ == nullptr && count > 0) {
          return CkError(CKR_ARGUMENTS_BAD);
        }
        CK_ASSIGN_OR_RETURN(AttributeList criteria, CopyTemplate(templ, count));
        return session.FindInit(criteria);
      });
}

KMS_EXPORT CK_RV C_FindObjects(CK_SESSION_HANDLE handle,
                               CK_OBJECT_HANDLE_PTR objects, CK_ULONG max,
                               CK_ULONG_PTR count) {
  return WithSession(
      "C_FindObjects", handle, [&](Library&, Session& session) -> CkStatus {
        if (count == nullptr || (objects == nullptr && max > 0)) {
          return CkError(CKR_ARGUMENTS_BAD);
        }
        return session.FindNext(objects, max, count);
      });
}

KMS_EXPORT CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE handle) {
  return WithSession(
      "C_FindObjectsFinal", handle,
      [&](Library&, Session& session) { return session.FindFinal(); });
}

KMS_EXPORT CK_RV C_GetAttributeValue(CK_SESSION_HANDLE handle,
                                     CK_OBJECT_HANDLE object,
                                     CK_ATTRIBUTE_PTR templ, CK_ULONG count) {
  return WithSession("C_GetAttributeValue", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       CK_ASSIGN_OR_RETURN(auto found,
                                           session.GetObject(object));
                       if (templ == nullptr && count > 0)
                         return CkError(CKR_ARGUMENTS_BAD);
                       CK_RV rv = GetAttributes(*found, templ, count);
                       return rv == CKR_OK ? CkStatus::Ok() : CkError(rv);
                     });
}

KMS_EXPORT CK_RV C_DestroyObject(CK_SESSION_HANDLE handle,
                                 CK_OBJECT_HANDLE object) {
  return WithSession("C_DestroyObject", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       return session.DestroyObject(object);
                     });
}
