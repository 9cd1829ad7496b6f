// Runs one (operation, thread count) point: creates a worker per thread,
// checks each worker's first result, warms up, then counts operations and
// records their latencies in a timed window.
#ifndef KMS_BENCH_RUNNER_H_
#define KMS_BENCH_RUNNER_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "bench/engine.h"
#include "bench/latency_histogram.h"

namespace kms::bench {

struct PointConfig {
  int threads = 1;
  double warmup_seconds = 1.0;
  double duration_seconds = 5.0;
  pid_t server_pid = 0;  // 0: no server CPU measurement
};

struct PointResult {
  std::string op;
  int threads = 0;
  double seconds = 0;       // length of the timed window
  uint64_t ops = 0;         // successful operations in the window
  uint64_t errors = 0;      // failed operations and failed checks
  size_t bytes_per_op = 0;  // payload size for throughput in bytes/s
  LatencyHistogram latency;
  double cpu_us_per_op = 0;
  std::optional<double> server_cpu_us_per_op;
  bool checked = false;     // every worker's first result passed its check
  std::string first_error;  // empty when errors == 0
  std::string skipped;      // non-empty: why the point was not run

  double ops_per_sec() const { return seconds > 0 ? ops / seconds : 0; }
};

// Set from a signal handler: the current timed window ends early and no
// further point should start (keys are still cleaned up).
void RequestStop();
bool StopRequested();

// Runs one point against a prepared fixture. Never fails as a whole: the
// failure to create workers or run operations shows in errors/first_error.
PointResult RunPoint(const OpSpec& op, OpFixture& fixture,
                     const PointConfig& config);

}  // namespace kms::bench

#endif  // KMS_BENCH_RUNNER_H_
