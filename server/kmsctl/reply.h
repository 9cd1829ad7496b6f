// Lenient reading of kmsd's replies. Requests are strict, but the CLI must
// keep working when a newer kmsd adds fields, so missing or extra fields
// here give defaults instead of errors.
#ifndef KMS_SERVER_KMSCTL_REPLY_H_
#define KMS_SERVER_KMSCTL_REPLY_H_

#include <cjson/cJSON.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kms::kmsctl {

std::string GetString(const cJSON* object, const char* key);
int64_t GetInt(const cJSON* object, const char* key);
bool GetBool(const cJSON* object, const char* key);
std::vector<std::string> GetStrings(const cJSON* object, const char* key);
// The elements of an array member (empty when absent).
std::vector<const cJSON*> GetArray(const cJSON* object, const char* key);
const cJSON* GetObject(const cJSON* object, const char* key);

// "2026-11-28 16:32:53Z" for Unix milliseconds; "" for 0 (never / unset).
std::string FormatTimestamp(int64_t millis);
std::string YesNo(bool value);
std::string Join(const std::vector<std::string>& items, std::string_view sep);

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_REPLY_H_
