// `kmsd dev`: everything for a local server in one directory (PKI, config,
// store, root of trust, key ring "dev", clients "admin" and "app" and the
// app's PIN), reused when started again on the same directory.
#ifndef KMS_SERVER_KMSD_DEV_MODE_H_
#define KMS_SERVER_KMSD_DEV_MODE_H_

#include <string>

#include "common/status.h"
#include "server/config/server_config.h"
#include "server/kmsd/kms_server.h"

namespace kms {

struct DevOptions {
  std::string data_dir;
  std::string listen;  // empty: keep the directory's (default 127.0.0.1:8443)
  std::string root;    // "file", "softhsm", or empty: keep the directory's
  bool audit_off = false;  // --audit-off: benchmarks only, see AuditLog
};

// Creates what is missing in the directory and returns the server config.
Result<ServerConfig> PrepareDevDirectory(const DevOptions& options);
// Registers the dev clients, key ring, grants and PIN if missing, then
// writes DIR/env and DIR/pkcs11.json for the port actually bound.
Status FinishDevSetup(const DevOptions& options, KmsServer& server);

}  // namespace kms

#endif  // KMS_SERVER_KMSD_DEV_MODE_H_
