#ifndef KMS_COMMON_TIME_UTIL_H_
#define KMS_COMMON_TIME_UTIL_H_

#include <cstdint>
#include <string>

namespace kms {

// Wall-clock time in milliseconds / seconds since the Unix epoch.
int64_t NowMillis();
int64_t NowSeconds();
// RFC 3339 UTC, e.g. 2026-11-28T16:32:53.123Z.
std::string FormatTimeMillis(int64_t millis);

}  // namespace kms

#endif  // KMS_COMMON_TIME_UTIL_H_
