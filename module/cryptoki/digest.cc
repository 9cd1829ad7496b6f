// C_Digest*: local message digests.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

KMS_EXPORT CK_RV C_DigestInit(CK_SESSION_HANDLE handle,
                              CK_MECHANISM_PTR mechanism) {
  return WithSession("C_DigestInit", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (mechanism == nullptr)
                         return CkError(CKR_ARGUMENTS_BAD);
                       return session.DigestInit(*mechanism);
                     });
}

KMS_EXPORT CK_RV C_Digest(CK_SESSION_HANDLE handle, CK_BYTE_PTR data,
                          CK_ULONG data_len, CK_BYTE_PTR digest,
                          CK_ULONG_PTR digest_len) {
  return WithSession(
      "C_Digest", handle, [&](Library&, Session& session) -> CkStatus {
        if ((data == nullptr && data_len > 0) || digest_len == nullptr) {
          return session.EndWith(Session::Operation::kDigest,
                                 CkError(CKR_ARGUMENTS_BAD));
        }
        return session.Digest(InputBytes(data, data_len), {digest, digest_len});
      });
}

KMS_EXPORT CK_RV C_DigestUpdate(CK_SESSION_HANDLE handle, CK_BYTE_PTR part,
                                CK_ULONG part_len) {
  return WithSession("C_DigestUpdate", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (part == nullptr && part_len > 0) {
                         return session.EndWith(Session::Operation::kDigest,
                                                CkError(CKR_ARGUMENTS_BAD));
                       }
                       return session.DigestUpdate(InputBytes(part, part_len));
                     });
}

KMS_EXPORT CK_RV C_DigestKey(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE key) {
  (void)key;
  return WithSession("C_DigestKey", handle,
                     [&](Library&, Session&) -> CkStatus {
                       return CkError(CKR_FUNCTION_NOT_SUPPORTED);
                     });
}

KMS_EXPORT CK_RV C_DigestFinal(CK_SESSION_HANDLE handle, CK_BYTE_PTR digest,
                               CK_ULONG_PTR digest_len) {
  return WithSession("C_DigestFinal", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (digest_len == nullptr) {
                         return session.EndWith(Session::Operation::kDigest,
                                                CkError(CKR_ARGUMENTS_BAD));
                       }
                       return session.DigestFinal({digest, digest_len});
                     });
}
