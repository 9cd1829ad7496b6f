// C_CreateObject, C_CopyObject, C_GetObjectSize, C_SetAttributeValue.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

namespace {

// The module's copy of a template may hold key material (C_CreateObject of
// a private or secret key): wiped when the call ends.
class WipedTemplate {
 public:
  explicit WipedTemplate(AttributeList list) : list_(std::move(list)) {}
  ~WipedTemplate() {
    for (auto& a : list_) kms::SecureWipe(a.value.data(), a.value.size());
  }
  WipedTemplate(const WipedTemplate&) = delete;
  WipedTemplate& operator=(const WipedTemplate&) = delete;
  const AttributeList& list() const { return list_; }

 private:
  AttributeList list_;
};

}  // namespace

KMS_EXPORT CK_RV C_CreateObject(CK_SESSION_HANDLE handle,
                                CK_ATTRIBUTE_PTR templ, CK_ULONG count,
                                CK_OBJECT_HANDLE_PTR object) {
  return WithSession(
      "C_CreateObject", handle, [&](Library&, Session& session) -> CkStatus {
        if ((templ == nullptr && count > 0) || object == nullptr) {
          return CkError(CKR_ARGUMENTS_BAD);
        }
        CK_ASSIGN_OR_RETURN(AttributeList copied, CopyTemplate(templ, count));
        WipedTemplate attributes(std::move(copied));
        return session.CreateObject(attributes.list(), object);
      });
}

// Not offered: objects report CKA_COPYABLE=FALSE.
KMS_EXPORT CK_RV C_CopyObject(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object,
                              CK_ATTRIBUTE_PTR templ, CK_ULONG count,
                              CK_OBJECT_HANDLE_PTR new_object) {
  (void)object;
  (void)templ;
  (void)count;
  (void)new_object;
  return WithSession("C_CopyObject", handle,
                     [](Library&, Session&) -> CkStatus {
                       return CkError(CKR_FUNCTION_NOT_SUPPORTED);
                     });
}

KMS_EXPORT CK_RV C_GetObjectSize(CK_SESSION_HANDLE handle,
                                 CK_OBJECT_HANDLE object, CK_ULONG_PTR size) {
  return WithSession(
      "C_GetObjectSize", handle, [&](Library&, Session& session) -> CkStatus {
        if (size == nullptr) return CkError(CKR_ARGUMENTS_BAD);
        CK_ASSIGN_OR_RETURN(auto found, session.GetObject(object));
        *size = found->ApproximateSize();
        return CkStatus::Ok();
      });
}

KMS_EXPORT CK_RV C_SetAttributeValue(CK_SESSION_HANDLE handle,
                                     CK_OBJECT_HANDLE object,
                                     CK_ATTRIBUTE_PTR templ, CK_ULONG count) {
  return WithSession("C_SetAttributeValue", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (templ == nullptr && count > 0)
                         return CkError(CKR_ARGUMENTS_BAD);
                       CK_ASSIGN_OR_RETURN(AttributeList attributes,
                                           CopyTemplate(templ, count));
                       return session.SetAttributes(object, attributes);
                     });
}
