#include "module/session/session.h"

namespace kms::p11 {
namespace {

// Runs `step`; a failure ends the operation.
template <typename ActiveOp>
CkStatus EndOnError(ActiveOp& active, CkStatus status) {
  if (!status.ok()) active.Reset();
  return status;
}

}  // namespace

void Session::FillInfo(CK_SESSION_INFO* info) const {
  bool user = token_->auth().logged_in();
  info->slotID = token_->slot_id();
  if (read_write() && token_->auth().so_logged_in()) {
    info->state = CKS_RW_SO_FUNCTIONS;
  } else if (read_write()) {
    info->state = user ? CKS_RW_USER_FUNCTIONS : CKS_RW_PUBLIC_SESSION;
  } else {
    info->state = user ? CKS_RO_USER_FUNCTIONS : CKS_RO_PUBLIC_SESSION;
  }
  info->flags = flags_;
  info->ulDeviceError = device_error_;
}

CkResult<std::shared_ptr<const P11Object>> Session::GetObject(
    CK_OBJECT_HANDLE h) {
  CK_ASSIGN_OR_RETURN(auto object, token_->objects().Get(h));
  if (object->is_private() && !token_->auth().logged_in()) {
    return CkError(CKR_OBJECT_HANDLE_INVALID, "private object, no login");
  }
  return object;
}

CkStatus Session::FindInit(const AttributeList& criteria) {
  if (find_.active) return CkError(CKR_OPERATION_ACTIVE);
  CK_ASSIGN_OR_RETURN(auto handles, token_->objects().Find(criteria));
  find_.active = true;
  find_.handles = std::move(handles);
  find_.next = 0;
  return CkStatus::Ok();
}

CkStatus Session::FindNext(CK_OBJECT_HANDLE* out, CK_ULONG max,
                           CK_ULONG* count) {
  if (!find_.active) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  CK_ULONG n = 0;
  while (n < max && find_.next < find_.handles.size()) {
    out[n++] = find_.handles[find_.next++];
  }
  *count = n;
  return CkStatus::Ok();
}

CkStatus Session::FindFinal() {
  if (!find_.active) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  find_ = FindState();
  return CkStatus::Ok();
}

CkStatus Session::DigestInit(const CK_MECHANISM& mechanism) {
  if (digest_) return CkError(CKR_OPERATION_ACTIVE);
  CK_ASSIGN_OR_RETURN(digest_.op, DigestOperation::Start(mechanism));
  return CkStatus::Ok();
}

CkStatus Session::Digest(ByteView data, const OutputBuffer& out) {
  if (!digest_) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  if (digest_.multipart) {
    digest_.Reset();
    return CkError(CKR_OPERATION_ACTIVE, "C_Digest after C_DigestUpdate");
  }
  CkStatus status;
  if (out.AnswersLengthOnly(digest_.op->length(), &status)) return status;
  CK_RETURN_IF_ERROR(EndOnError(digest_, digest_.op->Update(data)));
  auto result = digest_.op->Final();
  digest_.Reset();
  if (!result.ok()) return result.status();
  return out.Deliver(View(*result));
}

CkStatus Session::DigestUpdate(ByteView data) {
  if (!digest_) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  digest_.multipart = true;
  return EndOnError(digest_, digest_.op->Update(data));
}

CkStatus Session::DigestFinal(const OutputBuffer& out) {
  if (!digest_) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  CkStatus status;
  if (out.AnswersLengthOnly(digest_.op->length(), &status)) return status;
  auto result = digest_.op->Final();
  digest_.Reset();
  if (!result.ok()) return result.status();
  return out.Deliver(View(*result));
}

CkStatus Session::SignInit(const CK_MECHANISM& mechanism,
                           CK_OBJECT_HANDLE key) {
  if (sign_) return CkError(CKR_OPERATION_ACTIVE);
  if (!token_->auth().logged_in()) return CkError(CKR_USER_NOT_LOGGED_IN);
  auto object = GetObject(key);
  if (!object.ok()) {
    return CkError(CKR_KEY_HANDLE_INVALID, object.status().message());
  }
  CK_ASSIGN_OR_RETURN(sign_.op, StartSign(mechanism, *object, &token_->auth()));
  return CkStatus::Ok();
}

CkStatus Session::Sign(ByteView data, const OutputBuffer& out) {
  if (!sign_) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  if (sign_.multipart) {
    sign_.Reset();
    return CkError(CKR_OPERATION_ACTIVE, "C_Sign after C_SignUpdate");
  }
  CkStatus status;
  if (out.AnswersLengthOnly(sign_.op->SignatureLength(), &status)) {
    return status;
  }
  CK_RETURN_IF_ERROR(EndOnError(sign_, sign_.op->Update(data)));
  auto result = sign_.op->Final();
  sign_.Reset();
  if (!result.ok()) return result.status();
  return out.Deliver(View(*result));
}

CkStatus Session::SignUpdate(ByteView data) {
  if (!sign_) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  sign_.multipart = true;
  return EndOnError(sign_, sign_.op->Update(data));
}

CkStatus Session::SignFinal(const OutputBuffer& out) {
  if (!sign_) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  CkStatus status;
  if (out.AnswersLengthOnly(sign_.op->SignatureLength(), &status)) {
    return status;
  }
  auto result = sign_.op->Final();
  sign_.Reset();
  if (!result.ok()) return result.status();
  return out.Deliver(View(*result));
}

CkStatus Session::VerifyInit(const CK_MECHANISM& mechanism,
                             CK_OBJECT_HANDLE key) {
  if (verify_) return CkError(CKR_OPERATION_ACTIVE);
  auto object = GetObject(key);
  if (!object.ok()) {
    return CkError(CKR_KEY_HANDLE_INVALID, object.status().message());
  }
  CK_ASSIGN_OR_RETURN(verify_.op,
                      StartVerify(mechanism, *object, &token_->auth()));
  return CkStatus::Ok();
}

CkStatus Session::Verify(ByteView data, ByteView signature) {
  if (!verify_) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  if (verify_.multipart) {
    verify_.Reset();
    return CkError(CKR_OPERATION_ACTIVE, "C_Verify after C_VerifyUpdate");
  }
  CkStatus status = verify_.op->Update(data);
  if (status.ok()) status = verify_.op->Final(signature);
  verify_.Reset();
  return status;
}

CkStatus Session::VerifyUpdate(ByteView data) {
  if (!verify_) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  verify_.multipart = true;
  return EndOnError(verify_, verify_.op->Update(data));
}

CkStatus Session::VerifyFinal(ByteView signature) {
  if (!verify_) return CkError(CKR_OPERATION_NOT_INITIALIZED);
  CkStatus status = verify_.op->Final(signature);
  verify_.Reset();
  return status;
}

CkStatus Session::EndWith(Operation operation, CkStatus status) {
  switch (operation) {
    case Operation::kDigest:
      digest_.Reset();
      break;
    case Operation::kSign:
      sign_.Reset();
      break;
    case Operation::kVerify:
      verify_.Reset();
      break;
    case Operation::kEncrypt:
      encrypt_.Reset();
      break;
    case Operation::kDecrypt:
      decrypt_.Reset();
      break;
  }
  return status;
}

void Session::CancelOperations() {
  find_ = FindState();
  digest_.Reset();
  sign_.Reset();
  verify_.Reset();
  encrypt_.Reset();
  decrypt_.Reset();
}

}  // namespace kms::p11
