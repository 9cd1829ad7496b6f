#include "common/https_client.h"

#include <mutex>

namespace kms {
namespace {

struct CurlSlistDeleter {
  void operator()(curl_slist* p) const { curl_slist_free_all(p); }
};
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// Reply bodies are sized up front from Content-Length (to a sane cap):
// every reallocation would leave one more copy to wipe, and data replies
// carry megabytes.
constexpr curl_off_t kMaxReserve = curl_off_t{64} << 20;

struct BodySink {
  CURL* curl;
  SecureString* body;
};

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->empty()) {
    curl_off_t length = -1;
    if (curl_easy_getinfo(sink->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
                          &length) == CURLE_OK &&
        length > 0 && length <= kMaxReserve) {
      sink->body->reserve(static_cast<size_t>(length));
    }
  }
  sink->body->append(data, size * count);
  return size * count;
}

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

HttpsClient::HttpsClient(TlsClientConfig config) : config_(std::move(config)) {
  GlobalInitOnce();
}

Result<HttpReply> HttpsClient::Send(std::string_view method,
                                    const std::string& url,
                                    std::string_view body,
                                    const std::vector<std::string>& headers) {
  if (!curl_) {
    curl_.reset(curl_easy_init());
    if (!curl_) return Error(ErrorCode::kInternal, "curl_easy_init failed");
  }
  CURL* c = curl_.get();
  curl_easy_reset(c);
  HttpReply reply;
  std::string method_text(method);
  CurlSlistPtr header_list;
  for (const auto& h : headers) {
    header_list.reset(curl_slist_append(header_list.release(), h.c_str()));
  }
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!config_.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
  }
  if (!config_.cert_file.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, config_.cert_file.c_str());
    curl_easy_setopt(c, CURLOPT_SSLKEY, config_.key_file.c_str());
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, config_.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, config_.timeout_ms);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  if (method != "GET" && method != "DELETE") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendBody);
  BodySink sink{c, &reply.body};
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    return Error(ErrorCode::kUnavailable,
                 std::string("request to ") + url +
                     " failed: " + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

}  // namespace kms
