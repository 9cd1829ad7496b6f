#include "common/logging.h"

#include <cstdio>
#include <ctime>
#include <mutex>

namespace kms {
namespace {

std::mutex log_mutex;
LogLevel current_level = LogLevel::kInfo;
FILE* log_file = nullptr;  // nullptr means stderr

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kOff:
      break;
  }
  return "OFF";
}

}  // namespace

Result<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warning" || name == "warn") return LogLevel::kWarning;
  if (name == "error") return LogLevel::kError;
  if (name == "off") return LogLevel::kOff;
  return Error(ErrorCode::kInvalidArgument,
               "log level must be one of debug, info, warning, error, off");
}

Status ConfigureLogging(LogLevel level, const std::string& destination) {
  std::lock_guard<std::mutex> lock(log_mutex);
  FILE* file = nullptr;
  if (!destination.empty() && destination != "stderr") {
    file = std::fopen(destination.c_str(), "a");
    if (file == nullptr) {
      return Error(ErrorCode::kInvalidArgument,
                   "cannot open log file '" + destination + "'");
    }
  }
  if (log_file != nullptr) std::fclose(log_file);
  log_file = file;
  current_level = level;
  return Status::Ok();
}

bool LogEnabled(LogLevel level) {
  return level >= current_level && level != LogLevel::kOff;
}

void LogLine(LogLevel level, std::string_view message) {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);
  std::lock_guard<std::mutex> lock(log_mutex);
  FILE* out = log_file != nullptr ? log_file : stderr;
  std::fprintf(out, "%s.%03ldZ %s %.*s\n", stamp, now.tv_nsec / 1000000,
               LevelName(level), static_cast<int>(message.size()),
               message.data());
  std::fflush(out);
}

}  // namespace kms
