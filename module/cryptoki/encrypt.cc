// C_Encrypt* and C_Decrypt*.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

namespace {

Session::Operation Ending(bool encrypt) {
  return encrypt ? Session::Operation::kEncrypt : Session::Operation::kDecrypt;
}

CK_RV Init(const char* function, bool encrypt, CK_SESSION_HANDLE handle,
           CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  return WithSession(function, handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (mechanism == nullptr)
                         return CkError(CKR_ARGUMENTS_BAD);
                       return session.CipherInit(encrypt, *mechanism, key);
                     });
}

CK_RV Single(const char* function, bool encrypt, CK_SESSION_HANDLE handle,
             CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
             CK_ULONG_PTR out_len) {
  return WithSession(
      function, handle, [&](Library&, Session& session) -> CkStatus {
        if ((in == nullptr && in_len > 0) || out_len == nullptr)
          return session.EndWith(Ending(encrypt), CkError(CKR_ARGUMENTS_BAD));
        return session.CipherSingle(encrypt, InputBytes(in, in_len),
                                    {out, out_len});
      });
}

CK_RV Update(const char* function, bool encrypt, CK_SESSION_HANDLE handle,
             CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
             CK_ULONG_PTR out_len) {
  return WithSession(
      function, handle, [&](Library&, Session& session) -> CkStatus {
        if ((in == nullptr && in_len > 0) || out_len == nullptr)
          return session.EndWith(Ending(encrypt), CkError(CKR_ARGUMENTS_BAD));
        return session.CipherUpdate(encrypt, InputBytes(in, in_len),
                                    {out, out_len});
      });
}

CK_RV Final(const char* function, bool encrypt, CK_SESSION_HANDLE handle,
            CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
  return WithSession(
      function, handle, [&](Library&, Session& session) -> CkStatus {
        if (out_len == nullptr) {
          return session.EndWith(Ending(encrypt), CkError(CKR_ARGUMENTS_BAD));
        }
        return session.CipherFinal(encrypt, {out, out_len});
      });
}

}  // namespace

KMS_EXPORT CK_RV C_EncryptInit(CK_SESSION_HANDLE handle,
                               CK_MECHANISM_PTR mechanism,
                               CK_OBJECT_HANDLE key) {
  return Init("C_EncryptInit", true, handle, mechanism, key);
}

KMS_EXPORT CK_RV C_Encrypt(CK_SESSION_HANDLE handle, CK_BYTE_PTR data,
                           CK_ULONG data_len, CK_BYTE_PTR encrypted,
                           CK_ULONG_PTR encrypted_len) {
  return Single("C_Encrypt", true, handle, data, data_len, encrypted,
                encrypted_len);
}

KMS_EXPORT CK_RV C_EncryptUpdate(CK_SESSION_HANDLE handle, CK_BYTE_PTR part,
                                 CK_ULONG part_len, CK_BYTE_PTR encrypted,
                                 CK_ULONG_PTR encrypted_len) {
  return Update("C_EncryptUpdate", true, handle, part, part_len, encrypted,
                encrypted_len);
}

KMS_EXPORT CK_RV C_EncryptFinal(CK_SESSION_HANDLE handle, CK_BYTE_PTR last,
                                CK_ULONG_PTR last_len) {
  return Final("C_EncryptFinal", true, handle, last, last_len);
}

KMS_EXPORT CK_RV C_DecryptInit(CK_SESSION_HANDLE handle,
                               CK_MECHANISM_PTR mechanism,
                               CK_OBJECT_HANDLE key) {
  return Init("C_DecryptInit", false, handle, mechanism, key);
}

KMS_EXPORT CK_RV C_Decrypt(CK_SESSION_HANDLE handle, CK_BYTE_PTR encrypted,
                           CK_ULONG encrypted_len, CK_BYTE_PTR data,
                           CK_ULONG_PTR data_len) {
  return Single("C_Decrypt", false, handle, encrypted, encrypted_len, data,
                data_len);
}

KMS_EXPORT CK_RV C_DecryptUpdate(CK_SESSION_HANDLE handle,
                                 CK_BYTE_PTR encrypted, CK_ULONG encrypted_len,
                                 CK_BYTE_PTR data, CK_ULONG_PTR data_len) {
  return Update("C_DecryptUpdate", false, handle, encrypted, encrypted_len,
                data, data_len);
}

KMS_EXPORT CK_RV C_DecryptFinal(CK_SESSION_HANDLE handle, CK_BYTE_PTR last,
                                CK_ULONG_PTR last_len) {
  return Final("C_DecryptFinal", false, handle, last, last_len);
}
