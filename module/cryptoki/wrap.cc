// C_WrapKey, C_UnwrapKey.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

KMS_EXPORT CK_RV C_WrapKey(CK_SESSION_HANDLE handle, CK_MECHANISM_PTR mechanism,
                           CK_OBJECT_HANDLE wrapping_key, CK_OBJECT_HANDLE key,
                           CK_BYTE_PTR wrapped, CK_ULONG_PTR wrapped_len) {
  return WithSession(
      "C_WrapKey", handle, [&](Library&, Session& session) -> CkStatus {
        if (mechanism == nullptr || wrapped_len == nullptr) {
          return CkError(CKR_ARGUMENTS_BAD);
        }
        return session.WrapKey(*mechanism, wrapping_key, key,
                               OutputBuffer{wrapped, wrapped_len});
      });
}

KMS_EXPORT CK_RV C_UnwrapKey(CK_SESSION_HANDLE handle,
                             CK_MECHANISM_PTR mechanism,
                             CK_OBJECT_HANDLE unwrapping_key,
                             CK_BYTE_PTR wrapped, CK_ULONG wrapped_len,
                             CK_ATTRIBUTE_PTR templ, CK_ULONG count,
                             CK_OBJECT_HANDLE_PTR key) {
  return WithSession(
      "C_UnwrapKey", handle, [&](Library&, Session& session) -> CkStatus {
        if (mechanism == nullptr || key == nullptr ||
            (wrapped == nullptr && wrapped_len > 0) ||
            (templ == nullptr && count > 0)) {
          return CkError(CKR_ARGUMENTS_BAD);
        }
        CK_ASSIGN_OR_RETURN(AttributeList attributes,
                            CopyTemplate(templ, count));
        return session.UnwrapKey(*mechanism, unwrapping_key,
                                 InputBytes(wrapped, wrapped_len), attributes,
                                 key);
      });
}
