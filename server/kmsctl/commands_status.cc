// kmsctl status: the server's health, with the root of trust up front since
// it decides how well keys at rest are protected.
#include "server/kmsctl/commands.h"
#include "server/kmsctl/exit_codes.h"
#include "server/kmsctl/reply.h"
#include "server/kmsctl/table.h"

namespace kms::kmsctl {
namespace {

std::string FormatUptime(int64_t seconds) {
  std::string out;
  int64_t days = seconds / 86400;
  int64_t hours = seconds % 86400 / 3600;
  int64_t minutes = seconds % 3600 / 60;
  if (days > 0) out += std::to_string(days) + "d ";
  if (days > 0 || hours > 0) out += std::to_string(hours) + "h ";
  if (days > 0 || hours > 0 || minutes > 0) {
    out += std::to_string(minutes) + "m ";
  }
  return out + std::to_string(seconds % 60) + "s";
}

std::string FormatCounts(const cJSON* counts) {
  std::vector<std::string> parts;
  if (counts != nullptr) {
    for (const cJSON* item = counts->child; item != nullptr;
         item = item->next) {
      parts.push_back(std::string(item->string) + " " +
                      std::to_string(GetInt(counts, item->string)));
    }
  }
  return parts.empty() ? "none" : Join(parts, ", ");
}

int RunStatus(CommandContext& ctx) {
  auto reply = ctx.server().Get("/v1/status");
  if (!reply.ok()) return ctx.ServerError(reply.status());
  const cJSON* status = reply->get();
  const cJSON* root = GetObject(status, "root_of_trust");
  bool hsm_backed = GetBool(root, "hsm_backed");
  if (ctx.json()) {
    ctx.PrintJson(*reply);
  } else {
    std::string root_text = GetString(root, "backend");
    root_text += hsm_backed ? " (HSM-backed)" : " (NOT HSM-backed)";
    std::string description = GetString(root, "description");
    if (!description.empty()) root_text += ": " + description;
    const cJSON* storage = GetObject(status, "storage");
    Table table({"", ""});
    table.AddRow({"Root of trust:", root_text});
    table.AddRow({"Server:", ctx.server().primary_url()});
    table.AddRow({"Version:", GetString(status, "version")});
    table.AddRow({"Uptime:", FormatUptime(GetInt(status, "uptime_seconds"))});
    table.AddRow({"Storage:",
                  GetString(storage, "backend") + " (schema " +
                      std::to_string(GetInt(storage, "schema_version")) + ")"});
    table.AddRow({"Key rings:", std::to_string(GetInt(status, "key_rings"))});
    table.AddRow(
        {"Key versions:", FormatCounts(GetObject(status, "key_versions"))});
    table.AddRow(
        {"Audit records:", std::to_string(GetInt(status, "audit_records"))});
    table.Print(ctx.out(), /*with_header=*/false);
  }
  // On stderr so that it is seen even with --json and never parsed.
  if (!hsm_backed) {
    ctx.err() << "WARNING: root of trust is not HSM-backed (backend '"
              << GetString(root, "backend")
              << "'): key material at rest is only as safe as the root key "
                 "file\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> StatusCommands() {
  Command status;
  status.name = "status";
  status.summary = "show the server's state and its root of trust";
  status.details =
      "Calls GET /v1/status (admin). Warns on stderr when the root of trust "
      "is not\nbacked by an HSM (the file backend of the demo).";
  status.run = RunStatus;
  return {status};
}

}  // namespace kms::kmsctl
