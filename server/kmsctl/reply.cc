#include "server/kmsctl/reply.h"

#include <cmath>
#include <ctime>

namespace kms::kmsctl {

std::string GetString(const cJSON* object, const char* key) {
  const cJSON* item = cJSON_GetObjectItemCaseSensitive(object, key);
  return cJSON_IsString(item) ? item->valuestring : "";
}

int64_t GetInt(const cJSON* object, const char* key) {
  const cJSON* item = cJSON_GetObjectItemCaseSensitive(object, key);
  // Guards the cast: a double out of range would be undefined behaviour.
  if (!cJSON_IsNumber(item) || !std::isfinite(item->valuedouble) ||
      std::fabs(item->valuedouble) > 9.0e15) {
    return 0;
  }
  return static_cast<int64_t>(item->valuedouble);
}

bool GetBool(const cJSON* object, const char* key) {
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(object, key));
}

std::vector<std::string> GetStrings(const cJSON* object, const char* key) {
  std::vector<std::string> out;
  for (const cJSON* item : GetArray(object, key)) {
    if (cJSON_IsString(item)) out.emplace_back(item->valuestring);
  }
  return out;
}

std::vector<const cJSON*> GetArray(const cJSON* object, const char* key) {
  std::vector<const cJSON*> out;
  const cJSON* array = cJSON_GetObjectItemCaseSensitive(object, key);
  if (!cJSON_IsArray(array)) return out;
  for (const cJSON* item = array->child; item != nullptr; item = item->next) {
    out.push_back(item);
  }
  return out;
}

const cJSON* GetObject(const cJSON* object, const char* key) {
  const cJSON* item = cJSON_GetObjectItemCaseSensitive(object, key);
  return cJSON_IsObject(item) ? item : nullptr;
}

std::string FormatTimestamp(int64_t millis) {
  if (millis <= 0) return "";
  time_t seconds = static_cast<time_t>(millis / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", &utc);
  return std::string(buf, n);
}

std::string YesNo(bool value) { return value ? "yes" : "no"; }

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace kms::kmsctl
