// RAII around cJSON, a builder for responses and a strict reader for
// requests (types checked, unknown fields refused, first error kept).
#ifndef KMS_COMMON_JSON_H_
#define KMS_COMMON_JSON_H_

#include <cjson/cJSON.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms {

struct CJsonDeleter {
  void operator()(cJSON* p) const { cJSON_Delete(p); }
};
using CJsonPtr = std::unique_ptr<cJSON, CJsonDeleter>;

// Makes cJSON wipe every buffer it frees, so that PINs and key material
// parsed from or printed into JSON do not linger on the heap. Idempotent.
void InstallWipingJsonAllocator();

class Json {
 public:
  static Json Object();
  static Json Array();
  // kMalformedJson on a syntax error or trailing garbage.
  static Result<Json> Parse(std::string_view text);

  Json() = default;
  explicit Json(CJsonPtr node) : node_(std::move(node)) {}

  cJSON* get() const { return node_.get(); }
  cJSON* release() { return node_.release(); }
  bool is_null() const { return node_ == nullptr; }

  Json& Set(std::string_view key, std::string_view value);
  Json& Set(std::string_view key, const char* value) {
    return Set(key, std::string_view(value));
  }
  Json& Set(std::string_view key, const std::string& value) {
    return Set(key, std::string_view(value));
  }
  Json& Set(std::string_view key, int64_t value);
  Json& Set(std::string_view key, int value) {
    return Set(key, static_cast<int64_t>(value));
  }
  Json& Set(std::string_view key, bool value);
  Json& Set(std::string_view key, Json child);
  Json& SetNull(std::string_view key);
  Json& SetBase64(std::string_view key, ByteView value);
  Json& SetStrings(std::string_view key, const std::vector<std::string>& v);
  Json& Append(Json child);
  Json& Append(std::string_view value);

  // Compact text.
  std::string Dump() const;
  // Compact text in wiped memory, for bodies that carry secrets.
  SecureString DumpSecure() const;

 private:
  CJsonPtr node_;
};

// Reads one JSON object. Each accessor records the first problem (missing
// field, wrong type, bad base64) and afterwards returns a default; Finish()
// reports it, or an unknown field if any key was never asked for.
class JsonReader {
 public:
  explicit JsonReader(const cJSON* object, std::string context = "");

  std::string String(std::string_view key);
  std::optional<std::string> OptionalString(std::string_view key);
  SecureString SecretString(std::string_view key);
  std::optional<SecureString> OptionalSecretString(std::string_view key);
  int64_t Int(std::string_view key);
  int64_t Int(std::string_view key, int64_t default_value);
  std::optional<int64_t> OptionalInt(std::string_view key);
  bool Bool(std::string_view key, bool default_value);
  Bytes Base64(std::string_view key);
  std::optional<Bytes> OptionalBase64(std::string_view key);
  SecureBytes SecretBase64(std::string_view key);
  std::vector<std::string> Strings(std::string_view key);
  std::optional<std::vector<std::string>> OptionalStrings(std::string_view key);
  // A nested object (nullptr when absent and not required).
  const cJSON* Object(std::string_view key, bool required);
  bool Has(std::string_view key) const;

  // Records an error found by the caller while interpreting a value.
  void Fail(ErrorCode code, std::string message);
  Status Finish();
  const Status& status() const { return status_; }

 private:
  const cJSON* Find(std::string_view key, bool required);
  std::string Name(std::string_view key) const;

  const cJSON* object_;
  std::string context_;
  std::set<std::string, std::less<>> seen_;
  Status status_;
};

// Parses text as a JSON object and returns the tree; kMalformedJson if it is
// not an object.
Result<Json> ParseObject(std::string_view text);

}  // namespace kms

#endif  // KMS_COMMON_JSON_H_
