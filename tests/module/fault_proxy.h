// An HTTPS proxy between the PKCS#11 module and a real kmsd that injects
// one fault at a time (delays, 5xx replies, dropped connections, broken
// bodies) into the requests whose path matches, and forwards the rest.
// The front is libmicrohttpd with GnuTLS (a thread per connection, so a
// delayed request holds up no other); the back is the project's libcurl
// client presenting the application certificate, so kmsd sees the module's
// own client.
#ifndef KMS_TESTS_MODULE_FAULT_PROXY_H_
#define KMS_TESTS_MODULE_FAULT_PROXY_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/https_client.h"
#include "common/secure_memory.h"
#include "common/status.h"

struct MHD_Daemon;

namespace kms::testing {

enum class Fault {
  kNone,
  kDelay,               // forwards after the configured delay
  kHttp500Json,         // 500 with a JSON error body (INTERNAL)
  kHttp502Html,         // 502 with an HTML body, as a load balancer sends
  kHttp503Json,         // 503 with a JSON error body (UNAVAILABLE)
  kHttp503Empty,        // 503 with no body
  kTokenInvalid,        // 401 TOKEN_INVALID, as kmsd says of a stale token
  kCloseWithoutReply,   // reads the request, closes the connection
  kMalformedJson,       // forwards, then sends half of kmsd's reply body
  kTruncatedSignature,  // forwards, then drops bytes from "signature"
};

struct FaultProxyOptions {
  std::string backend_url;      // kmsd, e.g. https://127.0.0.1:1234
  std::string server_cert_pem;  // the proxy's certificate for 127.0.0.1
  SecureString server_key_pem;
  TlsClientConfig backend_tls;  // CA and client certificate for kmsd
};

class FaultProxy {
 public:
  static Result<std::unique_ptr<FaultProxy>> Start(FaultProxyOptions options);
  ~FaultProxy();

  std::string url() const;
  // From now on, requests whose path contains `path_part` (every request
  // if empty) get `fault`, the next `times` of them (all if negative).
  // kDelay waits `delay` before forwarding.
  void Inject(Fault fault, const std::string& path_part = "",
              std::chrono::milliseconds delay = std::chrono::milliseconds(0),
              int times = -1);
  void Clear() { Inject(Fault::kNone); }
  // Requests that got a fault / were forwarded, since Start.
  int faulted() const;
  int forwarded() const;

  struct Request {
    std::string method;
    std::string path_and_query;
    std::vector<std::string> headers;  // forwarded as they are
    SecureString body;
  };
  struct Reply {
    unsigned int status = 200;
    std::string content_type = "application/json";
    SecureString body;
  };
  // One complete request (libmicrohttpd's threads). False: close the
  // connection without a reply.
  bool Handle(const Request& request, Reply* reply);

 private:
  explicit FaultProxy(FaultProxyOptions options);
  Result<Reply> Forward(const Request& request);

  FaultProxyOptions options_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  Fault fault_ = Fault::kNone;
  std::string path_part_;
  std::chrono::milliseconds delay_{0};
  int times_ = -1;
  int faulted_ = 0;
  int forwarded_ = 0;
};

}  // namespace kms::testing

#endif  // KMS_TESTS_MODULE_FAULT_PROXY_H_
