// kmsctl audit ...: reading the tamper-evident audit trail and checking its
// MAC chain end to end.
#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "server/kmsctl/commands.h"
#include "server/kmsctl/duration.h"
#include "server/kmsctl/exit_codes.h"
#include "server/kmsctl/progress.h"
#include "server/kmsctl/reply.h"
#include "server/kmsctl/table.h"

namespace kms::kmsctl {
namespace {

constexpr int64_t kDefaultTail = 20;
constexpr int64_t kAuditPage = 1000;
constexpr int64_t kDefaultWindow = 5000;

Table AuditTable() {
  return Table({"SEQ", "TIME", "CLIENT", "OPERATION", "KEY-RING", "KEY",
                "VERSION", "RESULT", "REQUEST-ID", "DETAIL"});
}

void AddAuditRow(Table& table, const cJSON* record) {
  int64_t version = GetInt(record, "version");
  table.AddRow({std::to_string(GetInt(record, "seq")),
                FormatTimestamp(GetInt(record, "time")),
                GetString(record, "client"), GetString(record, "operation"),
                GetString(record, "key_ring"), GetString(record, "key_id"),
                version > 0 ? std::to_string(version) : "",
                GetString(record, "result"), GetString(record, "request_id"),
                GetString(record, "detail")});
}

// Fetches records after `after`, at most `limit` of them (0: all there
// are), page by page; calls sink for each record. Returns the last seq seen.
Result<int64_t> FetchRecords(Connection& server, int64_t after, int64_t limit,
                             const std::function<void(const cJSON*)>& sink) {
  int64_t fetched = 0;
  for (;;) {
    int64_t page = kAuditPage;
    if (limit > 0) page = std::min(page, limit - fetched);
    if (page <= 0) break;
    KMS_ASSIGN_OR_RETURN(
        Json reply,
        server.Get(WithQuery("/v1/audit", {{"after", std::to_string(after)},
                                           {"limit", std::to_string(page)}})));
    std::vector<const cJSON*> records = GetArray(reply.get(), "records");
    int64_t previous = after;
    for (const cJSON* record : records) {
      sink(record);
      after = std::max(after, GetInt(record, "seq"));
    }
    fetched += static_cast<int64_t>(records.size());
    // kmsd may cap the page below what was asked, so only an empty page
    // marks the end.
    if (records.empty() || after == previous) break;
  }
  return after;
}

int RunTail(CommandContext& ctx) {
  int64_t limit = kDefaultTail;
  if (auto text = ctx.flags().Get("limit")) {
    auto parsed = ParseCount("limit", *text);
    if (!parsed.ok() || *parsed == 0) {
      return ctx.UsageError("--limit needs a positive number");
    }
    limit = *parsed;
  }
  int64_t interval = 2;
  if (auto text = ctx.flags().Get("interval")) {
    auto parsed = ParseDuration(*text);
    if (!parsed.ok() || *parsed == 0) {
      return ctx.UsageError("--interval needs a positive duration");
    }
    interval = *parsed;
  }
  bool follow = ctx.flags().Has("follow");
  // Records are numbered 1, 2, ... so the last N start after total - N.
  auto status = ctx.server().Get("/v1/status");
  if (!status.ok()) return ctx.ServerError(status.status());
  int64_t after =
      std::max<int64_t>(0, GetInt(status->get(), "audit_records") - limit);

  Json collected = Json::Array();
  Table table = AuditTable();
  // With --follow output streams: JSON lines, or table rows whose columns
  // keep a minimum width so that batches line up.
  auto sink = [&](const cJSON* record) {
    if (ctx.json() && follow) {
      ctx.out() << Json(CJsonPtr(cJSON_Duplicate(record, true))).Dump() << '\n';
    } else if (ctx.json()) {
      collected.Append(Json(CJsonPtr(cJSON_Duplicate(record, true))));
    } else {
      AddAuditRow(table, record);
    }
  };
  auto fetched = FetchRecords(ctx.server(), after, limit, sink);
  if (!fetched.ok()) return ctx.ServerError(fetched.status());
  if (ctx.json() && !follow) {
    Json out = Json::Object();
    out.Set("records", std::move(collected));
    ctx.PrintJson(out);
    return kExitOk;
  }
  if (!ctx.json()) {
    if (follow) table.SetMinWidths({6, 20, 10, 12, 8, 17, 7, 6, 16});
    table.Print(ctx.out());
  }
  if (!follow) return kExitOk;
  after = *fetched;
  for (;;) {
    ctx.out().flush();
    std::this_thread::sleep_for(std::chrono::seconds(interval));
    table = AuditTable();
    table.SetMinWidths({6, 20, 10, 12, 8, 17, 7, 6, 16});
    fetched = FetchRecords(ctx.server(), after, 0, sink);
    if (!fetched.ok()) return ctx.ServerError(fetched.status());
    after = *fetched;
    if (table.row_count() > 0) table.Print(ctx.out(), /*with_header=*/false);
  }
}

int RunVerify(CommandContext& ctx) {
  int64_t window = kDefaultWindow;
  if (auto text = ctx.flags().Get("window")) {
    auto parsed = ParseCount("window", *text);
    if (!parsed.ok() || *parsed == 0) {
      return ctx.UsageError("--window needs a positive number");
    }
    window = *parsed;
  }
  ProgressLine progress(ctx.err(), ctx.io().stderr_is_tty,
                        "verifying audit trail");
  int64_t after = 0;
  int64_t checked_total = 0;
  int64_t total = 0;
  int64_t last_seq = 0;
  // Each window is checked by kmsd against the MAC of the record before it,
  // so consecutive windows verify the whole chain.
  for (;;) {
    Json body = Json::Object();
    body.Set("after", after);
    body.Set("limit", window);
    auto reply = ctx.server().Post("/v1/audit/verify", body);
    if (!reply.ok()) {
      progress.Clear();
      return ctx.ServerError(reply.status());
    }
    const cJSON* result = reply->get();
    if (!GetBool(result, "ok")) {
      progress.Clear();
      if (ctx.json()) {
        ctx.PrintJson(*reply);
      } else {
        ctx.out() << "Audit trail verification FAILED at record "
                  << GetInt(result, "first_bad_seq") << ": "
                  << GetString(result, "reason") << '\n';
      }
      return kExitAuditFailed;
    }
    int64_t checked = GetInt(result, "checked");
    int64_t last = GetInt(result, "last_seq");
    total = GetInt(result, "total");
    checked_total += checked;
    last_seq = std::max(last_seq, last);
    progress.Update(last, total);
    // Stops at the end, and also if kmsd makes no progress, so that a
    // misbehaving server cannot loop us forever. The trail may grow while
    // we walk (verify itself is audited); records appended after we reach
    // the end are left for the next run.
    if (checked == 0 || last >= total || last <= after) break;
    after = last;
  }
  progress.Clear();
  if (ctx.json()) {
    Json out = Json::Object();
    out.Set("ok", true);
    out.Set("checked", checked_total);
    out.Set("last_seq", last_seq);
    out.Set("total", total);
    ctx.PrintJson(out);
  } else {
    ctx.out() << "Audit trail OK: " << checked_total
              << " records verified, up to seq " << last_seq << '\n';
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> AuditCommands() {
  Command tail;
  tail.name = "audit tail";
  tail.summary = "show the latest audit records";
  tail.details =
      "Shows the last --limit records (default 20). --follow keeps polling "
      "for new\nones every --interval (default 2s) until interrupted; with "
      "--json it prints one\nJSON record per line.";
  tail.flags = {
      OptionalFlag("limit", "N", "how many of the latest records"),
      SwitchFlag("follow", "keep printing new records"),
      OptionalFlag("interval", "DURATION", "polling interval for --follow"),
  };
  tail.run = RunTail;

  Command verify;
  verify.name = "audit verify";
  verify.summary = "verify the audit trail's MAC chain from the start";
  verify.details =
      "Walks the whole trail in windows of --window records (default 5000) "
      "with\nPOST /v1/audit/verify, showing progress on a terminal. Exits 4 "
      "and names the\nfirst bad record if any record was edited, removed or "
      "reordered.";
  verify.flags = {OptionalFlag("window", "N", "records per request")};
  verify.run = RunVerify;
  return {tail, verify};
}

}  // namespace kms::kmsctl
