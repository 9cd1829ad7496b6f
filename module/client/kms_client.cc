#include "module/client/kms_client.h"

#include <cctype>

#include "common/logging.h"

namespace kms::p11 {

KmsClient::KmsClient(KmsClientOptions options) : options_(std::move(options)) {}

std::unique_ptr<ApiClient> KmsClient::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
  }
  return std::make_unique<ApiClient>(options_.servers, options_.tls);
}

void KmsClient::Release(std::unique_ptr<ApiClient> client) {
  client->ClearBearerToken();
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < options_.pool_size) idle_.push_back(std::move(client));
}

Result<Json> KmsClient::Call(std::string_view method, std::string_view path,
                             const Json& body, const SecureString& bearer) {
  const bool idempotent = method == "GET";
  const int attempts = idempotent ? 1 + options_.retries : 1;
  Status last = Error(ErrorCode::kUnavailable, "no attempt made");
  for (int attempt = 0; attempt < attempts; ++attempt) {
    auto client = Acquire();
    if (!bearer.empty()) client->SetBearerToken(bearer);
    Result<Json> reply = client->Call(method, path, body);
    std::string request_id = client->last_request_id();
    if (reply.ok()) {
      Release(std::move(client));
      KMS_LOG(kDebug) << method << " " << path << " ok (request " << request_id
                      << ")";
      return reply;
    }
    last = reply.status();
    // A failed transport may leave the connection unusable: drop it.
    if (last.code() != ErrorCode::kUnavailable) Release(std::move(client));
    KMS_LOG(kInfo) << method << " " << path << " failed (request " << request_id
                   << "): " << last.ToString();
    if (last.code() != ErrorCode::kUnavailable) break;
  }
  return last;
}

std::string UrlEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace kms::p11
