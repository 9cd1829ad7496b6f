// C_GenerateKey and C_GenerateKeyPair.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

KMS_EXPORT CK_RV C_GenerateKey(CK_SESSION_HANDLE handle,
                               CK_MECHANISM_PTR mechanism,
                               CK_ATTRIBUTE_PTR templ, CK_ULONG count,
                               CK_OBJECT_HANDLE_PTR key) {
  return WithSession(
      "C_GenerateKey", handle, [&](Library&, Session& session) -> CkStatus {
        if (mechanism == nullptr || key == nullptr ||
            (templ == nullptr && count > 0)) {
          return CkError(CKR_ARGUMENTS_BAD);
        }
        CK_ASSIGN_OR_RETURN(AttributeList attributes,
                            CopyTemplate(templ, count));
        return session.GenerateKey(*mechanism, attributes, key);
      });
}

KMS_EXPORT CK_RV C_GenerateKeyPair(
    CK_SESSION_HANDLE handle, CK_MECHANISM_PTR mechanism,
    CK_ATTRIBUTE_PTR public_templ, CK_ULONG public_count,
    CK_ATTRIBUTE_PTR private_templ, CK_ULONG private_count,
    CK_OBJECT_HANDLE_PTR public_key, CK_OBJECT_HANDLE_PTR private_key) {
  return WithSession(
      "C_GenerateKeyPair", handle,
      [&](Library&, Session& session) -> CkStatus {
        if (mechanism == nullptr || public_key == nullptr ||
            private_key == nullptr ||
            (public_templ == nullptr && public_count > 0) ||
            (private_templ == nullptr && private_count > 0)) {
          return CkError(CKR_ARGUMENTS_BAD);
        }
        CK_ASSIGN_OR_RETURN(AttributeList pub,
                            CopyTemplate(public_templ, public_count));
        CK_ASSIGN_OR_RETURN(AttributeList priv,
                            CopyTemplate(private_templ, private_count));
        return session.GenerateKeyPair(*mechanism, pub, priv, public_key,
                                       private_key);
      });
}
