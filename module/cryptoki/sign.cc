// C_Sign* and C_Verify*.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

KMS_EXPORT CK_RV C_SignInit(CK_SESSION_HANDLE handle,
                            CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  return WithSession("C_SignInit", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (mechanism == nullptr)
                         return CkError(CKR_ARGUMENTS_BAD);
                       return session.SignInit(*mechanism, key);
                     });
}

KMS_EXPORT CK_RV C_Sign(CK_SESSION_HANDLE handle, CK_BYTE_PTR data,
                        CK_ULONG data_len, CK_BYTE_PTR signature,
                        CK_ULONG_PTR signature_len) {
  return WithSession(
      "C_Sign", handle, [&](Library&, Session& session) -> CkStatus {
        if ((data == nullptr && data_len > 0) || signature_len == nullptr) {
          return session.EndWith(Session::Operation::kSign,
                                 CkError(CKR_ARGUMENTS_BAD));
        }
        return session.Sign(InputBytes(data, data_len),
                            {signature, signature_len});
      });
}

KMS_EXPORT CK_RV C_SignUpdate(CK_SESSION_HANDLE handle, CK_BYTE_PTR part,
                              CK_ULONG part_len) {
  return WithSession("C_SignUpdate", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (part == nullptr && part_len > 0) {
                         return session.EndWith(Session::Operation::kSign,
                                                CkError(CKR_ARGUMENTS_BAD));
                       }
                       return session.SignUpdate(InputBytes(part, part_len));
                     });
}

KMS_EXPORT CK_RV C_SignFinal(CK_SESSION_HANDLE handle, CK_BYTE_PTR signature,
                             CK_ULONG_PTR signature_len) {
  return WithSession("C_SignFinal", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (signature_len == nullptr) {
                         return session.EndWith(Session::Operation::kSign,
                                                CkError(CKR_ARGUMENTS_BAD));
                       }
                       return session.SignFinal({signature, signature_len});
                     });
}

KMS_EXPORT CK_RV C_VerifyInit(CK_SESSION_HANDLE handle,
                              CK_MECHANISM_PTR mechanism,
                              CK_OBJECT_HANDLE key) {
  return WithSession("C_VerifyInit", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (mechanism == nullptr)
                         return CkError(CKR_ARGUMENTS_BAD);
                       return session.VerifyInit(*mechanism, key);
                     });
}

KMS_EXPORT CK_RV C_Verify(CK_SESSION_HANDLE handle, CK_BYTE_PTR data,
                          CK_ULONG data_len, CK_BYTE_PTR signature,
                          CK_ULONG signature_len) {
  return WithSession(
      "C_Verify", handle, [&](Library&, Session& session) -> CkStatus {
        if ((data == nullptr && data_len > 0) ||
            (signature == nullptr && signature_len > 0)) {
          return session.EndWith(Session::Operation::kVerify,
                                 CkError(CKR_ARGUMENTS_BAD));
        }
        return session.Verify(InputBytes(data, data_len),
                              InputBytes(signature, signature_len));
      });
}

KMS_EXPORT CK_RV C_VerifyUpdate(CK_SESSION_HANDLE handle, CK_BYTE_PTR part,
                                CK_ULONG part_len) {
  return WithSession("C_VerifyUpdate", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (part == nullptr && part_len > 0) {
                         return session.EndWith(Session::Operation::kVerify,
                                                CkError(CKR_ARGUMENTS_BAD));
                       }
                       return session.VerifyUpdate(InputBytes(part, part_len));
                     });
}

KMS_EXPORT CK_RV C_VerifyFinal(CK_SESSION_HANDLE handle, CK_BYTE_PTR signature,
                               CK_ULONG signature_len) {
  return WithSession(
      "C_VerifyFinal", handle, [&](Library&, Session& session) -> CkStatus {
        if (signature == nullptr && signature_len > 0) {
          return session.EndWith(Session::Operation::kVerify,
                                 CkError(CKR_ARGUMENTS_BAD));
        }
        return session.VerifyFinal(InputBytes(signature, signature_len));
      });
}
