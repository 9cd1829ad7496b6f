// The module's transport to kmsd: per server URL a small pool of ApiClient
// connections (each a kept-alive libcurl handle with mutual TLS), shared by
// all threads and sessions. Every request carries a fresh request id that
// is logged with failures.
//
// Failover: a request starts at the server that answered last and moves to
// the next URL when the server cannot be reached. GETs also move on (and
// are retried `retries` more times over the list) after any transport
// failure, timeout or 5xx; a POST moves on only if its connection could
// not be established at all, since once sent it may have taken effect.
#ifndef KMS_MODULE_CLIENT_KMS_CLIENT_H_
#define KMS_MODULE_CLIENT_KMS_CLIENT_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_client.h"
#include "common/json.h"
#include "common/secure_memory.h"
#include "common/status.h"
#include "module/base/pkcs11.h"

namespace kms::p11 {

// ulDeviceError codes (docs/pkcs11.md "Error mapping").
inline constexpr CK_ULONG kDeviceErrorNoReply = 1;    // refused, reset, TLS, timeout
inline constexpr CK_ULONG kDeviceErrorBadReply = 2;   // not JSON, or malformed
// 500-599: kmsd's HTTP status.

struct KmsClientOptions {
  std::vector<std::string> servers;  // base URLs, tried in order
  TlsClientConfig tls;
  int retries = 1;       // extra rounds over the servers for GETs
  size_t pool_size = 4;  // idle connections kept per server
};

class KmsClient {
 public:
  explicit KmsClient(KmsClientOptions options);

  // One request. `bearer` may be empty (certificate-only endpoints).
  // Transport failures, timeouts, 5xx and replies that are not JSON are
  // kUnavailable. Takes at most about (1 + retries) x servers x timeout_ms
  // for a GET, servers x connect_timeout_ms + timeout_ms for a POST.
  Result<Json> Call(std::string_view method, std::string_view path,
                    const Json& body, const SecureString& bearer);

  // What this thread's requests since BeginDeviceErrorScope() said about
  // the device, for C_GetSessionInfo's ulDeviceError (docs/pkcs11.md):
  // whether any request was made, and the code of the last failure (0 if
  // the last request got an answer).
  struct DeviceErrorScope {
    bool requested = false;
    CK_ULONG code = 0;
  };
  static void BeginDeviceErrorScope();
  static DeviceErrorScope CurrentDeviceErrorScope();

 private:
  std::unique_ptr<ApiClient> Acquire(size_t server);
  void Release(size_t server, std::unique_ptr<ApiClient> client);

  KmsClientOptions options_;
  std::atomic<size_t> preferred_{0};  // the server that answered last
  std::mutex mutex_;
  std::vector<std::vector<std::unique_ptr<ApiClient>>> idle_;  // by server
};

// Percent-encodes a path segment or query value.
std::string UrlEncode(std::string_view text);

}  // namespace kms::p11

#endif  // KMS_MODULE_CLIENT_KMS_CLIENT_H_
