#include "module/client/ring_auth.h"

#include "common/logging.h"
#include "module/client/error_map.h"

namespace kms::p11 {
namespace {

bool IsTokenProblem(const Status& s) {
  return s.code() == ErrorCode::kTokenExpired ||
         s.code() == ErrorCode::kTokenInvalid;
}

CkResult<SecureString> TokenFrom(const Json& reply) {
  const cJSON* token = cJSON_GetObjectItemCaseSensitive(reply.get(), "token");
  if (!cJSON_IsString(token) || token->valuestring[0] == '\0') {
    return CkError(CKR_DEVICE_ERROR, "login reply carries no token");
  }
  return SecureString(token->valuestring);
}

}  // namespace

RingAuth::RingAuth(KmsClient* client, std::string key_ring)
    : client_(client), key_ring_(std::move(key_ring)) {}

bool RingAuth::logged_in() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !token_.empty();
}

CkStatus RingAuth::LoginLocked(std::string_view pin) {
  Json body = Json::Object();
  body.Set("key_ring", key_ring_);
  body.Set("pin", pin);
  auto reply = client_->Call("POST", "/v1/auth/login", body, SecureString());
  if (!reply.ok()) {
    if (reply.status().code() == ErrorCode::kNotFound) {
      return CkError(CKR_TOKEN_NOT_RECOGNIZED,
                     "key ring " + key_ring_ + " not found");
    }
    return FromStatus(reply.status());
  }
  CK_ASSIGN_OR_RETURN(token_, TokenFrom(*reply));
  return CkStatus::Ok();
}

CkStatus RingAuth::Login(std::string_view pin) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!token_.empty()) return CkError(CKR_USER_ALREADY_LOGGED_IN);
  CK_RETURN_IF_ERROR(LoginLocked(pin));
  pin_.assign(pin.data(), pin.size());
  KMS_LOG(kInfo) << "logged in to key ring " << key_ring_;
  return CkStatus::Ok();
}

CkStatus RingAuth::Logout() {
  SecureString token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (token_.empty()) return CkError(CKR_USER_NOT_LOGGED_IN);
    token.swap(token_);
    pin_.clear();
  }
  auto reply = client_->Call("POST", "/v1/auth/logout", Json::Object(), token);
  if (!reply.ok()) {
    KMS_LOG(kWarning) << "server-side logout failed (the token expires on its"
                         " own): "
                      << reply.status().ToString();
  }
  return CkStatus::Ok();
}

void RingAuth::Forget() {
  std::lock_guard<std::mutex> lock(mu_);
  token_.clear();
  pin_.clear();
}

CkStatus RingAuth::RenewLocked(const SecureString& stale) {
  if (token_ != stale) return CkStatus::Ok();  // another thread renewed
  auto renewed =
      client_->Call("POST", "/v1/auth/renew", Json::Object(), token_);
  if (renewed.ok()) {
    auto token = TokenFrom(*renewed);
    if (token.ok()) {
      token_ = std::move(token).value();
      return CkStatus::Ok();
    }
  }
  if (pin_.empty()) return CkError(CKR_USER_NOT_LOGGED_IN, "token expired");
  KMS_LOG(kInfo) << "token for key ring " << key_ring_
                 << " could not be renewed; logging in again";
  std::string_view pin(pin_.data(), pin_.size());
  return LoginLocked(pin);
}

CkResult<Json> RingAuth::Call(std::string_view method, std::string_view path,
                              const Json& body) {
  SecureString token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (token_.empty()) return CkError(CKR_USER_NOT_LOGGED_IN);
    token = token_;
  }
  auto reply = client_->Call(method, path, body, token);
  if (reply.ok()) return std::move(reply).value();
  if (!IsTokenProblem(reply.status())) return FromStatus(reply.status());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (token_.empty()) return CkError(CKR_USER_NOT_LOGGED_IN);
    CK_RETURN_IF_ERROR(RenewLocked(token));
    token = token_;
  }
  auto again = client_->Call(method, path, body, token);
  if (!again.ok()) return FromStatus(again.status());
  return std::move(again).value();
}

CkResult<Json> RingAuth::CallAnonymous(std::string_view method,
                                       std::string_view path,
                                       const Json& body) {
  auto reply = client_->Call(method, path, body, SecureString());
  if (!reply.ok()) return FromStatus(reply.status());
  return std::move(reply).value();
}

CkResult<PinStatus> RingAuth::GetPinStatus() {
  CK_ASSIGN_OR_RETURN(Json reply,
                      CallAnonymous("GET", "/v1/auth/pin-status?key_ring=" +
                                               UrlEncode(key_ring_)));
  const cJSON* root = reply.get();
  PinStatus s;
  s.pin_set = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "pin_set"));
  s.locked = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "locked"));
  const cJSON* failed =
      cJSON_GetObjectItemCaseSensitive(root, "failed_attempts");
  const cJSON* max = cJSON_GetObjectItemCaseSensitive(root, "max_attempts");
  if (cJSON_IsNumber(failed)) s.failed_attempts = failed->valueint;
  if (cJSON_IsNumber(max)) s.max_attempts = max->valueint;
  return s;
}

}  // namespace kms::p11
