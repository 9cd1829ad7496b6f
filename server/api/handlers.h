// API handlers, one per endpoint (docs/api.md). Each reads its request from
// the scope and returns the reply object; the router has already checked
// who may call it and writes the audit record afterwards.
#ifndef KMS_SERVER_API_HANDLERS_H_
#define KMS_SERVER_API_HANDLERS_H_

#include "common/json.h"
#include "server/api/request_scope.h"

namespace kms {

using Handler = Result<Json> (*)(RequestScope& scope);

// health_api.cc
Result<Json> HandleHealthz(RequestScope& scope);
Result<Json> HandleStatus(RequestScope& scope);
// GET /metrics answers text; see router.cc.
std::string RenderMetrics(ServerContext& context);

// auth_api.cc
Result<Json> HandleLogin(RequestScope& scope);
Result<Json> HandleRenew(RequestScope& scope);
Result<Json> HandleLogout(RequestScope& scope);
Result<Json> HandleChangePin(RequestScope& scope);
Result<Json> HandlePinStatus(RequestScope& scope);

// client_api.cc
Result<Json> HandleCreateClient(RequestScope& scope);
Result<Json> HandleListClients(RequestScope& scope);
Result<Json> HandleSetGrant(RequestScope& scope);
Result<Json> HandleRevokeGrant(RequestScope& scope);
Result<Json> HandleSetClientPin(RequestScope& scope);
Result<Json> HandleUnlockClient(RequestScope& scope);

// key_ring_api.cc
Result<Json> HandleCreateKeyRing(RequestScope& scope);
Result<Json> HandleListKeyRings(RequestScope& scope);

// key_api.cc
Result<Json> HandleListKeys(RequestScope& scope);
Result<Json> HandleCreateKey(RequestScope& scope);
Result<Json> HandleGetKey(RequestScope& scope);
Result<Json> HandleUpdateKey(RequestScope& scope);
Result<Json> HandleRotateKey(RequestScope& scope);
Result<Json> HandleEnableVersion(RequestScope& scope);
Result<Json> HandleDisableVersion(RequestScope& scope);
Result<Json> HandleDestroyVersion(RequestScope& scope);
Result<Json> HandleCancelDestroyVersion(RequestScope& scope);
Result<Json> HandleDestroyKey(RequestScope& scope);
Result<Json> HandleCancelDestroyKey(RequestScope& scope);

// key_use_api.cc
Result<Json> HandlePublicKey(RequestScope& scope);
Result<Json> HandleSign(RequestScope& scope);
Result<Json> HandleVerify(RequestScope& scope);
Result<Json> HandleEncrypt(RequestScope& scope);
Result<Json> HandleDecrypt(RequestScope& scope);

// key_transfer_api.cc
Result<Json> HandleWrap(RequestScope& scope);
Result<Json> HandleUnwrap(RequestScope& scope);
Result<Json> HandleImport(RequestScope& scope);
Result<Json> HandleRandom(RequestScope& scope);

// object_api.cc
Result<Json> HandleListObjects(RequestScope& scope);
Result<Json> HandleCreateObject(RequestScope& scope);
Result<Json> HandleGetObject(RequestScope& scope);
Result<Json> HandleUpdateObject(RequestScope& scope);
Result<Json> HandleDeleteObject(RequestScope& scope);

// audit_api.cc
Result<Json> HandleListAudit(RequestScope& scope);
Result<Json> HandleVerifyAudit(RequestScope& scope);
Result<Json> HandleBackup(RequestScope& scope);
Result<Json> HandleRestore(RequestScope& scope);

}  // namespace kms

#endif  // KMS_SERVER_API_HANDLERS_H_
