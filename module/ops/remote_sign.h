// Signing by kmsd: the digest (or message) goes to
// POST /v1/keyrings/{ring}/keys/{id}/sign; the signature length is checked.
#ifndef KMS_MODULE_OPS_REMOTE_SIGN_H_
#define KMS_MODULE_OPS_REMOTE_SIGN_H_

#include <memory>

#include "module/ops/message_accumulator.h"
#include "module/ops/sign_operation.h"

namespace kms::p11 {

// The path of a key action: /v1/keyrings/{ring}/keys/{id}/{action}.
std::string KeyActionPath(const RingAuth& auth, const P11Object& key,
                          const char* action);
// Adds "version" for objects of a fixed (non-primary) version.
void SetVersion(Json& body, const P11Object& key);

class RemoteSign : public SignOperation {
 public:
  static CkResult<std::unique_ptr<SignOperation>> Start(
      std::unique_ptr<SignSpec> spec, std::shared_ptr<const P11Object> key,
      RingAuth* auth);

  CK_ULONG SignatureLength() const override { return spec_->signature_length; }
  CkStatus Update(ByteView data) override { return input_.Update(data); }
  CkResult<Bytes> Final() override;

 private:
  RemoteSign(std::unique_ptr<SignSpec> spec,
             std::shared_ptr<const P11Object> key, RingAuth* auth,
             MessageAccumulator input)
      : spec_(std::move(spec)),
        key_(std::move(key)),
        auth_(auth),
        input_(std::move(input)) {}

  std::unique_ptr<SignSpec> spec_;
  std::shared_ptr<const P11Object> key_;
  RingAuth* auth_;
  MessageAccumulator input_;
};

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_REMOTE_SIGN_H_
