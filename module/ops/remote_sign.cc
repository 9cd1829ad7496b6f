#include "module/ops/remote_sign.h"

#include "common/encoding.h"
#include "module/client/kms_client.h"

namespace kms::p11 {

std::string KeyActionPath(const RingAuth& auth, const P11Object& key,
                          const char* action) {
  return "/v1/keyrings/" + UrlEncode(auth.key_ring()) + "/keys/" +
         UrlEncode(key.key_id()) + "/" + action;
}

void SetVersion(Json& body, const P11Object& key) {
  if (key.version() != 0) body.Set("version", key.version());
}

CkResult<std::unique_ptr<SignOperation>> RemoteSign::Start(
    std::unique_ptr<SignSpec> spec, std::shared_ptr<const P11Object> key,
    RingAuth* auth) {
  CK_ASSIGN_OR_RETURN(MessageAccumulator input,
                      MessageAccumulator::Start(*spec));
  return std::unique_ptr<SignOperation>(
      new RemoteSign(std::move(spec), std::move(key), auth, std::move(input)));
}

CkResult<Bytes> RemoteSign::Final() {
  CK_ASSIGN_OR_RETURN(Bytes data, input_.Finish());
  Json body = Json::Object();
  SetVersion(body, *key_);
  body.Set("scheme", spec_->scheme);
  if (spec_->wire_hash != nullptr)
    body.Set("hash", spec_->wire_hash->wire_name);
  if (spec_->mgf1_hash != nullptr) {
    body.Set("mgf1_hash", spec_->mgf1_hash->wire_name);
  }
  if (spec_->salt_length) {
    body.Set("salt_length", static_cast<int64_t>(*spec_->salt_length));
  }
  body.SetBase64("data", View(data));
  CK_ASSIGN_OR_RETURN(
      Json reply,
      auth_->Call("POST", KeyActionPath(*auth_, *key_, "sign"), body));
  const cJSON* sig = cJSON_GetObjectItemCaseSensitive(reply.get(), "signature");
  if (!cJSON_IsString(sig)) {
    return CkError(CKR_DEVICE_ERROR, "sign reply has no signature");
  }
  auto signature = Base64Decode(sig->valuestring);
  if (!signature.ok() || signature->size() != spec_->signature_length) {
    return CkError(CKR_DEVICE_ERROR, "server sent a malformed signature");
  }
  return std::move(signature).value();
}

}  // namespace kms::p11
