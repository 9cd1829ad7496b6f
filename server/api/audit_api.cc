#include <charconv>

#include "common/encoding.h"
#include "common/time_util.h"
#include "server/api/handlers.h"
#include "server/api/json_views.h"

namespace kms {
namespace {

constexpr std::string_view kBackupContext = "kms-backup-v1";

Result<int64_t> QueryInt(RequestScope& scope, const std::string& name,
                         int64_t default_value, int64_t lo, int64_t hi) {
  auto text = scope.Query(name);
  if (!text) return default_value;
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < lo ||
      value > hi) {
    return Error(ErrorCode::kInvalidArgument,
                 name + " must be between " + std::to_string(lo) + " and " +
                     std::to_string(hi));
  }
  return value;
}

}  // namespace

Result<Json> HandleListAudit(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(int64_t after,
                       QueryInt(scope, "after", 0, 0, INT64_MAX));
  KMS_ASSIGN_OR_RETURN(int64_t limit, QueryInt(scope, "limit", 100, 1, 10000));
  KMS_ASSIGN_OR_RETURN(auto records, scope.context().store->ListAudit(
                                         after, static_cast<int>(limit)));
  Json list = Json::Array();
  for (const auto& r : records) list.Append(AuditJson(r));
  Json j = Json::Object();
  j.Set("records", std::move(list));
  return j;
}

Result<Json> HandleVerifyAudit(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  int64_t after = body->Int("after", 0);
  int64_t limit = body->Int("limit", 10000);
  KMS_RETURN_IF_ERROR(body->Finish());
  if (after < 0 || limit < 1 || limit > 100000) {
    return Error(ErrorCode::kInvalidArgument,
                 "after must be >= 0 and limit between 1 and 100000");
  }
  ServerContext& ctx = scope.context();
  KMS_ASSIGN_OR_RETURN(int64_t total, ctx.store->CountAudit());
  KMS_ASSIGN_OR_RETURN(AuditVerifyResult result,
                       ctx.audit->Verify(after, static_cast<int>(limit)));
  Json j = Json::Object();
  j.Set("ok", result.ok);
  j.Set("checked", result.checked);
  j.Set("last_seq", result.last_seq);
  j.Set("total", total);
  if (!result.ok) {
    j.Set("first_bad_seq", result.first_bad_seq);
    j.Set("reason", result.reason);
  }
  scope.audit().detail = "after " + std::to_string(after) + ": " +
                         (result.ok ? "ok" : result.reason);
  return j;
}

Result<Json> HandleBackup(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  KMS_RETURN_IF_ERROR(body->Finish());
  ServerContext& ctx = scope.context();
  KMS_ASSIGN_OR_RETURN(Bytes snapshot, ctx.store->ExportSnapshot());
  KMS_ASSIGN_OR_RETURN(Bytes sealed,
                       ctx.root->Seal(View(snapshot), View(kBackupContext)));
  Json j = Json::Object();
  j.SetBase64("backup", View(sealed));
  j.Set("created_at", NowMillis());
  j.Set("schema_version", ctx.store->schema_version());
  j.Set("bytes", static_cast<int64_t>(snapshot.size()));
  scope.audit().detail = std::to_string(snapshot.size()) + " bytes";
  return j;
}

Result<Json> HandleRestore(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  Bytes sealed = body->Base64("backup");
  KMS_RETURN_IF_ERROR(body->Finish());
  ServerContext& ctx = scope.context();
  auto snapshot = ctx.root->Unseal(View(sealed), View(kBackupContext));
  if (!snapshot.ok()) {
    return Error(ErrorCode::kDecryptFailed,
                 "the backup was not made under this root of trust, or it "
                 "was altered");
  }
  KMS_RETURN_IF_ERROR(ctx.store->ImportSnapshot(View(*snapshot)));
  ctx.keys->FlushCache();
  KMS_RETURN_IF_ERROR(ctx.audit->Reload());
  scope.audit().detail = std::to_string(snapshot->size()) + " bytes";
  Json j = Json::Object();
  j.Set("restored", true);
  return j;
}

}  // namespace kms
