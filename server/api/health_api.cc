#include "common/time_util.h"
#include "server/api/handlers.h"
#include "server/version.h"

namespace kms {
namespace {

Json RootOfTrustJson(RootOfTrust& root, bool with_description) {
  Json j = Json::Object();
  j.Set("backend", root.backend());
  j.Set("hsm_backed", root.hsm_backed());
  if (with_description) j.Set("description", root.description());
  return j;
}

}  // namespace

Result<Json> HandleHealthz(RequestScope& scope) {
  ServerContext& ctx = scope.context();
  Json j = Json::Object();
  j.Set("status", "ok");
  j.Set("version", kKmsVersion);
  j.Set("storage", ctx.store->backend());
  j.Set("root_of_trust", RootOfTrustJson(*ctx.root, false));
  return j;
}

Result<Json> HandleStatus(RequestScope& scope) {
  ServerContext& ctx = scope.context();
  Json j = Json::Object();
  j.Set("version", kKmsVersion);
  j.Set("uptime_seconds", (NowMillis() - ctx.started_at) / 1000);
  Json storage = Json::Object();
  storage.Set("backend", ctx.store->backend());
  storage.Set("schema_version", ctx.store->schema_version());
  j.Set("storage", std::move(storage));
  j.Set("root_of_trust", RootOfTrustJson(*ctx.root, true));
  KMS_ASSIGN_OR_RETURN(auto rings, ctx.store->ListKeyRings());
  j.Set("key_rings", static_cast<int64_t>(rings.size()));
  KMS_ASSIGN_OR_RETURN(auto states, ctx.store->CountVersionsByState());
  Json versions = Json::Object();
  for (const auto& [state, count] : states) versions.Set(state, count);
  j.Set("key_versions", std::move(versions));
  KMS_ASSIGN_OR_RETURN(int64_t audit_records, ctx.store->CountAudit());
  j.Set("audit_records", audit_records);
  j.Set("audit_trail", ctx.audit->off_for_benchmark() ? "off" : "on");
  return j;
}

std::string RenderMetrics(ServerContext& ctx) {
  std::string out;
  ctx.metrics->Render(out);
  out += "# HELP kms_key_versions Key versions by state.\n";
  out += "# TYPE kms_key_versions gauge\n";
  auto states = ctx.store->CountVersionsByState();
  if (states.ok()) {
    for (const auto& [state, count] : *states) {
      out += "kms_key_versions{state=\"" + state + "\"} " +
             std::to_string(count) + "\n";
    }
  }
  out += "# HELP kms_audit_records_total Records in the audit trail.\n";
  out += "# TYPE kms_audit_records_total counter\n";
  auto count = ctx.store->CountAudit();
  if (count.ok()) {
    out += "kms_audit_records_total " + std::to_string(*count) + "\n";
  }
  out +=
      "# HELP kms_root_of_trust_hsm_backed 1 if the root of trust is an "
      "HSM.\n# TYPE kms_root_of_trust_hsm_backed gauge\n";
  out += std::string("kms_root_of_trust_hsm_backed ") +
         (ctx.root->hsm_backed() ? "1" : "0") + "\n";
  return out;
}

}  // namespace kms
