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
  return !token_.empty() && user_type_ == CKU_USER;
}

bool RingAuth::so_logged_in() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !token_.empty() && user_type_ == CKU_SO;
}

bool RingAuth::any_login() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !token_.empty();
}

CkStatus RingAuth::LoginLocked(CK_USER_TYPE user_type, std::string_view pin) {
  Json body = Json::Object();
  body.Set("key_ring", key_ring_);
  body.Set("pin", pin);
  if (user_type == CKU_SO) body.Set("as_admin", true);
  auto reply = client_->Call("POST", "/v1/auth/login", body, SecureString());
  if (!reply.ok()) {
    if (reply.status().code() == ErrorCode::kNotFound) {
      return CkError(CKR_TOKEN_NOT_RECOGNIZED,
                     "key ring " + key_ring_ + " not found");
    }
    if (user_type == CKU_SO &&
        reply.status().code() == ErrorCode::kPermissionDenied) {
      return CkError(CKR_USER_TYPE_INVALID,
                     "the configured client has no admin role: no SO");
    }
    return FromStatus(reply.status());
  }
  CK_ASSIGN_OR_RETURN(token_, TokenFrom(*reply));
  user_type_ = user_type;
  return CkStatus::Ok();
}

CkStatus RingAuth::Login(CK_USER_TYPE user_type, std::string_view pin) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!token_.empty()) {
    return CkError(user_type == user_type_
                       ? CKR_USER_ALREADY_LOGGED_IN
                       : CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
  }
  CK_RETURN_IF_ERROR(LoginLocked(user_type, pin));
  pin_.assign(pin.data(), pin.size());
  KMS_LOG(kInfo) << "logged in to key ring " << key_ring_
                 << (user_type == CKU_SO ? " as security officer" : "");
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
  return LoginLocked(user_type_, pin);
}

CkResult<Json> RingAuth::Call(std::string_view method, std::string_view path,
                              const Json& body) {
  SecureString token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The security officer's token is for logging out only: PKCS#11 gives
    // the SO no access to the user's (private) objects.
    if (token_.empty() || user_type_ != CKU_USER) {
      return CkError(CKR_USER_NOT_LOGGED_IN);
    }
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

CkStatus RingAuth::ChangePin(std::string_view old_pin,
                             std::string_view new_pin) {
  Json body = Json::Object();
  body.Set("key_ring", key_ring_);
  body.Set("old_pin", old_pin);
  body.Set("new_pin", new_pin);
  // Held across the request so that a renewal cannot log in again with the
  // PIN that is being replaced.
  std::lock_guard<std::mutex> lock(mu_);
  auto reply = client_->Call("POST", "/v1/auth/pin", body, SecureString());
  if (!reply.ok()) {
    if (reply.status().code() == ErrorCode::kInvalidArgument) {
      return CkError(CKR_PIN_LEN_RANGE, reply.status().message());
    }
    return FromStatus(reply.status());
  }
  if (!token_.empty()) pin_.assign(new_pin.data(), new_pin.size());
  return CkStatus::Ok();
}

CkStatus RingAuth::SetUserPin(const std::string& client, std::string_view pin) {
  if (!so_logged_in()) return CkError(CKR_USER_NOT_LOGGED_IN);
  Json body = Json::Object();
  body.Set("key_ring", key_ring_);
  body.Set("pin", pin);
  // An admin endpoint: the client certificate is the credential.
  auto reply =
      client_->Call("POST", "/v1/clients/" + UrlEncode(client) + "/pin", body,
                    SecureString());
  if (!reply.ok()) {
    if (reply.status().code() == ErrorCode::kInvalidArgument) {
      return CkError(CKR_PIN_LEN_RANGE, reply.status().message());
    }
    if (reply.status().code() == ErrorCode::kNotFound) {
      return CkError(CKR_FUNCTION_FAILED, reply.status().message());
    }
    return FromStatus(reply.status());
  }
  return CkStatus::Ok();
}

}  // namespace kms::p11
