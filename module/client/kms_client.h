// The module's transport to kmsd: a small pool of ApiClient connections
// (each a kept-alive libcurl handle with mutual TLS), shared by all threads
// and sessions. Idempotent requests are retried; every request carries a
// fresh request id that is logged with failures.
#ifndef KMS_MODULE_CLIENT_KMS_CLIENT_H_
#define KMS_MODULE_CLIENT_KMS_CLIENT_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_client.h"
#include "common/json.h"
#include "common/secure_memory.h"
#include "common/status.h"

namespace kms::p11 {

struct KmsClientOptions {
  std::vector<std::string> servers;  // base URLs, tried in order
  TlsClientConfig tls;
  int retries = 1;       // extra attempts of idempotent requests
  size_t pool_size = 4;  // idle connections kept
};

class KmsClient {
 public:
  explicit KmsClient(KmsClientOptions options);

  // One request. `bearer` may be empty (certificate-only endpoints).
  // Transport failures and 5xx are kUnavailable.
  Result<Json> Call(std::string_view method, std::string_view path,
                    const Json& body, const SecureString& bearer);

 private:
  std::unique_ptr<ApiClient> Acquire();
  void Release(std::unique_ptr<ApiClient> client);

  KmsClientOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<ApiClient>> idle_;
};

// Percent-encodes a path segment or query value.
std::string UrlEncode(std::string_view text);

}  // namespace kms::p11

#endif  // KMS_MODULE_CLIENT_KMS_CLIENT_H_
