#include "common/time_util.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace kms {

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t NowSeconds() { return NowMillis() / 1000; }

std::string FormatTimeMillis(int64_t millis) {
  time_t seconds = static_cast<time_t>(millis / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[40];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buf + n, sizeof(buf) - n, ".%03dZ",
                static_cast<int>(millis % 1000));
  return buf;
}

}  // namespace kms
