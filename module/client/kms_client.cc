#include "module/client/kms_client.h"

#include <curl/curl.h>

#include <cctype>

#include "common/logging.h"

namespace kms::p11 {

namespace {

// Whether a failed request certainly never reached a server (no connection
// was made), so that even a POST may go to the next one. HttpsClient puts
// curl's description of the failure at the end of the message.
bool NeverSent(const Status& status) {
  if (status.code() != ErrorCode::kUnavailable) return false;
  for (CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST}) {
    if (status.message().ends_with(curl_easy_strerror(code))) return true;
  }
  return false;
}

thread_local KmsClient::DeviceErrorScope device_error_scope;

// The ulDeviceError code of one request's outcome.
CK_ULONG DeviceErrorOf(const Result<Json>& reply, long http_status) {  // NOLINT
  if (reply.ok()) return 0;
  if (http_status >= 500 && http_status <= 599) {
    return static_cast<CK_ULONG>(http_status);
  }
  if (reply.status().code() != ErrorCode::kUnavailable) return 0;
  return http_status == 0 ? kDeviceErrorNoReply : kDeviceErrorBadReply;
}

}  // namespace

void KmsClient::BeginDeviceErrorScope() {
  device_error_scope = DeviceErrorScope();
}

KmsClient::DeviceErrorScope KmsClient::CurrentDeviceErrorScope() {
  return device_error_scope;
}

KmsClient::KmsClient(KmsClientOptions options)
    : options_(std::move(options)), idle_(options_.servers.size()) {}

std::unique_ptr<ApiClient> KmsClient::Acquire(size_t server) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& idle = idle_[server];
    if (!idle.empty()) {
      auto client = std::move(idle.back());
      idle.pop_back();
      return client;
    }
  }
  return std::make_unique<ApiClient>(
      std::vector<std::string>{options_.servers[server]}, options_.tls);
}

void KmsClient::Release(size_t server, std::unique_ptr<ApiClient> client) {
  client->ClearBearerToken();
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_[server].size() < options_.pool_size) {
    idle_[server].push_back(std::move(client));
  }
}

Result<Json> KmsClient::Call(std::string_view method, std::string_view path,
                             const Json& body, const SecureString& bearer) {
  const size_t servers = options_.servers.size();
  if (servers == 0) {
    return Error(ErrorCode::kUnavailable, "no server URL configured");
  }
  const bool idempotent = method == "GET";
  const int rounds = idempotent ? 1 + options_.retries : 1;
  const size_t first = preferred_.load() % servers;
  Status last = Error(ErrorCode::kUnavailable, "no attempt made");
  for (int round = 0; round < rounds; ++round) {
    for (size_t i = 0; i < servers; ++i) {
      const size_t server = (first + i) % servers;
      auto client = Acquire(server);
      if (!bearer.empty()) client->SetBearerToken(bearer);
      Result<Json> reply = client->Call(method, path, body);
      std::string request_id = client->last_request_id();
      device_error_scope.requested = true;
      device_error_scope.code = DeviceErrorOf(reply, client->last_http_status());
      if (reply.ok() || reply.status().code() != ErrorCode::kUnavailable) {
        // The server answered (perhaps with an error of the request).
        Release(server, std::move(client));
        preferred_.store(server);
        if (reply.ok()) {
          KMS_LOG(kDebug) << method << " " << path << " ok (request "
                          << request_id << ")";
        } else {
          KMS_LOG(kInfo) << method << " " << path << " failed (request "
                         << request_id << "): " << reply.status().ToString();
        }
        return reply;
      }
      // A failed transport may leave the connection unusable: it is
      // dropped with `client`.
      last = reply.status();
      KMS_LOG(kInfo) << method << " " << path << " failed on "
                     << options_.servers[server] << " (request " << request_id
                     << "): " << last.ToString();
      if (!idempotent && !NeverSent(last)) return last;
    }
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
