// Everything a request handler may use; owned by kmsd's main.
#ifndef KMS_SERVER_API_SERVER_CONTEXT_H_
#define KMS_SERVER_API_SERVER_CONTEXT_H_

#include <cstdint>

#include "server/audit/audit_log.h"
#include "server/auth/auth_service.h"
#include "server/config/server_config.h"
#include "server/keys/key_service.h"
#include "server/metrics/metrics.h"
#include "server/root_of_trust/root_of_trust.h"
#include "server/storage/store.h"

namespace kms {

struct ServerContext {
  ServerConfig config;
  Store* store = nullptr;
  RootOfTrust* root = nullptr;
  KeyService* keys = nullptr;
  AuthService* auth = nullptr;
  AuditLog* audit = nullptr;
  Metrics* metrics = nullptr;
  int64_t started_at = 0;  // ms
};

}  // namespace kms

#endif  // KMS_SERVER_API_SERVER_CONTEXT_H_
