// kmsctl backup / restore: a sealed snapshot of the whole store, which only
// a kmsd with the same root of trust can restore.
#include <string>

#include "common/file_util.h"
#include "server/kmsctl/commands.h"
#include "server/kmsctl/exit_codes.h"
#include "server/kmsctl/progress.h"
#include "server/kmsctl/reply.h"

namespace kms::kmsctl {
namespace {

constexpr int kBackupMode = 0600;
constexpr int64_t kLongTimeoutSeconds = 600;

int RunBackup(CommandContext& ctx) {
  std::string out = *ctx.flags().Get("out");
  if (out.empty()) return ctx.UsageError("--out must name a file");
  if (FileExists(out) && !ctx.flags().Has("force")) {
    ctx.err() << "error: '" << out << "' exists; pass --force to replace it\n";
    return kExitError;
  }
  Result<Json> reply = Error(ErrorCode::kInternal, "not sent");
  {
    Spinner spinner(ctx.err(), ctx.io().stderr_is_tty, "backing up");
    reply = ctx.server().Post("/v1/backup", Json::Object());
  }
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (GetString(reply->get(), "backup").empty()) {
    return ctx.ServerError(
        Error(ErrorCode::kInternal, "the server's reply holds no backup"));
  }
  // The whole reply, so that restore can show when and from which schema the
  // snapshot was made.
  std::string text = reply->Dump();
  if (Status s = WriteFileAtomic(out, text + "\n", kBackupMode); !s.ok()) {
    return ctx.LocalError(s);
  }
  int64_t created_at = GetInt(reply->get(), "created_at");
  int64_t schema = GetInt(reply->get(), "schema_version");
  if (ctx.json()) {
    // Not the reply itself: the snapshot belongs in the file, not on stdout.
    Json summary = Json::Object();
    summary.Set("out", out);
    summary.Set("bytes", static_cast<int64_t>(text.size() + 1));
    summary.Set("created_at", created_at);
    summary.Set("schema_version", schema);
    ctx.PrintJson(summary);
  } else {
    ctx.out() << "Backup written to " << out << " (" << text.size() + 1
              << " bytes, made " << FormatTimestamp(created_at) << ", schema "
              << schema << ")\n";
  }
  return kExitOk;
}

// Asks on the terminal; a script must say --yes.
int Confirm(CommandContext& ctx, const std::string& what) {
  if (!ctx.io().stdin_is_tty) {
    return ctx.UsageError(
        "restore replaces the whole store: pass --yes to confirm when not "
        "on a terminal");
  }
  ctx.err() << what << "\nType 'yes' to continue: " << std::flush;
  std::string answer;
  std::getline(ctx.io().in, answer);
  if (answer != "yes") {
    ctx.err() << "aborted: nothing was changed\n";
    return kExitError;
  }
  return kExitOk;
}

int RunRestore(CommandContext& ctx) {
  std::string in = *ctx.flags().Get("in");
  auto text = ReadFile(in);
  if (!text.ok()) return ctx.UsageError(text.status().message());
  auto parsed = ParseObject(*text);
  std::string backup = parsed.ok() ? GetString(parsed->get(), "backup") : "";
  if (backup.empty()) {
    return ctx.LocalError(Error(ErrorCode::kInvalidArgument,
                                "'" + in +
                                    "' is not a kmsctl backup (a JSON object "
                                    "with a \"backup\" field)"));
  }
  if (!ctx.flags().Has("yes")) {
    int64_t created_at = GetInt(parsed->get(), "created_at");
    int confirmed = Confirm(
        ctx,
        "Restoring replaces every key ring, key, client and audit "
        "record on " +
            ctx.server().primary_url() + " with the backup made " +
            (created_at > 0 ? FormatTimestamp(created_at) : "(unknown)") + ".");
    if (confirmed != kExitOk) return confirmed;
  }
  Json body = Json::Object();
  body.Set("backup", backup);
  Result<Json> reply = Error(ErrorCode::kInternal, "not sent");
  {
    Spinner spinner(ctx.err(), ctx.io().stderr_is_tty, "restoring");
    reply = ctx.server().Post("/v1/restore", body);
  }
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (ctx.json()) {
    ctx.PrintJson(*reply);
  } else {
    ctx.out() << "Restored the store from " << in << '\n';
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> BackupCommands() {
  Command backup;
  backup.name = "backup";
  backup.summary = "save a sealed snapshot of the whole store to a file";
  backup.details =
      "Writes kmsd's reply to POST /v1/backup to --out atomically, mode "
      "0600. The\nsnapshot is sealed under the root of trust: only a kmsd "
      "with the same root can\nrestore it.";
  backup.flags = {RequiredFlag("out", "FILE", "where to write the backup"),
                  SwitchFlag("force", "replace an existing file")};
  backup.default_timeout_seconds = kLongTimeoutSeconds;
  backup.run = RunBackup;

  Command restore;
  restore.name = "restore";
  restore.summary = "replace the whole store with a backup";
  restore.details =
      "Asks for confirmation on a terminal unless --yes is given; without a "
      "terminal\n--yes is required.";
  restore.flags = {RequiredFlag("in", "FILE",
                                "a file written by 'kmsctl "
                                "backup'"),
                   SwitchFlag("yes", "do not ask for confirmation")};
  restore.default_timeout_seconds = kLongTimeoutSeconds;
  restore.run = RunRestore;
  return {backup, restore};
}

}  // namespace kms::kmsctl
