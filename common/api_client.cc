#include "common/api_client.h"

#include <openssl/rand.h>

#include "common/encoding.h"

namespace kms {

std::string NewRequestId() {
  uint8_t raw[8];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return "0000000000000000";
  return HexEncode(raw);
}

Status StatusFromErrorBody(long http_status, std::string_view body) {  // NOLINT
  auto parsed = ParseObject(body);
  if (parsed.ok()) {
    const cJSON* error = cJSON_GetObjectItemCaseSensitive(parsed->get(), "error");
    const cJSON* code = cJSON_GetObjectItemCaseSensitive(error, "code");
    const cJSON* message = cJSON_GetObjectItemCaseSensitive(error, "message");
    if (cJSON_IsString(code)) {
      return Error(ErrorCodeFromName(code->valuestring),
                   cJSON_IsString(message) ? message->valuestring : "");
    }
  }
  return Error(http_status >= 500 ? ErrorCode::kUnavailable
                                  : ErrorCode::kInternal,
               "server replied HTTP " + std::to_string(http_status) +
                   " without a valid error body");
}

ApiClient::ApiClient(std::vector<std::string> base_urls, TlsClientConfig tls)
    : base_urls_(std::move(base_urls)), http_(std::move(tls)) {}

Result<Json> ApiClient::Call(std::string_view method, std::string_view path,
                             const Json& body) {
  last_request_id_ = NewRequestId();
  last_http_status_ = 0;
  std::vector<std::string> headers = {"Content-Type: application/json",
                                      "Accept: application/json",
                                      "X-Request-Id: " + last_request_id_};
  if (!token_.empty()) {
    headers.push_back("Authorization: Bearer " +
                      std::string(token_.data(), token_.size()));
  }
  SecureString text = body.is_null() ? SecureString() : body.DumpSecure();
  bool idempotent = method == "GET" || method == "PUT" || method == "DELETE";
  Status last = Error(ErrorCode::kUnavailable, "no server URL configured");
  // Wipes the Authorization header however the loop ends.
  struct HeaderWiper {
    std::vector<std::string>& headers;
    ~HeaderWiper() {
      for (auto& h : headers) SecureWipe(h.data(), h.size());
    }
  } wiper{headers};
  for (const auto& base : base_urls_) {
    auto reply = http_.Send(method, base + std::string(path),
                            {text.data(), text.size()}, headers);
    if (!reply.ok()) {
      last = reply.status();
      if (!idempotent) break;
      continue;
    }
    last_http_status_ = reply->status;
    std::string_view reply_body(reply->body.data(), reply->body.size());
    if (reply->status < 200 || reply->status >= 300) {
      return StatusFromErrorBody(reply->status, reply_body);
    }
    if (reply_body.empty()) return Json::Object();
    auto parsed = Json::Parse(reply_body);
    if (!parsed.ok()) {
      return Error(ErrorCode::kUnavailable, "server reply is not valid JSON");
    }
    return std::move(parsed).value();
  }
  return last;
}

}  // namespace kms
