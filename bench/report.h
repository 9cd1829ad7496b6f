// The results of a run: a human table for stdout and a JSON document with
// every figure, for bench/compare and for tests.
#ifndef KMS_BENCH_REPORT_H_
#define KMS_BENCH_REPORT_H_

#include <string>
#include <vector>

#include "bench/runner.h"
#include "common/json.h"
#include "common/status.h"

namespace kms::bench {

struct RunInfo {
  std::string engine;  // "pkcs11" or "openssl"
  std::string module;  // module path; empty for openssl
  std::string token;   // token label; empty for openssl
  double warmup_seconds = 0;
  double duration_seconds = 0;
};

// "1,234,567" for counts and rates (rounded to an integer).
std::string FormatCount(double value);
// Microseconds from nanoseconds: "17.3" below 100 µs, "580" above.
std::string FormatMicros(double nanos);

// A fixed-width table, one row per point.
std::string FormatTable(const RunInfo& info,
                        const std::vector<PointResult>& results);

// {"engine", "module", "token", "warmup_seconds", "duration_seconds",
//  "results": [{"engine", "module", "op", "threads", "ops", "seconds",
//  "ops_per_sec", "bytes_per_sec", "p50_us", "p90_us", "p99_us", "max_us",
//  "mean_us", "errors", "cpu_us_per_op", "server_cpu_us_per_op" (null
//  without --server-pid), "checked", "first_error", "skipped"}]}
Json ToJson(const RunInfo& info, const std::vector<PointResult>& results);

// One tab-separated line per point, after a header line, for scripts
// (bench/compare) that have no JSON parser: engine, op, threads,
// ops_per_sec, bytes_per_sec, p50_us, p90_us, p99_us, max_us, errors,
// cpu_us_per_op, server_cpu_us_per_op ("-" without), checked (1/0), skipped
// ("-" when not skipped; tabs and newlines replaced by blanks).
std::string FormatTsv(const RunInfo& info,
                      const std::vector<PointResult>& results);

// Writes ToJson(...) to path (pretty-printed).
Status WriteJsonReport(const std::string& path, const RunInfo& info,
                       const std::vector<PointResult>& results);

// Writes text to path.
Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace kms::bench

#endif  // KMS_BENCH_REPORT_H_
