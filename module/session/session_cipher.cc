// Session: C_Encrypt* and C_Decrypt*.
#include "module/session/session.h"

namespace kms::p11 {

CkStatus Session::CipherInit(bool encrypt, const CK_MECHANISM& mechanism,
                             CK_OBJECT_HANDLE key) {
  auto& active = encrypt ? encrypt_ : decrypt_;
  if (active) return CkError(CKR_OPERATION_ACTIVE);
  if (!token_->auth().logged_in()) return CkError(CKR_USER_NOT_LOGGED_IN);
  auto object = GetObject(key);
  if (!object.ok()) {
    return CkError(CKR_KEY_HANDLE_INVALID, object.status().message());
  }
  if (encrypt) {
    CK_ASSIGN_OR_RETURN(active.op,
                        StartEncrypt(mechanism, *object, &token_->auth()));
  } else {
    CK_ASSIGN_OR_RETURN(active.op,
                        StartDecrypt(mechanism, *object, &token_->auth()));
  }
  return CkStatus::Ok();
}

CkStatus Session::CipherSingle(bool encrypt, ByteView data,
                               const OutputBuffer& out) {
  auto& active = encrypt ? encrypt_ : decrypt_;
  if (!active) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  if (active.multipart) {
    active.Reset();
    return CkError(CKR_OPERATION_ACTIVE, "single-part after C_*Update");
  }
  // Too long is known without a request, so a length query hears it too.
  CkStatus fits = active.op->CheckRoomFor(data.size());
  if (!fits.ok()) {
    active.Reset();
    return fits;
  }
  CkStatus status;
  if (out.AnswersLengthOnly(active.op->OutputLength(data.size()), &status)) {
    return status;
  }
  CkStatus added = active.op->Update(data);
  if (!added.ok()) {
    active.Reset();
    return added;
  }
  auto result = active.op->Final();
  active.Reset();
  if (!result.ok()) return result.status();
  return out.Deliver(View(*result));
}

CkStatus Session::CipherUpdate(bool encrypt, ByteView data,
                               const OutputBuffer& out) {
  auto& active = encrypt ? encrypt_ : decrypt_;
  if (!active) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  active.multipart = true;
  CkStatus added = active.op->Update(data);
  if (!added.ok()) {
    active.Reset();
    return added;
  }
  *out.length = 0;  // everything comes out at Final
  return CkStatus::Ok();
}

CkStatus Session::CipherFinal(bool encrypt, const OutputBuffer& out) {
  auto& active = encrypt ? encrypt_ : decrypt_;
  if (!active) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  CkStatus status;
  if (out.AnswersLengthOnly(active.op->OutputLength(active.op->buffered()),
                            &status)) {
    return status;
  }
  auto result = active.op->Final();
  active.Reset();
  if (!result.ok()) return result.status();
  return out.Deliver(View(*result));
}

}  // namespace kms::p11
