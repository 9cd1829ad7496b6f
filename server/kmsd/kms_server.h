// A running kmsd: store, root of trust, services, HTTPS front and
// scheduler, wired from a ServerConfig. Used by kmsd's main and by tests
// that want a real server in-process.
#ifndef KMS_SERVER_KMSD_KMS_SERVER_H_
#define KMS_SERVER_KMSD_KMS_SERVER_H_

#include <memory>

#include "server/api/server_context.h"
#include "server/http/http_server.h"
#include "server/scheduler/scheduler.h"

namespace kms {

class KmsServer {
 public:
  // Opens everything and starts serving. Refuses to start (with a message
  // naming the part) when anything fails.
  static Result<std::unique_ptr<KmsServer>> Start(const ServerConfig& config);
  ~KmsServer();

  int port() const { return http_->port(); }
  ServerContext& context() { return context_; }
  void Stop();

 private:
  KmsServer() = default;
  Status Open(const ServerConfig& config);

  std::unique_ptr<Store> store_;
  std::unique_ptr<RootOfTrust> root_;
  std::unique_ptr<KeyService> keys_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<AuditLog> audit_;
  Metrics metrics_;
  ServerContext context_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<HttpServer> http_;
};

// Opens the root of trust a config names (reading the PIN from its file or
// environment variable).
Result<std::unique_ptr<RootOfTrust>> OpenRootOfTrust(
    const RootOfTrustConfig& config);

}  // namespace kms

#endif  // KMS_SERVER_KMSD_KMS_SERVER_H_
