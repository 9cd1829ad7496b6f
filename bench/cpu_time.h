// CPU time (user + system) of this process and of another one, for the
// per-operation CPU cost in the report.
#ifndef KMS_BENCH_CPU_TIME_H_
#define KMS_BENCH_CPU_TIME_H_

#include <sys/types.h>

#include <cstdint>

#include "common/status.h"

namespace kms::bench {

// This process, all threads, from getrusage(RUSAGE_SELF).
int64_t SelfCpuMicros();

// Another process: utime + stime from /proc/PID/stat.
Result<int64_t> ProcessCpuMicros(pid_t pid);

// The fields after the command name in a /proc/PID/stat line ("(comm)" may
// contain spaces and parentheses); for the tests.
Result<int64_t> ParseProcStatCpuTicks(const std::string& stat_line);

}  // namespace kms::bench

#endif  // KMS_BENCH_CPU_TIME_H_
