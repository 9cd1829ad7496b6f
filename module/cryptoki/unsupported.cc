// Cryptoki functions the module does not offer (yet). Each still checks
// that the library is initialised and the session or slot exists, then
// returns CKR_FUNCTION_NOT_SUPPORTED; docs/pkcs11.md lists them.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

namespace {

CK_RV UnsupportedForSession(const char* function, CK_SESSION_HANDLE handle) {
  return WithSession(function, handle, [](Library&, Session&) -> CkStatus {
    return CkError(CKR_FUNCTION_NOT_SUPPORTED);
  });
}

}  // namespace

KMS_EXPORT CK_RV C_InitToken(CK_SLOT_ID slot, CK_UTF8CHAR_PTR pin,
                             CK_ULONG pin_len, CK_UTF8CHAR_PTR label) {
  (void)pin;
  (void)pin_len;
  (void)label;
  return WithLibrary("C_InitToken", [&](Library& lib) -> CkStatus {
    CK_RETURN_IF_ERROR(lib.GetToken(slot).status());
    return CkError(CKR_FUNCTION_NOT_SUPPORTED);
  });
}

// Legacy parallel-function calls (PKCS#11 2.40 section 5.16).
KMS_EXPORT CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE handle) {
  return WithSession("C_GetFunctionStatus", handle,
                     [](Library&, Session&) -> CkStatus {
                       return CkError(CKR_FUNCTION_NOT_PARALLEL);
                     });
}

KMS_EXPORT CK_RV C_CancelFunction(CK_SESSION_HANDLE handle) {
  return WithSession("C_CancelFunction", handle,
                     [](Library&, Session&) -> CkStatus {
                       return CkError(CKR_FUNCTION_NOT_PARALLEL);
                     });
}

KMS_EXPORT CK_RV C_GetOperationState(CK_SESSION_HANDLE handle,
                                     CK_BYTE_PTR state,
                                     CK_ULONG_PTR state_len) {
  (void)state;
  (void)state_len;
  return UnsupportedForSession("C_GetOperationState", handle);
}

KMS_EXPORT CK_RV C_SetOperationState(CK_SESSION_HANDLE handle,
                                     CK_BYTE_PTR state, CK_ULONG state_len,
                                     CK_OBJECT_HANDLE encryption_key,
                                     CK_OBJECT_HANDLE authentication_key) {
  (void)state;
  (void)state_len;
  (void)encryption_key;
  (void)authentication_key;
  return UnsupportedForSession("C_SetOperationState", handle);
}

KMS_EXPORT CK_RV C_SignRecoverInit(CK_SESSION_HANDLE handle,
                                   CK_MECHANISM_PTR mechanism,
                                   CK_OBJECT_HANDLE key) {
  (void)mechanism;
  (void)key;
  return UnsupportedForSession("C_SignRecoverInit", handle);
}

KMS_EXPORT CK_RV C_SignRecover(CK_SESSION_HANDLE handle, CK_BYTE_PTR data,
                               CK_ULONG data_len, CK_BYTE_PTR signature,
                               CK_ULONG_PTR signature_len) {
  (void)data;
  (void)data_len;
  (void)signature;
  (void)signature_len;
  return UnsupportedForSession("C_SignRecover", handle);
}

KMS_EXPORT CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE handle,
                                     CK_MECHANISM_PTR mechanism,
                                     CK_OBJECT_HANDLE key) {
  (void)mechanism;
  (void)key;
  return UnsupportedForSession("C_VerifyRecoverInit", handle);
}

KMS_EXPORT CK_RV C_VerifyRecover(CK_SESSION_HANDLE handle,
                                 CK_BYTE_PTR signature, CK_ULONG signature_len,
                                 CK_BYTE_PTR data, CK_ULONG_PTR data_len) {
  (void)signature;
  (void)signature_len;
  (void)data;
  (void)data_len;
  return UnsupportedForSession("C_VerifyRecover", handle);
}

KMS_EXPORT CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE handle,
                                       CK_BYTE_PTR part, CK_ULONG part_len,
                                       CK_BYTE_PTR encrypted,
                                       CK_ULONG_PTR encrypted_len) {
  (void)part;
  (void)part_len;
  (void)encrypted;
  (void)encrypted_len;
  return UnsupportedForSession("C_DigestEncryptUpdate", handle);
}

KMS_EXPORT CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE handle,
                                       CK_BYTE_PTR encrypted,
                                       CK_ULONG encrypted_len, CK_BYTE_PTR part,
                                       CK_ULONG_PTR part_len) {
  (void)encrypted;
  (void)encrypted_len;
  (void)part;
  (void)part_len;
  return UnsupportedForSession("C_DecryptDigestUpdate", handle);
}

KMS_EXPORT CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE handle, CK_BYTE_PTR part,
                                     CK_ULONG part_len, CK_BYTE_PTR encrypted,
                                     CK_ULONG_PTR encrypted_len) {
  (void)part;
  (void)part_len;
  (void)encrypted;
  (void)encrypted_len;
  return UnsupportedForSession("C_SignEncryptUpdate", handle);
}

KMS_EXPORT CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE handle,
                                       CK_BYTE_PTR encrypted,
                                       CK_ULONG encrypted_len, CK_BYTE_PTR part,
                                       CK_ULONG_PTR part_len) {
  (void)encrypted;
  (void)encrypted_len;
  (void)part;
  (void)part_len;
  return UnsupportedForSession("C_DecryptVerifyUpdate", handle);
}

KMS_EXPORT CK_RV C_DeriveKey(CK_SESSION_HANDLE handle,
                             CK_MECHANISM_PTR mechanism,
                             CK_OBJECT_HANDLE base_key, CK_ATTRIBUTE_PTR templ,
                             CK_ULONG count, CK_OBJECT_HANDLE_PTR key) {
  (void)mechanism;
  (void)base_key;
  (void)templ;
  (void)count;
  (void)key;
  return UnsupportedForSession("C_DeriveKey", handle);
}
