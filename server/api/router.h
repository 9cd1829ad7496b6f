// Routes API requests to handlers: matches the path, identifies the caller,
// checks role, token and grant, runs the handler, writes the audit record
// (fail closed) and records metrics.
#ifndef KMS_SERVER_API_ROUTER_H_
#define KMS_SERVER_API_ROUTER_H_

#include "server/api/server_context.h"
#include "server/http/http_server.h"

namespace kms {

ApiResponse HandleApiRequest(ServerContext& context, ApiRequest& request);

}  // namespace kms

#endif  // KMS_SERVER_API_ROUTER_H_
