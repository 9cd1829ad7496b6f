// Leveled logging to stderr or a file. Callers never pass secrets: the
// logger cannot tell a PIN from a label, so the rule is enforced at the
// call sites and by review.
#ifndef KMS_COMMON_LOGGING_H_
#define KMS_COMMON_LOGGING_H_

#include <sstream>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kms {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

Result<LogLevel> ParseLogLevel(std::string_view name);
// destination: "stderr" or a file path (appended to).
Status ConfigureLogging(LogLevel level, const std::string& destination);
bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, std::string_view message);

class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  ~LogMessage() { LogLine(level_, stream_.str()); }
  std::ostringstream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

}  // namespace kms

#define KMS_LOG(level)                                   \
  if (!::kms::LogEnabled(::kms::LogLevel::level)) {      \
  } else                                                 \
    ::kms::LogMessage(::kms::LogLevel::level).stream()

#endif  // KMS_COMMON_LOGGING_H_
