// kmsctl key ...: the lifecycle of keys and their versions, as an admin
// manages it (no key use: that needs a client's login).
#include "server/kmsctl/commands.h"
#include "server/kmsctl/duration.h"
#include "server/kmsctl/exit_codes.h"
#include "server/kmsctl/reply.h"
#include "server/kmsctl/table.h"

namespace kms::kmsctl {
namespace {

constexpr int64_t kPageSize = 100;

std::string RingPath(CommandContext& ctx) {
  return "/v1/keyrings/" + UrlEscape(*ctx.flags().Get("key-ring"));
}

std::string KeyPath(CommandContext& ctx) {
  return RingPath(ctx) + "/keys/" + UrlEscape(ctx.arg(0));
}

std::string FormatRotation(const cJSON* key) {
  int64_t period = GetInt(key, "rotation_period_seconds");
  if (period <= 0) return "manual";
  return "every " + FormatDuration(period) + ", next " +
         FormatTimestamp(GetInt(key, "next_rotation_at"));
}

void PrintVersions(std::ostream& out, const std::vector<const cJSON*>& versions,
                   int64_t primary) {
  Table table(
      {"VERSION", "STATE", "PRIMARY", "CREATED", "DESTROY-AT", "DESTROYED-AT"});
  for (const cJSON* version : versions) {
    int64_t number = GetInt(version, "version");
    table.AddRow({std::to_string(number), GetString(version, "state"),
                  number == primary ? "*" : "",
                  FormatTimestamp(GetInt(version, "created_at")),
                  FormatTimestamp(GetInt(version, "destroy_at")),
                  FormatTimestamp(GetInt(version, "destroyed_at"))});
  }
  table.Print(out);
}

void PrintKey(std::ostream& out, const cJSON* key) {
  std::string flags;
  if (GetBool(key, "exportable")) flags += " exportable";
  if (GetBool(key, "imported")) flags += " imported";
  if (GetBool(key, "deleted")) flags += " DELETED (destruction scheduled)";
  Table header({"", ""});
  header.AddRow({"Key:", GetString(key, "id")});
  header.AddRow({"Key ring:", GetString(key, "key_ring")});
  header.AddRow({"Label:", GetString(key, "label")});
  header.AddRow({"Algorithm:", GetString(key, "algorithm")});
  header.AddRow({"Usages:", Join(GetStrings(key, "usages"), ", ")});
  header.AddRow({"Rotation:", FormatRotation(key)});
  header.AddRow({"Primary:", std::to_string(GetInt(key, "primary_version"))});
  header.AddRow({"Created:", FormatTimestamp(GetInt(key, "created_at"))});
  if (!flags.empty()) header.AddRow({"Flags:", flags.substr(1)});
  header.Print(out, /*with_header=*/false);
  out << '\n';
  PrintVersions(out, GetArray(key, "versions"), GetInt(key, "primary_version"));
}

// Replies that are a key print as one; --json prints them as they came.
int PrintKeyReply(CommandContext& ctx, const Json& reply) {
  if (ctx.json()) {
    ctx.PrintJson(reply);
  } else {
    PrintKey(ctx.out(), reply.get());
  }
  return kExitOk;
}

int RunCreate(CommandContext& ctx) {
  Json body = Json::Object();
  body.Set("label", *ctx.flags().Get("label"));
  body.Set("algorithm", *ctx.flags().Get("algorithm"));
  if (ctx.flags().Has("usages")) {
    std::vector<std::string> usages = ctx.flags().GetList("usages");
    if (usages.empty()) return ctx.UsageError("--usages is empty");
    body.SetStrings("usages", usages);
  }
  int64_t rotation = 0;
  if (auto text = ctx.flags().Get("rotation-period")) {
    auto parsed = ParseDuration(*text);
    if (!parsed.ok()) return ctx.UsageError(parsed.status().message());
    rotation = *parsed;
  }
  body.Set("rotation_period_seconds", rotation);
  body.Set("exportable", ctx.flags().Has("exportable"));
  auto reply = ctx.server().Post(RingPath(ctx) + "/keys", body);
  if (!reply.ok()) return ctx.ServerError(reply.status());
  return PrintKeyReply(ctx, *reply);
}

int RunList(CommandContext& ctx) {
  Table table({"ID", "LABEL", "ALGORITHM", "USAGES", "PRIMARY", "VERSIONS",
               "ROTATION", "CREATED", "DELETED"});
  Json all_keys = Json::Array();
  std::string after;
  // Follows next_after until kmsd says nothing remains.
  for (;;) {
    std::string path =
        WithQuery(RingPath(ctx) + "/keys",
                  {{"label", ctx.flags().GetOr("label", "")},
                   {"after", after},
                   {"limit", std::to_string(kPageSize)},
                   {"include_deleted",
                    ctx.flags().Has("include-deleted") ? "true" : ""}});
    auto reply = ctx.server().Get(path);
    if (!reply.ok()) return ctx.ServerError(reply.status());
    for (const cJSON* key : GetArray(reply->get(), "keys")) {
      all_keys.Append(Json(CJsonPtr(cJSON_Duplicate(key, true))));
      table.AddRow({GetString(key, "id"), GetString(key, "label"),
                    GetString(key, "algorithm"),
                    Join(GetStrings(key, "usages"), ","),
                    std::to_string(GetInt(key, "primary_version")),
                    std::to_string(GetArray(key, "versions").size()),
                    GetInt(key, "rotation_period_seconds") > 0
                        ? FormatDuration(GetInt(key, "rotation_period_seconds"))
                        : "",
                    FormatTimestamp(GetInt(key, "created_at")),
                    GetBool(key, "deleted") ? "yes" : ""});
    }
    std::string next = GetString(reply->get(), "next_after");
    if (next.empty()) break;
    if (next == after) {
      return ctx.ServerError(
          Error(ErrorCode::kInternal,
                "server repeated the page cursor '" + next + "'"));
    }
    after = std::move(next);
  }
  if (ctx.json()) {
    Json out = Json::Object();
    out.Set("keys", std::move(all_keys));
    ctx.PrintJson(out);
  } else {
    table.Print(ctx.out());
  }
  return kExitOk;
}

int RunShow(CommandContext& ctx) {
  auto reply = ctx.server().Get(KeyPath(ctx));
  if (!reply.ok()) return ctx.ServerError(reply.status());
  return PrintKeyReply(ctx, *reply);
}

int RunRotate(CommandContext& ctx) {
  auto reply = ctx.server().Post(KeyPath(ctx) + "/rotate", Json::Object());
  if (!reply.ok()) return ctx.ServerError(reply.status());
  return PrintKeyReply(ctx, *reply);
}

int RunUpdate(CommandContext& ctx) {
  Json body = Json::Object();
  if (auto label = ctx.flags().Get("label")) body.Set("label", *label);
  if (auto text = ctx.flags().Get("rotation-period")) {
    auto parsed = ParseDuration(*text);
    if (!parsed.ok()) return ctx.UsageError(parsed.status().message());
    body.Set("rotation_period_seconds", *parsed);
  }
  if (!ctx.flags().Has("label") && !ctx.flags().Has("rotation-period")) {
    return ctx.UsageError(
        "nothing to change: give --label or "
        "--rotation-period");
  }
  auto reply = ctx.server().Post(KeyPath(ctx) + "/update", body);
  if (!reply.ok()) return ctx.ServerError(reply.status());
  return PrintKeyReply(ctx, *reply);
}

// enable, disable, destroy, cancel-destroy: on one version with --version,
// on the whole key without (destroy and cancel-destroy only).
int RunVersionAction(CommandContext& ctx, const std::string& action,
                     bool whole_key_allowed) {
  auto version_text = ctx.flags().Get("version");
  if (!version_text) {
    if (!whole_key_allowed) {
      return ctx.UsageError("'key " + action +
                            "' acts on one version: give --version N");
    }
    auto reply = ctx.server().Post(KeyPath(ctx) + "/" + action, Json::Object());
    if (!reply.ok()) return ctx.ServerError(reply.status());
    return PrintKeyReply(ctx, *reply);
  }
  auto version = ParseCount("version", *version_text);
  if (!version.ok() || *version == 0) {
    return ctx.UsageError("--version needs a version number (1, 2, ...)");
  }
  auto reply = ctx.server().Post(
      KeyPath(ctx) + "/versions/" + std::to_string(*version) + "/" + action,
      Json::Object());
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (ctx.json()) {
    ctx.PrintJson(*reply);
  } else {
    PrintVersions(ctx.out(), {reply->get()}, 0);
  }
  return kExitOk;
}

int RunEnable(CommandContext& ctx) {
  return RunVersionAction(ctx, "enable", false);
}
int RunDisable(CommandContext& ctx) {
  return RunVersionAction(ctx, "disable", false);
}
int RunDestroy(CommandContext& ctx) {
  return RunVersionAction(ctx, "destroy", true);
}
int RunCancelDestroy(CommandContext& ctx) {
  return RunVersionAction(ctx, "cancel-destroy", true);
}

FlagDef KeyRingFlag() {
  return RequiredFlag("key-ring", "RING", "the key ring");
}

Command KeyIdCommand(std::string verb, std::string summary,
                     int (*run)(CommandContext&)) {
  Command command;
  command.name = "key " + verb;
  command.synopsis = "KEY_ID";
  command.min_args = 1;
  command.max_args = 1;
  command.summary = std::move(summary);
  command.flags = {KeyRingFlag()};
  command.run = run;
  return command;
}

}  // namespace

std::vector<Command> KeyCommands() {
  Command create;
  create.name = "key create";
  create.summary = "create a key (its version 1)";
  create.details =
      "Algorithms: AES_128, AES_256, HMAC_SHA256, RSA_2048, RSA_3072, "
      "RSA_4096, EC_P256,\nEC_P384, ED25519. Usages (default: all the "
      "algorithm allows): sign, verify,\nencrypt, decrypt, wrap, unwrap.";
  create.flags = {
      KeyRingFlag(),
      RequiredFlag("label", "LABEL", "the key's label (CKA_LABEL)"),
      RequiredFlag("algorithm", "ALG", "e.g. EC_P256, RSA_3072, AES_256"),
      RepeatableFlag("usages", "LIST", "comma-separated usages"),
      OptionalFlag("rotation-period", "DURATION",
                   "rotate automatically, e.g. 90d (default: manual)"),
      SwitchFlag("exportable", "allow wrapping the key out of kmsd"),
  };
  create.run = RunCreate;

  Command list;
  list.name = "key list";
  list.summary = "list the keys of a key ring";
  list.details =
      "Follows the server's pages to the end. Keys whose destruction was "
      "scheduled as\na whole are shown only with --include-deleted.";
  list.flags = {
      KeyRingFlag(),
      OptionalFlag("label", "LABEL", "only keys with this label"),
      SwitchFlag("include-deleted", "include keys scheduled for destruction"),
  };
  list.run = RunList;

  Command show = KeyIdCommand("show", "show a key and its versions", RunShow);
  Command rotate = KeyIdCommand(
      "rotate", "add a new version and make it primary", RunRotate);
  Command update = KeyIdCommand(
      "update", "change a key's label or rotation period", RunUpdate);
  update.flags.push_back(OptionalFlag("label", "LABEL", "the new label"));
  update.flags.push_back(OptionalFlag("rotation-period", "DURATION",
                                      "the new rotation period (0: manual)"));

  FlagDef version = OptionalFlag("version", "N", "act on this version only");
  Command enable =
      KeyIdCommand("enable", "enable a disabled version", RunEnable);
  Command disable = KeyIdCommand("disable", "disable a version", RunDisable);
  version.required = true;
  enable.flags.push_back(version);
  disable.flags.push_back(version);
  version.required = false;
  version.help =
      "act on this version only (without: the whole key, which is marked "
      "deleted)";
  Command destroy = KeyIdCommand(
      "destroy", "schedule a version's or a key's destruction", RunDestroy);
  destroy.details =
      "Destruction happens after the key ring's waiting period "
      "(destroy_at); until\nthen 'kmsctl key cancel-destroy' undoes it. The "
      "primary version cannot be\ndestroyed while other versions are "
      "enabled: rotate first.";
  destroy.flags.push_back(version);
  Command cancel = KeyIdCommand(
      "cancel-destroy", "undo a scheduled destruction", RunCancelDestroy);
  cancel.flags.push_back(version);
  return {create, list, show, rotate, update, enable, disable, destroy, cancel};
}

}  // namespace kms::kmsctl
