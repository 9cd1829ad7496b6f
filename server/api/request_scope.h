// One API request while it is handled: the caller, the path parameters, the
// parsed body and the audit record being filled in.
#ifndef KMS_SERVER_API_REQUEST_SCOPE_H_
#define KMS_SERVER_API_REQUEST_SCOPE_H_

#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "server/api/server_context.h"
#include "server/audit/audit_log.h"
#include "server/http/http_server.h"

namespace kms {

class RequestScope {
 public:
  RequestScope(ServerContext& context, ApiRequest& request)
      : context_(context), request_(request) {}

  ServerContext& context() { return context_; }
  ApiRequest& request() { return request_; }
  // Path segments matched by '*' in the route pattern, in order.
  const std::string& param(size_t i) const { return params_[i]; }
  std::vector<std::string>& params() { return params_; }

  // The caller, once the router has identified it.
  const ClientRecord& client() const { return *client_; }
  bool has_client() const { return client_.has_value(); }
  void set_client(ClientRecord client) { client_ = std::move(client); }
  const std::optional<TokenRecord>& token() const { return token_; }
  void set_token(TokenRecord token) { token_ = std::move(token); }

  // The request body as a strict reader; an empty body reads as {}.
  Result<JsonReader*> Body();
  // A query parameter, if present.
  std::optional<std::string> Query(const std::string& name) const;

  AuditEvent& audit() { return audit_; }

 private:
  ServerContext& context_;
  ApiRequest& request_;
  std::vector<std::string> params_;
  std::optional<ClientRecord> client_;
  std::optional<TokenRecord> token_;
  Json body_;
  std::optional<JsonReader> reader_;
  AuditEvent audit_;
};

}  // namespace kms

#endif  // KMS_SERVER_API_REQUEST_SCOPE_H_
