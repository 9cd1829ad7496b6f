// kmsctl keyring ...: key rings, the namespaces keys live in (one PKCS#11
// token each).
#include "server/kmsctl/commands.h"
#include "server/kmsctl/duration.h"
#include "server/kmsctl/exit_codes.h"
#include "server/kmsctl/reply.h"
#include "server/kmsctl/table.h"

namespace kms::kmsctl {
namespace {

void AddKeyRingRow(Table& table, const cJSON* ring) {
  table.AddRow({GetString(ring, "name"),
                FormatDuration(GetInt(ring, "destroy_wait_seconds")),
                YesNo(GetBool(ring, "allow_import")),
                FormatTimestamp(GetInt(ring, "created_at"))});
}

Table KeyRingTable() {
  return Table({"NAME", "DESTROY-WAIT", "IMPORT", "CREATED"});
}

int RunCreate(CommandContext& ctx) {
  Json body = Json::Object();
  body.Set("name", ctx.arg(0));
  // Without the flag kmsd applies its configured keys.destroy_wait_seconds.
  if (auto text = ctx.flags().Get("destroy-wait")) {
    auto parsed = ParseDuration(*text);
    if (!parsed.ok()) return ctx.UsageError(parsed.status().message());
    body.Set("destroy_wait_seconds", *parsed);
  }
  body.Set("allow_import", ctx.flags().Has("allow-import"));
  auto reply = ctx.server().Post("/v1/keyrings", body);
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (ctx.json()) {
    ctx.PrintJson(*reply);
    return kExitOk;
  }
  Table table = KeyRingTable();
  AddKeyRingRow(table, reply->get());
  table.Print(ctx.out());
  return kExitOk;
}

int RunList(CommandContext& ctx) {
  auto reply = ctx.server().Get("/v1/keyrings");
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (ctx.json()) {
    ctx.PrintJson(*reply);
    return kExitOk;
  }
  Table table = KeyRingTable();
  for (const cJSON* ring : GetArray(reply->get(), "key_rings")) {
    AddKeyRingRow(table, ring);
  }
  table.Print(ctx.out());
  return kExitOk;
}

}  // namespace

std::vector<Command> KeyRingCommands() {
  Command create;
  create.name = "keyring create";
  create.synopsis = "NAME";
  create.min_args = 1;
  create.max_args = 1;
  create.summary = "create a key ring";
  create.details =
      "--destroy-wait is how long destroyed versions stay recoverable "
      "(default: the\nserver's keys.destroy_wait_seconds); kmsd refuses "
      "values below its\nkeys.min_destroy_wait_seconds.";
  create.flags = {
      OptionalFlag("destroy-wait", "DURATION",
                   "waiting period before erasure: seconds or 30d, 12h, ..."),
      SwitchFlag("allow-import", "allow importing and unwrapping keys"),
  };
  create.run = RunCreate;

  Command list;
  list.name = "keyring list";
  list.summary = "list key rings";
  list.run = RunList;
  return {create, list};
}

}  // namespace kms::kmsctl
