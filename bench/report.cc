#include "bench/report.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>

namespace kms::bench {
namespace {

double Round(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

void AddNumber(Json& json, const char* key, double value, int decimals) {
  cJSON_AddNumberToObject(json.get(), key, Round(value, decimals));
}

std::string Pad(const std::string& text, size_t width, bool left) {
  if (text.size() >= width) return text;
  std::string fill(width - text.size(), ' ');
  return left ? text + fill : fill + text;
}

struct Column {
  const char* title;
  size_t width;
  bool left;
};

constexpr Column kColumns[] = {
    {"operation", 25, true}, {"thr", 3, false},       {"ops/s", 11, false},
    {"MB/s", 8, false},      {"p50 us", 8, false},    {"p90 us", 8, false},
    {"p99 us", 8, false},    {"max us", 8, false},    {"errors", 6, false},
    {"cpu us/op", 9, false}, {"srv us/op", 9, false}, {"checked", 7, false},
};

std::string Row(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size() && i < std::size(kColumns); ++i) {
    if (i > 0) line += "  ";
    line += Pad(cells[i], kColumns[i].width, kColumns[i].left);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "\n";
}

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

}  // namespace

std::string FormatCount(double value) {
  if (!std::isfinite(value) || value < 0) return "-";
  std::string digits =
      std::to_string(static_cast<uint64_t>(std::llround(value)));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatMicros(double nanos) {
  double micros = nanos / 1000.0;
  return micros < 100.0 ? Fixed(micros, 1) : FormatCount(micros);
}

std::string FormatTable(const RunInfo& info,
                        const std::vector<PointResult>& results) {
  std::string out = "engine: " + info.engine;
  if (!info.module.empty()) out += "  module: " + info.module;
  if (!info.token.empty()) out += "  token: " + info.token;
  out += "  warm-up " + Fixed(info.warmup_seconds, 1) + " s, window " +
         Fixed(info.duration_seconds, 1) + " s\n";
  std::vector<std::string> titles;
  for (const Column& column : kColumns) titles.push_back(column.title);
  out += Row(titles);
  for (const PointResult& r : results) {
    if (!r.skipped.empty()) {
      out += Row({r.op, std::to_string(r.threads), "skipped: " + r.skipped});
      continue;
    }
    const LatencyHistogram& h = r.latency;
    std::string mbps =
        r.bytes_per_op > 0
            ? Fixed(r.ops_per_sec() * static_cast<double>(r.bytes_per_op) / 1e6,
                    1)
            : "";
    std::string server = r.server_cpu_us_per_op
                             ? Fixed(*r.server_cpu_us_per_op, 1)
                             : std::string("-");
    out += Row({r.op, std::to_string(r.threads), FormatCount(r.ops_per_sec()),
                mbps, FormatMicros(h.PercentileNanos(50)),
                FormatMicros(h.PercentileNanos(90)),
                FormatMicros(h.PercentileNanos(99)),
                FormatMicros(static_cast<double>(h.max_nanos())),
                std::to_string(r.errors),
                r.ops > 0 ? Fixed(r.cpu_us_per_op, 1) : std::string("-"),
                server, r.checked ? "yes" : "NO"});
  }
  for (const PointResult& r : results) {
    if (!r.first_error.empty()) {
      out += "error in " + r.op + " (" + std::to_string(r.threads) +
             " threads): " + r.first_error + "\n";
    }
  }
  return out;
}

Json ToJson(const RunInfo& info, const std::vector<PointResult>& results) {
  Json root = Json::Object();
  root.Set("engine", info.engine);
  root.Set("module", info.module);
  root.Set("token", info.token);
  AddNumber(root, "warmup_seconds", info.warmup_seconds, 3);
  AddNumber(root, "duration_seconds", info.duration_seconds, 3);
  Json list = Json::Array();
  for (const PointResult& r : results) {
    const LatencyHistogram& h = r.latency;
    Json item = Json::Object();
    item.Set("engine", info.engine);
    item.Set("module", info.module);
    item.Set("op", r.op);
    item.Set("threads", r.threads);
    item.Set("ops", static_cast<int64_t>(r.ops));
    AddNumber(item, "seconds", r.seconds, 6);
    AddNumber(item, "ops_per_sec", r.ops_per_sec(), 1);
    AddNumber(item, "bytes_per_sec",
              r.ops_per_sec() * static_cast<double>(r.bytes_per_op), 0);
    AddNumber(item, "p50_us", h.PercentileNanos(50) / 1000.0, 3);
    AddNumber(item, "p90_us", h.PercentileNanos(90) / 1000.0, 3);
    AddNumber(item, "p99_us", h.PercentileNanos(99) / 1000.0, 3);
    AddNumber(item, "max_us", h.max_nanos() / 1000.0, 3);
    AddNumber(item, "mean_us", h.mean_nanos() / 1000.0, 3);
    item.Set("errors", static_cast<int64_t>(r.errors));
    AddNumber(item, "cpu_us_per_op", r.cpu_us_per_op, 3);
    if (r.server_cpu_us_per_op) {
      AddNumber(item, "server_cpu_us_per_op", *r.server_cpu_us_per_op, 3);
    } else {
      item.SetNull("server_cpu_us_per_op");
    }
    item.Set("checked", r.checked);
    item.Set("first_error", r.first_error);
    item.Set("skipped", r.skipped);
    list.Append(std::move(item));
  }
  root.Set("results", std::move(list));
  return root;
}

std::string FormatTsv(const RunInfo& info,
                      const std::vector<PointResult>& results) {
  std::string out =
      "engine\top\tthreads\tops_per_sec\tbytes_per_sec\tp50_us\tp90_us\t"
      "p99_us\tmax_us\terrors\tcpu_us_per_op\tserver_cpu_us_per_op\t"
      "checked\tskipped\n";
  for (const PointResult& r : results) {
    const LatencyHistogram& h = r.latency;
    std::string skipped = r.skipped.empty() ? "-" : r.skipped;
    for (char& c : skipped) {
      if (c == '\t' || c == '\n') c = ' ';
    }
    out += info.engine + "\t" + r.op + "\t" + std::to_string(r.threads) + "\t" +
           Fixed(r.ops_per_sec(), 1) + "\t" +
           Fixed(r.ops_per_sec() * static_cast<double>(r.bytes_per_op), 0) +
           "\t" + Fixed(h.PercentileNanos(50) / 1000.0, 1) + "\t" +
           Fixed(h.PercentileNanos(90) / 1000.0, 1) + "\t" +
           Fixed(h.PercentileNanos(99) / 1000.0, 1) + "\t" +
           Fixed(h.max_nanos() / 1000.0, 1) + "\t" + std::to_string(r.errors) +
           "\t" + Fixed(r.cpu_us_per_op, 1) + "\t" +
           (r.server_cpu_us_per_op ? Fixed(*r.server_cpu_us_per_op, 1)
                                   : std::string("-")) +
           "\t" + (r.checked ? "1" : "0") + "\t" + skipped + "\n";
  }
  return out;
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Error(ErrorCode::kInternal, "cannot write " + path);
  return Status::Ok();
}

Status WriteJsonReport(const std::string& path, const RunInfo& info,
                       const std::vector<PointResult>& results) {
  Json json = ToJson(info, results);
  std::unique_ptr<char, void (*)(void*)> text(cJSON_Print(json.get()),
                                              cJSON_free);
  if (text == nullptr) return Error(ErrorCode::kInternal, "cJSON_Print failed");
  return WriteTextFile(path, std::string(text.get()) + "\n");
}

}  // namespace kms::bench
