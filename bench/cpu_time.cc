#include "bench/cpu_time.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace kms::bench {
namespace {

int64_t TimevalMicros(const timeval& tv) {
  return static_cast<int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec;
}

}  // namespace

int64_t SelfCpuMicros() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return TimevalMicros(usage.ru_utime) + TimevalMicros(usage.ru_stime);
}

Result<int64_t> ParseProcStatCpuTicks(const std::string& stat_line) {
  size_t close = stat_line.rfind(')');
  if (close == std::string::npos) {
    return Error(ErrorCode::kInvalidArgument, "no command name in stat line");
  }
  // After ") ": state(3) ppid(4) ... utime(14) stime(15).
  std::istringstream in(stat_line.substr(close + 1));
  std::string field;
  int64_t utime = -1;
  int64_t stime = -1;
  for (int index = 3; index <= 15 && (in >> field); ++index) {
    try {
      if (index == 14) utime = std::stoll(field);
      if (index == 15) stime = std::stoll(field);
    } catch (const std::exception&) {
      return Error(ErrorCode::kInvalidArgument, "bad number in stat line");
    }
  }
  if (utime < 0 || stime < 0) {
    return Error(ErrorCode::kInvalidArgument, "stat line too short");
  }
  return utime + stime;
}

Result<int64_t> ProcessCpuMicros(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::ifstream file(path);
  std::string line;
  if (!file || !std::getline(file, line)) {
    return Error(ErrorCode::kNotFound, "cannot read " + path);
  }
  KMS_ASSIGN_OR_RETURN(int64_t ticks, ParseProcStatCpuTicks(line));
  long hz = ::sysconf(_SC_CLK_TCK);
  if (hz <= 0) hz = 100;
  return ticks * 1000000 / hz;
}

}  // namespace kms::bench
