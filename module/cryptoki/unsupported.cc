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

KMS_EXPORT CK_RV C_InitPIN(CK_SESSION_HANDLE handle, CK_UTF8CHAR_PTR pin,
                           CK_ULONG pin_len) {
  (void)pin;
  (void)pin_len;
  return UnsupportedForSession("C_InitPIN", handle);
}

KMS_EXPORT CK_RV C_SetPIN(CK_SESSION_HANDLE handle, CK_UTF8CHAR_PTR old_pin,
                          CK_ULONG old_len, CK_UTF8CHAR_PTR new_pin,
                          CK_ULONG new_len) {
  (void)old_pin;
  (void)old_len;
  (void)new_pin;
  (void)new_len;
  return UnsupportedForSession("C_SetPIN", handle);
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

KMS_EXPORT CK_RV C_CreateObject(CK_SESSION_HANDLE handle,
                                CK_ATTRIBUTE_PTR templ, CK_ULONG count,
                                CK_OBJECT_HANDLE_PTR object) {
  (void)templ;
  (void)count;
  (void)object;
  return UnsupportedForSession("C_CreateObject", handle);
}

KMS_EXPORT CK_RV C_CopyObject(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object,
                              CK_ATTRIBUTE_PTR templ, CK_ULONG count,
                              CK_OBJECT_HANDLE_PTR new_object) {
  (void)object;
  (void)templ;
  (void)count;
  (void)new_object;
  return UnsupportedForSession("C_CopyObject", handle);
}

KMS_EXPORT CK_RV C_GetObjectSize(CK_SESSION_HANDLE handle,
                                 CK_OBJECT_HANDLE object, CK_ULONG_PTR size) {
  (void)object;
  (void)size;
  return UnsupportedForSession("C_GetObjectSize", handle);
}

KMS_EXPORT CK_RV C_SetAttributeValue(CK_SESSION_HANDLE handle,
                                     CK_OBJECT_HANDLE object,
                                     CK_ATTRIBUTE_PTR templ, CK_ULONG count) {
  (void)object;
  (void)templ;
  (void)count;
  return UnsupportedForSession("C_SetAttributeValue", handle);
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

KMS_EXPORT CK_RV C_WrapKey(CK_SESSION_HANDLE handle, CK_MECHANISM_PTR mechanism,
                           CK_OBJECT_HANDLE wrapping_key, CK_OBJECT_HANDLE key,
                           CK_BYTE_PTR wrapped, CK_ULONG_PTR wrapped_len) {
  (void)mechanism;
  (void)wrapping_key;
  (void)key;
  (void)wrapped;
  (void)wrapped_len;
  return UnsupportedForSession("C_WrapKey", handle);
}

KMS_EXPORT CK_RV C_UnwrapKey(CK_SESSION_HANDLE handle,
                             CK_MECHANISM_PTR mechanism,
                             CK_OBJECT_HANDLE unwrapping_key,
                             CK_BYTE_PTR wrapped, CK_ULONG wrapped_len,
                             CK_ATTRIBUTE_PTR templ, CK_ULONG count,
                             CK_OBJECT_HANDLE_PTR key) {
  (void)mechanism;
  (void)unwrapping_key;
  (void)wrapped;
  (void)wrapped_len;
  (void)templ;
  (void)count;
  (void)key;
  return UnsupportedForSession("C_UnwrapKey", handle);
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
