// Session: C_WrapKey and C_UnwrapKey.
#include "module/ops/key_generation.h"
#include "module/ops/key_wrap.h"
#include "module/session/session.h"

namespace kms::p11 {

CkStatus Session::WrapKey(const CK_MECHANISM& mechanism,
                          CK_OBJECT_HANDLE wrapping, CK_OBJECT_HANDLE key,
                          const OutputBuffer& out) {
  if (!token_->auth().logged_in()) return CkError(CKR_USER_NOT_LOGGED_IN);
  CK_ASSIGN_OR_RETURN(WrapSpec spec, ParseWrapMechanism(mechanism));
  auto wrapping_key = GetObject(wrapping);
  if (!wrapping_key.ok()) {
    return CkError(CKR_WRAPPING_KEY_HANDLE_INVALID,
                   wrapping_key.status().message());
  }
  auto target = GetObject(key);
  if (!target.ok()) {
    return CkError(CKR_KEY_HANDLE_INVALID, target.status().message());
  }
  CK_RETURN_IF_ERROR(CheckWrappingKey(spec, **wrapping_key, /*wrap=*/true));
  CK_ASSIGN_OR_RETURN(CK_ULONG length,
                      WrappedLength(spec, **wrapping_key, **target));
  CkStatus status;
  if (out.AnswersLengthOnly(length, &status)) return status;
  CK_ASSIGN_OR_RETURN(
      Bytes wrapped,
      kms::p11::WrapKey(token_->auth(), spec, **wrapping_key, **target));
  return out.Deliver(View(wrapped));
}

CkStatus Session::UnwrapKey(const CK_MECHANISM& mechanism,
                            CK_OBJECT_HANDLE unwrapping, ByteView wrapped,
                            const AttributeList& templ, CK_OBJECT_HANDLE* key) {
  if (!token_->auth().logged_in()) return CkError(CKR_USER_NOT_LOGGED_IN);
  CK_ASSIGN_OR_RETURN(WrapSpec spec, ParseWrapMechanism(mechanism));
  auto unwrapping_key = GetObject(unwrapping);
  if (!unwrapping_key.ok()) {
    return CkError(CKR_UNWRAPPING_KEY_HANDLE_INVALID,
                   unwrapping_key.status().message());
  }
  CK_RETURN_IF_ERROR(CheckWrappingKey(spec, **unwrapping_key, /*wrap=*/false));
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> length,
                      UnwrappedLength(spec, **unwrapping_key, wrapped.size()));
  const bool padded = mechanism.mechanism != CKM_AES_KEY_WRAP;
  CK_ASSIGN_OR_RETURN(NewKey request, UnwrapKeyRequest(templ, length, padded));
  if (request.token && !read_write()) return CkError(CKR_SESSION_READ_ONLY);
  CK_ASSIGN_OR_RETURN(
      auto objects, kms::p11::UnwrapKey(token_->auth(), spec, **unwrapping_key,
                                        wrapped, request));
  *key = CK_INVALID_HANDLE;
  auto handles = AdoptNewKey(objects, request.token);
  for (size_t i = 0; i < objects.size(); ++i) {
    if (objects[i]->version() == 0 &&
        objects[i]->object_class() == CKO_SECRET_KEY) {
      *key = handles[i];
    }
  }
  if (*key == CK_INVALID_HANDLE) {
    return CkError(CKR_DEVICE_ERROR, "unwrapped key shows no secret key");
  }
  return CkStatus::Ok();
}

}  // namespace kms::p11
