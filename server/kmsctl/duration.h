// Durations on the command line: "90" (seconds) or "90s", "15m", "12h", "30d".
#ifndef KMS_SERVER_KMSCTL_DURATION_H_
#define KMS_SERVER_KMSCTL_DURATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kms::kmsctl {

// Seconds; kInvalidArgument for anything else, negative values or overflow.
Result<int64_t> ParseDuration(std::string_view text);

// The largest whole unit: 2592000 -> "30d", 5400 -> "90m", 0 -> "0s".
std::string FormatDuration(int64_t seconds);

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_DURATION_H_
