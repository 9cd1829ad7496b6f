// One HTTPS connection (libcurl easy handle) with mutual TLS, kept alive
// across requests. Not thread-safe: callers hold one per thread or lock.
#ifndef KMS_COMMON_HTTPS_CLIENT_H_
#define KMS_COMMON_HTTPS_CLIENT_H_

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms {

struct TlsClientConfig {
  std::string ca_file;
  std::string cert_file;  // client certificate (PEM); empty for none
  std::string key_file;   // its private key (PEM)
  long connect_timeout_ms = 5000;  // NOLINT(runtime/int): curl's type
  long timeout_ms = 30000;         // NOLINT(runtime/int)
};

struct HttpReply {
  long status = 0;  // NOLINT(runtime/int): curl's type
  SecureString body;
};

struct CurlDeleter {
  void operator()(CURL* p) const { curl_easy_cleanup(p); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

class HttpsClient {
 public:
  explicit HttpsClient(TlsClientConfig config);

  // Transport failures (refused, reset, timeout, TLS) are kUnavailable with
  // curl's description; any HTTP status is a successful reply.
  Result<HttpReply> Send(std::string_view method, const std::string& url,
                         std::string_view body,
                         const std::vector<std::string>& headers);

 private:
  TlsClientConfig config_;
  CurlPtr curl_;
};

}  // namespace kms

#endif  // KMS_COMMON_HTTPS_CLIENT_H_
