// A client of kmsd's JSON API: one or more server URLs tried in order,
// request ids, bearer tokens, and error bodies turned back into Status.
#ifndef KMS_COMMON_API_CLIENT_H_
#define KMS_COMMON_API_CLIENT_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/https_client.h"
#include "common/json.h"

namespace kms {

class ApiClient {
 public:
  ApiClient(std::vector<std::string> base_urls, TlsClientConfig tls);

  void SetBearerToken(SecureString token) { token_ = std::move(token); }
  void ClearBearerToken() { token_.clear(); }

  // Sends body (may be null for GET/DELETE) to path ("/v1/...") and returns
  // the parsed reply. A non-2xx reply becomes its Status (code and message
  // from the body). Only idempotent methods (GET, PUT, DELETE) are retried
  // on the next URL after a transport failure.
  Result<Json> Call(std::string_view method, std::string_view path,
                    const Json& body = Json());

  // The request id of the last call, for logs.
  const std::string& last_request_id() const { return last_request_id_; }
  // The last call's HTTP status; 0 if no reply arrived.
  long last_http_status() const { return last_http_status_; }  // NOLINT

 private:
  std::vector<std::string> base_urls_;
  HttpsClient http_;
  SecureString token_;
  std::string last_request_id_;
  long last_http_status_ = 0;  // NOLINT(runtime/int)
};

// A new random request id (16 hex characters).
std::string NewRequestId();

// Turns an error reply body {"error":{"code","message"}} into a Status.
Status StatusFromErrorBody(long http_status,  // NOLINT(runtime/int)
                           std::string_view body);

}  // namespace kms

#endif  // KMS_COMMON_API_CLIENT_H_
