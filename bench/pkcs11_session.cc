#include "bench/pkcs11_session.h"

#include "bench/pkcs11_library.h"

namespace kms::bench {

Result<std::unique_ptr<Pkcs11Session>> Pkcs11Session::Open(
    CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, const std::string& pin) {
  CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
  KMS_RETURN_IF_ERROR(
      CkStatus("C_OpenSession",
               fn->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
                                 nullptr, nullptr, &handle)));
  std::unique_ptr<Pkcs11Session> session(new Pkcs11Session(fn, handle));
  std::string copy = pin;  // C_Login takes a non-const pointer
  CK_RV rv =
      fn->C_Login(handle, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(copy.data()),
                  static_cast<CK_ULONG>(copy.size()));
  SecureWipe(copy.data(), copy.size());
  if (rv != CKR_USER_ALREADY_LOGGED_IN) {
    KMS_RETURN_IF_ERROR(CkStatus("C_Login", rv));
  }
  return session;
}

Pkcs11Session::~Pkcs11Session() { fn_->C_CloseSession(handle_); }

Result<std::vector<CK_OBJECT_HANDLE>> Pkcs11Session::Find(
    std::vector<CK_ATTRIBUTE> query, CK_ULONG max_objects) {
  KMS_RETURN_IF_ERROR(
      CkStatus("C_FindObjectsInit",
               fn_->C_FindObjectsInit(handle_, query.data(),
                                      static_cast<CK_ULONG>(query.size()))));
  std::vector<CK_OBJECT_HANDLE> found(max_objects);
  CK_ULONG count = 0;
  CK_RV rv = fn_->C_FindObjects(handle_, found.data(), max_objects, &count);
  CK_RV final_rv = fn_->C_FindObjectsFinal(handle_);
  KMS_RETURN_IF_ERROR(CkStatus("C_FindObjects", rv));
  KMS_RETURN_IF_ERROR(CkStatus("C_FindObjectsFinal", final_rv));
  found.resize(count);
  return found;
}

Result<Bytes> Pkcs11Session::GetAttribute(CK_OBJECT_HANDLE object,
                                          CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE attribute = {type, nullptr, 0};
  KMS_RETURN_IF_ERROR(
      CkStatus("C_GetAttributeValue",
               fn_->C_GetAttributeValue(handle_, object, &attribute, 1)));
  if (attribute.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
    return Error(ErrorCode::kNotFound, "attribute unavailable");
  }
  Bytes value(attribute.ulValueLen);
  attribute.pValue = value.data();
  KMS_RETURN_IF_ERROR(
      CkStatus("C_GetAttributeValue",
               fn_->C_GetAttributeValue(handle_, object, &attribute, 1)));
  value.resize(attribute.ulValueLen);
  return value;
}

Status Pkcs11Session::Destroy(CK_OBJECT_HANDLE object) {
  return CkStatus("C_DestroyObject", fn_->C_DestroyObject(handle_, object));
}

}  // namespace kms::bench
