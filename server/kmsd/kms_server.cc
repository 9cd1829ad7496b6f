#include "server/kmsd/kms_server.h"

#include <cstdlib>
#include <thread>

#include "common/file_util.h"
#include "common/logging.h"
#include "common/time_util.h"
#include "server/api/router.h"
#include "server/dev/pki.h"
#include "server/storage/caching_store.h"

namespace kms {
namespace {

Status Annotate(const Status& status, const std::string& what) {
  if (status.ok()) return status;
  return Error(status.code(), what + ": " + status.message());
}

Status BootstrapAdmin(Store& store, const BootstrapConfig& bootstrap) {
  if (bootstrap.admin_name.empty()) return Status::Ok();
  if (store.GetClient(bootstrap.admin_name).ok()) return Status::Ok();
  KMS_ASSIGN_OR_RETURN(std::string pem, ReadFile(bootstrap.admin_cert_file));
  ClientRecord admin;
  admin.name = bootstrap.admin_name;
  admin.role = "admin";
  KMS_ASSIGN_OR_RETURN(admin.cert_fingerprint, CertificateFingerprint(pem));
  admin.created_at = NowMillis();
  KMS_RETURN_IF_ERROR(store.CreateClient(admin));
  KMS_LOG(kInfo) << "registered bootstrap admin client '" << admin.name << "'";
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<RootOfTrust>> OpenRootOfTrust(
    const RootOfTrustConfig& config) {
  if (config.backend == "file") {
    return OpenFileRootOfTrust(config.file_path, true);
  }
  Pkcs11RootConfig p11;
  p11.module_path = config.pkcs11_module;
  p11.token_label = config.pkcs11_token_label;
  if (!config.pkcs11_pin_file.empty()) {
    KMS_ASSIGN_OR_RETURN(p11.pin, ReadSecretFile(config.pkcs11_pin_file));
    while (!p11.pin.empty() &&
           (p11.pin.back() == '\n' || p11.pin.back() == '\r')) {
      p11.pin.pop_back();
    }
  } else {
    const char* pin = std::getenv(config.pkcs11_pin_env.c_str());
    if (pin == nullptr) {
      return Error(ErrorCode::kInvalidArgument,
                   "environment variable '" + config.pkcs11_pin_env +
                       "' (root_of_trust.pkcs11_pin_env) is not set");
    }
    p11.pin = pin;
  }
  return OpenPkcs11RootOfTrust(std::move(p11));
}

Status KmsServer::Open(const ServerConfig& config) {
  auto store = OpenSqliteStore(config.storage.path);
  KMS_RETURN_IF_ERROR(Annotate(store.status(), "storage"));
  // One kmsd per database file: the cache sees every change.
  store_ = std::make_unique<CachingStore>(
      std::move(store).value(),
      static_cast<size_t>(config.storage.cache_entries));
  auto root = OpenRootOfTrust(config.root_of_trust);
  KMS_RETURN_IF_ERROR(Annotate(root.status(), "root of trust"));
  root_ = std::move(root).value();
  if (!root_->hsm_backed()) {
    KMS_LOG(kWarning) << "root of trust is " << root_->description()
                      << ": keys are NOT protected by an HSM";
  }
  keys_ = std::make_unique<KeyService>(store_.get(), root_.get(), config.keys);
  auth_ = std::make_unique<AuthService>(store_.get(), config.auth);
  audit_ = std::make_unique<AuditLog>(store_.get(), root_.get());
  KMS_RETURN_IF_ERROR(Annotate(audit_->Init(), "audit trail"));
  if (config.audit_off_for_benchmark) {
    audit_->TurnOffForBenchmark();
    KMS_LOG(kWarning) << "AUDIT TRAIL OFF (kmsd dev --audit-off): operations "
                         "are not recorded; for measuring the audit's cost "
                         "only";
  }
  KMS_RETURN_IF_ERROR(
      Annotate(BootstrapAdmin(*store_, config.bootstrap), "bootstrap"));
  context_.config = config;
  context_.store = store_.get();
  context_.root = root_.get();
  context_.keys = keys_.get();
  context_.auth = auth_.get();
  context_.audit = audit_.get();
  context_.metrics = &metrics_;
  context_.started_at = NowMillis();
  return Status::Ok();
}

Result<std::unique_ptr<KmsServer>> KmsServer::Start(
    const ServerConfig& config) {
  std::unique_ptr<KmsServer> server(new KmsServer());
  KMS_RETURN_IF_ERROR(server->Open(config));
  HttpServerConfig http;
  KMS_RETURN_IF_ERROR(
      ParseListenAddress(config.http.listen, &http.listen_address, &http.port));
  auto cert = ReadFile(config.tls.cert_file);
  KMS_RETURN_IF_ERROR(Annotate(cert.status(), "tls.cert_file"));
  http.cert_pem = *cert;
  auto key = ReadSecretFile(config.tls.key_file);
  KMS_RETURN_IF_ERROR(Annotate(key.status(), "tls.key_file"));
  http.key_pem = *key;
  auto ca = ReadFile(config.tls.client_ca_file);
  KMS_RETURN_IF_ERROR(Annotate(ca.status(), "tls.client_ca_file"));
  http.client_ca_pem = *ca;
  http.max_body_bytes = static_cast<size_t>(config.http.max_body_bytes);
  http.body_limit_by_path["/v1/restore"] =
      static_cast<size_t>(config.http.max_restore_bytes);
  for (const char* suffix : {"/encrypt", "/decrypt"}) {
    http.body_limit_by_suffix[suffix] =
        static_cast<size_t>(config.http.max_data_bytes);
  }
  // A request holds its MHD thread while it waits for disk syncs (its audit
  // record, key writes), and the other connections of that thread wait with
  // it: more threads than cores keep the CPUs busy and let group commit
  // batch more records per sync.
  http.threads = config.http.threads > 0
                     ? config.http.threads
                     : static_cast<int>(std::max(
                           8u, 4 * std::thread::hardware_concurrency()));
  http.connection_timeout_seconds = config.http.connection_timeout_seconds;
  KmsServer* raw = server.get();
  auto started = HttpServer::Start(http, [raw](ApiRequest& request) {
    return HandleApiRequest(raw->context_, request);
  });
  KMS_RETURN_IF_ERROR(Annotate(started.status(), "https"));
  server->http_ = std::move(started).value();
  server->scheduler_ = std::make_unique<Scheduler>(
      server->context_, config.scheduler_interval_seconds);
  server->scheduler_->Start();
  return server;
}

void KmsServer::Stop() {
  if (http_) http_->Stop();
  if (scheduler_) scheduler_->Stop();
}

KmsServer::~KmsServer() { Stop(); }

}  // namespace kms
