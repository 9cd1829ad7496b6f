// kmsd's HTTPS front: libmicrohttpd with TLS (GnuTLS), client certificates
// verified against the client CA, body size limits, request ids. It knows
// HTTP; nothing behind the RequestHandler does.
#ifndef KMS_SERVER_HTTP_HTTP_SERVER_H_
#define KMS_SERVER_HTTP_HTTP_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms {

struct ClientIdentity {
  bool verified = false;    // chain to the client CA checked
  std::string fingerprint;  // lowercase hex SHA-256 of the DER cert
  std::string subject_cn;   // subject common name
};

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/v1/keyrings/dev/keys", without the query
  std::map<std::string, std::string> query;
  SecureString body;
  ClientIdentity peer;
  SecureString bearer_token;  // from "Authorization: Bearer ..."; may be empty
  std::string request_id;     // X-Request-Id if sane, else generated
};

struct ApiResponse {
  Status status;      // not ok: the front writes the error body
  SecureString body;  // ok: the reply body
  std::string content_type = "application/json";
};

using RequestHandler = std::function<ApiResponse(ApiRequest& request)>;

struct HttpServerConfig {
  std::string listen_address = "127.0.0.1";
  int port = 8443;       // 0: pick an ephemeral port (see HttpServer::port())
  std::string cert_pem;  // server certificate chain (PEM text)
  SecureString key_pem;  // server private key (PEM text)
  std::string client_ca_pem;  // CA that issues client certificates
  size_t max_body_bytes = 1 << 20;
  // Larger limits for particular paths (e.g. restoring a backup), and for
  // paths that end in a given way (".../encrypt").
  std::map<std::string, size_t> body_limit_by_path;
  std::map<std::string, size_t> body_limit_by_suffix;
  int threads = 2;
  int connection_timeout_seconds = 60;
};

// Maps an error code to its HTTP status (e.g. kNotFound -> 404).
int HttpStatusFor(ErrorCode code);

class HttpServer {
 public:
  // Requests other than GET /healthz from a peer without a certificate that
  // chains to the client CA are refused (401, connection closed) before the
  // handler runs. Bodies larger than max_body_bytes are refused with 413
  // before they are read whole.
  static Result<std::unique_ptr<HttpServer>> Start(
      const HttpServerConfig& config, RequestHandler handler);
  virtual ~HttpServer() = default;
  virtual int port() const = 0;
  virtual void Stop() = 0;
};

}  // namespace kms

#endif  // KMS_SERVER_HTTP_HTTP_SERVER_H_
