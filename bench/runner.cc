#include "bench/runner.h"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/cpu_time.h"

namespace kms::bench {
namespace {

using Clock = std::chrono::steady_clock;

enum Phase : int { kWarmup = 0, kMeasure = 1, kStop = 2 };

struct ThreadTally {
  LatencyHistogram latency;
  uint64_t ops = 0;
  uint64_t errors = 0;
  bool checked = false;
  std::string first_error;

  void Fail(const std::string& message) {
    ++errors;
    if (first_error.empty()) first_error = message;
  }
};

std::atomic<bool> stop_requested{false};

// Sleeps, waking early when a stop is requested.
void SleepSeconds(double seconds) {
  Clock::time_point end =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(seconds));
  while (!StopRequested()) {
    Clock::time_point now = Clock::now();
    if (now >= end) return;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(end - now, std::chrono::milliseconds(20)));
  }
}

void WorkerLoop(Worker& worker, ThreadTally& tally, std::barrier<>& ready,
                const std::atomic<int>& phase) {
  // The first operation of each thread is checked, outside the timing.
  Status first = worker.Run();
  if (!first.ok()) {
    tally.Fail("first operation: " + first.ToString());
  } else {
    Status check = worker.Check();
    if (check.ok()) {
      tally.checked = true;
    } else {
      tally.Fail("check: " + check.ToString());
    }
  }
  ready.arrive_and_wait();
  for (;;) {
    int at_start = phase.load(std::memory_order_acquire);
    if (at_start == kStop) break;
    Clock::time_point start = Clock::now();
    Status status = worker.Run();
    Clock::time_point end = Clock::now();
    if (at_start != kMeasure) continue;
    if (status.ok()) {
      ++tally.ops;
      tally.latency.Record(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(end - start)
              .count()));
    } else {
      tally.Fail(status.ToString());
    }
  }
}

}  // namespace

void RequestStop() { stop_requested.store(true); }
bool StopRequested() { return stop_requested.load(); }

PointResult RunPoint(const OpSpec& op, OpFixture& fixture,
                     const PointConfig& config) {
  PointResult result;
  result.op = op.name;
  result.threads = config.threads;
  result.bytes_per_op =
      (op.kind == OpKind::kEncrypt || op.kind == OpKind::kDecrypt) &&
              op.scheme == Scheme::kAesGcm
          ? op.data_size
          : 0;

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < config.threads; ++i) {
    Result<std::unique_ptr<Worker>> worker = fixture.NewWorker(i);
    if (!worker.ok()) {
      result.errors = 1;
      result.first_error = "worker setup: " + worker.status().ToString();
      return result;
    }
    workers.push_back(std::move(worker).value());
  }

  std::vector<ThreadTally> tallies(workers.size());
  std::atomic<int> phase{kWarmup};
  std::barrier<> ready(static_cast<std::ptrdiff_t>(workers.size() + 1));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers.size(); ++i) {
    threads.emplace_back(WorkerLoop, std::ref(*workers[i]),
                         std::ref(tallies[i]), std::ref(ready),
                         std::cref(phase));
  }
  ready.arrive_and_wait();
  SleepSeconds(config.warmup_seconds);

  std::optional<int64_t> server_start;
  if (config.server_pid > 0) {
    Result<int64_t> cpu = ProcessCpuMicros(config.server_pid);
    if (cpu.ok()) server_start = *cpu;
  }
  int64_t self_start = SelfCpuMicros();
  Clock::time_point window_start = Clock::now();
  phase.store(kMeasure, std::memory_order_release);
  SleepSeconds(config.duration_seconds);
  phase.store(kStop, std::memory_order_release);
  Clock::time_point window_end = Clock::now();
  int64_t self_end = SelfCpuMicros();
  std::optional<int64_t> server_end;
  if (server_start) {
    Result<int64_t> cpu = ProcessCpuMicros(config.server_pid);
    if (cpu.ok()) server_end = *cpu;
  }
  for (std::thread& thread : threads) thread.join();
  workers.clear();  // sessions closed before the fixture goes

  result.seconds =
      std::chrono::duration<double>(window_end - window_start).count();
  result.checked = true;
  for (const ThreadTally& tally : tallies) {
    result.ops += tally.ops;
    result.errors += tally.errors;
    result.latency.Merge(tally.latency);
    result.checked = result.checked && tally.checked;
    if (result.first_error.empty()) result.first_error = tally.first_error;
  }
  if (result.ops > 0) {
    result.cpu_us_per_op =
        static_cast<double>(self_end - self_start) / result.ops;
    if (server_start && server_end) {
      result.server_cpu_us_per_op =
          static_cast<double>(*server_end - *server_start) / result.ops;
    }
  }
  return result;
}

}  // namespace kms::bench
