#include "common/encoding.h"
#include "module/ops/remote_sign.h"
#include "module/ops/verify_operations.h"

namespace kms::p11 {
namespace {

class RemoteVerify : public VerifyOperation {
 public:
  RemoteVerify(std::unique_ptr<SignSpec> spec,
               std::shared_ptr<const P11Object> key, RingAuth* auth,
               MessageAccumulator input)
      : spec_(std::move(spec)),
        key_(std::move(key)),
        auth_(auth),
        input_(std::move(input)) {}

  CK_ULONG SignatureLength() const override { return spec_->signature_length; }
  CkStatus Update(ByteView data) override { return input_.Update(data); }

  CkStatus Final(ByteView signature) override {
    CK_ASSIGN_OR_RETURN(Bytes data, input_.Finish());
    if (signature.size() != spec_->signature_length) {
      return CkError(CKR_SIGNATURE_LEN_RANGE);
    }
    Json body = Json::Object();
    SetVersion(body, *key_);
    body.Set("scheme", spec_->scheme);
    body.SetBase64("data", View(data));
    body.SetBase64("signature", signature);
    CK_ASSIGN_OR_RETURN(
        Json reply,
        auth_->Call("POST", KeyActionPath(*auth_, *key_, "verify"), body));
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply.get(), "valid"))) {
      return CkError(CKR_SIGNATURE_INVALID);
    }
    return CkStatus::Ok();
  }

 private:
  std::unique_ptr<SignSpec> spec_;
  std::shared_ptr<const P11Object> key_;
  RingAuth* auth_;
  MessageAccumulator input_;
};

}  // namespace

CkResult<std::unique_ptr<VerifyOperation>> StartRemoteVerify(
    std::unique_ptr<SignSpec> spec, std::shared_ptr<const P11Object> key,
    RingAuth* auth) {
  CK_ASSIGN_OR_RETURN(MessageAccumulator input,
                      MessageAccumulator::Start(*spec));
  return std::unique_ptr<VerifyOperation>(new RemoteVerify(
      std::move(spec), std::move(key), auth, std::move(input)));
}

}  // namespace kms::p11
