#include "server/api/router.h"

#include <chrono>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "server/api/handlers.h"
#include "server/auth/permissions.h"

namespace kms {
namespace {

enum class Access {
  kPublic,      // no certificate needed
  kClient,      // any registered client
  kToken,       // a registered client with a valid bearer token
  kAdmin,       // a client with the admin role
  kRingRead,    // admin, or a token for the key ring with any grant on it
  kRingPublic,  // kRingRead, or without a token any grant on the key ring
                // (the handler then leaves out private objects)
  kRingManage,  // admin, or a token for the key ring with `permission`
  kRingUse,     // a token for the key ring with `permission` (never role)
};

struct Route {
  std::string_view method;
  std::string_view pattern;  // '*' matches one path segment
  std::string_view operation;
  Access access;
  uint32_t permission;
  Handler handler;
};

constexpr uint32_t kNone = 0;

const Route kRoutes[] = {
    {"GET", "/healthz", "healthz", Access::kPublic, kNone, HandleHealthz},
    {"POST", "/v1/auth/login", "login", Access::kClient, kNone, HandleLogin},
    {"POST", "/v1/auth/renew", "renew", Access::kToken, kNone, HandleRenew},
    {"POST", "/v1/auth/logout", "logout", Access::kToken, kNone, HandleLogout},
    {"POST", "/v1/auth/pin", "change-pin", Access::kClient, kNone,
     HandleChangePin},
    {"GET", "/v1/auth/pin-status", "pin-status", Access::kClient, kNone,
     HandlePinStatus},
    {"GET", "/v1/status", "status", Access::kAdmin, kNone, HandleStatus},
    {"POST", "/v1/clients", "client-create", Access::kAdmin, kNone,
     HandleCreateClient},
    {"GET", "/v1/clients", "client-list", Access::kAdmin, kNone,
     HandleListClients},
    {"POST", "/v1/clients/*/grants", "grant", Access::kAdmin, kNone,
     HandleSetGrant},
    {"DELETE", "/v1/clients/*/grants/*", "revoke", Access::kAdmin, kNone,
     HandleRevokeGrant},
    {"POST", "/v1/clients/*/pin", "set-pin", Access::kAdmin, kNone,
     HandleSetClientPin},
    {"POST", "/v1/clients/*/unlock", "unlock", Access::kAdmin, kNone,
     HandleUnlockClient},
    {"POST", "/v1/keyrings", "keyring-create", Access::kAdmin, kNone,
     HandleCreateKeyRing},
    {"GET", "/v1/keyrings", "keyring-list", Access::kClient, kNone,
     HandleListKeyRings},
    {"GET", "/v1/keyrings/*/keys", "key-list", Access::kRingPublic, kNone,
     HandleListKeys},
    {"POST", "/v1/keyrings/*/keys", "key-create", Access::kRingManage,
     kPermCreate, HandleCreateKey},
    {"GET", "/v1/keyrings/*/keys/*", "key-get", Access::kRingPublic, kNone,
     HandleGetKey},
    {"POST", "/v1/keyrings/*/keys/*/update", "key-update", Access::kRingManage,
     kPermManage, HandleUpdateKey},
    {"POST", "/v1/keyrings/*/keys/*/rotate", "key-rotate", Access::kRingManage,
     kPermManage, HandleRotateKey},
    {"POST", "/v1/keyrings/*/keys/*/versions/*/enable", "version-enable",
     Access::kRingManage, kPermManage, HandleEnableVersion},
    {"POST", "/v1/keyrings/*/keys/*/versions/*/disable", "version-disable",
     Access::kRingManage, kPermManage, HandleDisableVersion},
    {"POST", "/v1/keyrings/*/keys/*/versions/*/destroy", "version-destroy",
     Access::kRingManage, kPermDestroy, HandleDestroyVersion},
    {"POST", "/v1/keyrings/*/keys/*/versions/*/cancel-destroy",
     "version-cancel-destroy", Access::kRingManage, kPermDestroy,
     HandleCancelDestroyVersion},
    {"POST", "/v1/keyrings/*/keys/*/destroy", "key-destroy",
     Access::kRingManage, kPermDestroy, HandleDestroyKey},
    {"POST", "/v1/keyrings/*/keys/*/cancel-destroy", "key-cancel-destroy",
     Access::kRingManage, kPermDestroy, HandleCancelDestroyKey},
    {"GET", "/v1/keyrings/*/keys/*/public-key", "public-key",
     Access::kRingPublic, kNone, HandlePublicKey},
    {"POST", "/v1/keyrings/*/keys/*/sign", "sign", Access::kRingUse,
     kPermUseSign, HandleSign},
    {"POST", "/v1/keyrings/*/keys/*/verify", "verify", Access::kRingUse,
     kPermUseVerify, HandleVerify},
    {"POST", "/v1/keyrings/*/keys/*/encrypt", "encrypt", Access::kRingUse,
     kPermUseEncrypt, HandleEncrypt},
    {"POST", "/v1/keyrings/*/keys/*/decrypt", "decrypt", Access::kRingUse,
     kPermUseDecrypt, HandleDecrypt},
    {"POST", "/v1/keyrings/*/keys/*/wrap", "wrap", Access::kRingUse,
     kPermUseEncrypt, HandleWrap},
    {"POST", "/v1/keyrings/*/keys/*/unwrap", "unwrap", Access::kRingUse,
     kPermUseDecrypt | kPermCreate, HandleUnwrap},
    {"POST", "/v1/keyrings/*/import", "import", Access::kRingUse, kPermCreate,
     HandleImport},
    {"POST", "/v1/random", "random", Access::kClient, kNone, HandleRandom},
    {"GET", "/v1/keyrings/*/objects", "object-list", Access::kRingPublic, kNone,
     HandleListObjects},
    {"POST", "/v1/keyrings/*/objects", "object-create", Access::kRingManage,
     kPermCreate, HandleCreateObject},
    {"GET", "/v1/keyrings/*/objects/*", "object-get", Access::kRingPublic,
     kNone, HandleGetObject},
    {"POST", "/v1/keyrings/*/objects/*/update", "object-update",
     Access::kRingManage, kPermManage, HandleUpdateObject},
    {"DELETE", "/v1/keyrings/*/objects/*", "object-delete",
     Access::kRingManage, kPermDestroy, HandleDeleteObject},
    {"GET", "/v1/audit", "audit-list", Access::kAdmin, kNone, HandleListAudit},
    {"POST", "/v1/audit/verify", "audit-verify", Access::kAdmin, kNone,
     HandleVerifyAudit},
    {"POST", "/v1/backup", "backup", Access::kAdmin, kNone, HandleBackup},
    {"POST", "/v1/restore", "restore", Access::kAdmin, kNone, HandleRestore},
};

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool Match(std::string_view pattern, const std::vector<std::string_view>& path,
           std::vector<std::string>* params) {
  std::vector<std::string_view> parts = Split(pattern);
  if (parts.size() != path.size()) return false;
  params->clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "*") {
      if (path[i].empty()) return false;
      params->emplace_back(path[i]);
    } else if (parts[i] != path[i]) {
      return false;
    }
  }
  return true;
}

Status CheckAccess(RequestScope& scope, const Route& route) {
  if (route.access == Access::kPublic) return Status::Ok();
  ServerContext& ctx = scope.context();
  KMS_ASSIGN_OR_RETURN(ClientRecord client,
                       ctx.auth->IdentifyClient(scope.request().peer));
  scope.set_client(client);
  scope.audit().client = client.name;
  bool admin = client.role == "admin";
  const SecureString& bearer = scope.request().bearer_token;
  if (!bearer.empty()) {
    KMS_ASSIGN_OR_RETURN(TokenRecord token,
                         ctx.auth->ValidateToken(client, bearer));
    scope.set_token(token);
  }
  switch (route.access) {
    case Access::kPublic:
    case Access::kClient:
      return Status::Ok();
    case Access::kToken:
      if (!scope.token()) {
        return Error(ErrorCode::kTokenMissing, "this operation needs a login");
      }
      return Status::Ok();
    case Access::kAdmin:
      if (!admin) {
        return Error(ErrorCode::kPermissionDenied,
                     "this operation needs the admin role");
      }
      return Status::Ok();
    case Access::kRingRead:
    case Access::kRingPublic:
    case Access::kRingManage:
    case Access::kRingUse:
      break;
  }
  const std::string& ring = scope.param(0);
  if (admin && route.access != Access::kRingUse) return Status::Ok();
  if (route.access == Access::kRingPublic && !scope.token()) {
    // Public objects are readable before login, as PKCS#11 expects.
    auto grant = ctx.store->GetGrant(client.name, ring);
    if (!grant.ok() && grant.status().code() != ErrorCode::kNotFound) {
      return grant.status();
    }
    if (!grant.ok() || grant->permissions == 0) {
      return Error(ErrorCode::kPermissionDenied,
                   "client '" + client.name + "' has no grant on key ring '" +
                       ring + "'");
    }
    return Status::Ok();
  }
  if (!scope.token()) {
    return Error(ErrorCode::kTokenMissing,
                 route.access == Access::kRingUse && admin
                     ? "key use needs a login, even for an admin"
                     : "this operation needs a login to key ring '" + ring +
                           "'");
  }
  if (scope.token()->key_ring != ring) {
    return Error(ErrorCode::kTokenInvalid,
                 "the token is for key ring '" + scope.token()->key_ring +
                     "', not '" + ring + "'");
  }
  KMS_ASSIGN_OR_RETURN(GrantRecord grant,
                       ctx.store->GetGrant(client.name, ring));
  bool read = route.access == Access::kRingRead ||
              route.access == Access::kRingPublic;
  uint32_t needed = read ? 0 : route.permission;
  bool allowed = read
                     ? grant.permissions != 0
                     : (grant.permissions & needed) == needed;
  if (!allowed) {
    std::string names;
    for (const auto& n : PermissionNames(needed)) {
      names += (names.empty() ? "" : ", ") + n;
    }
    return Error(ErrorCode::kPermissionDenied,
                 "client '" + client.name + "' has no " +
                     (names.empty() ? std::string("grant")
                                    : "'" + names + "' permission") +
                     " on key ring '" + ring + "'");
  }
  return Status::Ok();
}

// *refused is set when the caller was not allowed to make the call.
ApiResponse Dispatch(RequestScope& scope, const Route& route, bool* refused) {
  ApiResponse response;
  Status access = CheckAccess(scope, route);
  if (!access.ok()) {
    *refused = true;
    response.status = access;
    return response;
  }
  if (route.operation == "metrics") {
    std::string text = RenderMetrics(scope.context());
    response.body.assign(text.data(), text.size());
    response.content_type = "text/plain; version=0.0.4";
    return response;
  }
  Result<Json> result = route.handler(scope);
  if (!result.ok()) {
    response.status = result.status();
    return response;
  }
  response.body = result->DumpSecure();
  return response;
}

}  // namespace

ApiResponse HandleApiRequest(ServerContext& context, ApiRequest& request) {
  auto started = std::chrono::steady_clock::now();
  RequestScope scope(context, request);
  std::vector<std::string_view> path = Split(request.path);
  const Route* route = nullptr;
  bool path_known = false;
  static const Route kMetricsRoute = {"GET", "/metrics", "metrics",
                                      Access::kClient, kNone, nullptr};
  if (request.path == "/metrics") {
    path_known = true;
    if (request.method == "GET") route = &kMetricsRoute;
  }
  for (const Route& r : kRoutes) {
    if (route != nullptr) break;
    if (!Match(r.pattern, path, &scope.params())) continue;
    path_known = true;
    if (r.method == request.method) route = &r;
  }
  ApiResponse response;
  std::string operation = "unknown";
  if (route == nullptr) {
    response.status =
        path_known
            ? Error(ErrorCode::kInvalidArgument,
                    "method " + request.method + " is not allowed on " +
                        request.path)
            : Error(ErrorCode::kNotFound, "no endpoint " + request.path);
  } else {
    operation = std::string(route->operation);
    AuditEvent& audit = scope.audit();
    audit.request_id = request.request_id;
    audit.operation = operation;
    audit.client = "cert:" + request.peer.fingerprint.substr(0, 16);
    if (request.path.starts_with("/v1/keyrings/") && !scope.params().empty()) {
      audit.key_ring = scope.param(0);
      if (request.path.find("/keys/") != std::string::npos &&
          scope.params().size() > 1) {
        audit.key_id = scope.param(1);
      }
    }
    bool refused = false;
    response = Dispatch(scope, *route, &refused);
    // Reads are not audited unless refused; every change, every use of a
    // key, every login and every refusal is — before the reply (fail
    // closed).
    if (request.method != "GET" || refused) {
      audit.result = response.status.ok()
                         ? "OK"
                         : std::string(ErrorCodeName(response.status.code()));
      if (!response.status.ok() && audit.detail.empty()) {
        audit.detail = response.status.message();
      }
      Status written = context.audit->Append(audit);
      if (!written.ok()) {
        KMS_LOG(kError) << "request " << request.request_id
                        << ": audit write failed: " << written.ToString();
        if (response.status.ok()) {
          response.body.clear();
          response.status = Error(ErrorCode::kUnavailable,
                                  "the audit trail cannot be written; the "
                                  "operation's result is withheld");
        }
      }
    }
  }
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  std::string result =
      response.status.ok() ? "OK"
                           : std::string(ErrorCodeName(response.status.code()));
  context.metrics->Record(operation, result, seconds);
  if (!response.status.ok()) {
    KMS_LOG(kInfo) << "request " << request.request_id << " " << request.method
                   << " " << request.path << ": " << result;
  }
  return response;
}

}  // namespace kms
