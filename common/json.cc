#include "common/json.h"

#include <malloc.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "common/encoding.h"

namespace kms {
namespace {

void* WipingMalloc(size_t size) { return std::malloc(size); }

void WipingFree(void* p) {
  if (p == nullptr) return;
  SecureWipe(p, malloc_usable_size(p));
  std::free(p);
}

cJSON* AddOrReplace(cJSON* object, std::string_view key, cJSON* item) {
  std::string k(key);
  if (cJSON_GetObjectItemCaseSensitive(object, k.c_str()) != nullptr) {
    cJSON_ReplaceItemInObjectCaseSensitive(object, k.c_str(), item);
  } else {
    cJSON_AddItemToObject(object, k.c_str(), item);
  }
  return item;
}

// A string item whose text `fill` writes in place (exactly `length` chars),
// sparing the copies cJSON_CreateString makes: data requests carry
// megabytes of base64. The text is allocated through cJSON's hooks, so
// cJSON_Delete frees (and wipes) it as its own.
template <typename Fill>
cJSON* StringItem(size_t length, Fill fill) {
  cJSON* item = cJSON_CreateString("");
  if (item == nullptr) return nullptr;
  auto* text = static_cast<char*>(cJSON_malloc(length + 1));
  if (text == nullptr) {
    cJSON_Delete(item);
    return nullptr;
  }
  fill(text);
  text[length] = '\0';
  cJSON_free(item->valuestring);
  item->valuestring = text;
  return item;
}

size_t StringSizeEstimate(const char* text) {
  const size_t n = text == nullptr ? 0 : std::strlen(text);
  return n + n / 8 + 8;  // quotes, and room for a few escapes
}

// Room for the unformatted text of `node` unless its strings need many
// escapes; printing into a buffer of this size spares cJSON's doubling
// (each step a copy and a wipe).
size_t PrintedSizeEstimate(const cJSON* node) {
  size_t size = StringSizeEstimate(node->string) + 2;
  if (cJSON_IsString(node) || cJSON_IsRaw(node)) {
    size += StringSizeEstimate(node->valuestring);
  } else if (cJSON_IsNumber(node)) {
    size += 32;
  } else {
    size += 8;
  }
  for (const cJSON* child = node->child; child != nullptr;
       child = child->next) {
    size += PrintedSizeEstimate(child);
  }
  return size;
}

// Prints into a buffer sized by PrintedSizeEstimate, or lets cJSON size it
// when the estimate is short.
template <typename Text>
Text Print(const cJSON* node) {
  if (node == nullptr) return Text("null");
  // cJSON asks for 5 bytes more than it needs.
  Text out(PrintedSizeEstimate(node) + 5, '\0');
  if (cJSON_PrintPreallocated(const_cast<cJSON*>(node), out.data(),
                              static_cast<int>(out.size()), 0)) {
    out.resize(std::strlen(out.c_str()));
    return out;
  }
  char* text = cJSON_PrintUnformatted(node);
  if (text == nullptr) return Text("null");
  out.assign(text);
  cJSON_free(text);
  return out;
}

}  // namespace

void InstallWipingJsonAllocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    cJSON_Hooks hooks{WipingMalloc, WipingFree};
    cJSON_InitHooks(&hooks);
  });
}

Json Json::Object() {
  InstallWipingJsonAllocator();
  return Json(CJsonPtr(cJSON_CreateObject()));
}

Json Json::Array() {
  InstallWipingJsonAllocator();
  return Json(CJsonPtr(cJSON_CreateArray()));
}

Result<Json> Json::Parse(std::string_view text) {
  InstallWipingJsonAllocator();
  const char* end = nullptr;
  cJSON* node = cJSON_ParseWithLengthOpts(text.data(), text.size(), &end, 0);
  if (node == nullptr) {
    return Error(ErrorCode::kMalformedJson, "request body is not valid JSON");
  }
  CJsonPtr owned(node);
  // cJSON stops at the end of the first value; anything but white space
  // after it is an error.
  for (const char* p = end; p != nullptr && p < text.data() + text.size();
       ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
      return Error(ErrorCode::kMalformedJson,
                   "trailing characters after JSON value");
    }
  }
  return Json(std::move(owned));
}

Json& Json::Set(std::string_view key, std::string_view value) {
  AddOrReplace(node_.get(), key, StringItem(value.size(), [&](char* text) {
                 std::memcpy(text, value.data(), value.size());
               }));
  return *this;
}

Json& Json::Set(std::string_view key, int64_t value) {
  AddOrReplace(node_.get(), key,
               cJSON_CreateNumber(static_cast<double>(value)));
  return *this;
}

Json& Json::Set(std::string_view key, bool value) {
  AddOrReplace(node_.get(), key, cJSON_CreateBool(value));
  return *this;
}

Json& Json::Set(std::string_view key, Json child) {
  AddOrReplace(node_.get(), key, child.release());
  return *this;
}

Json& Json::SetNull(std::string_view key) {
  AddOrReplace(node_.get(), key, cJSON_CreateNull());
  return *this;
}

Json& Json::SetBase64(std::string_view key, ByteView value) {
  AddOrReplace(node_.get(), key,
               StringItem(Base64EncodedSize(value.size()),
                          [&](char* text) { Base64EncodeTo(value, text); }));
  return *this;
}

Json& Json::SetStrings(std::string_view key,
                       const std::vector<std::string>& values) {
  Json array = Array();
  for (const auto& v : values) array.Append(v);
  return Set(key, std::move(array));
}

Json& Json::Append(Json child) {
  cJSON_AddItemToArray(node_.get(), child.release());
  return *this;
}

Json& Json::Append(std::string_view value) {
  std::string v(value);
  cJSON_AddItemToArray(node_.get(), cJSON_CreateString(v.c_str()));
  return *this;
}

std::string Json::Dump() const { return Print<std::string>(node_.get()); }

SecureString Json::DumpSecure() const {
  return Print<SecureString>(node_.get());
}

JsonReader::JsonReader(const cJSON* object, std::string context)
    : object_(object), context_(std::move(context)) {
  if (object_ == nullptr || !cJSON_IsObject(object_)) {
    status_ = Error(ErrorCode::kMalformedJson,
                    context_.empty() ? "request body must be a JSON object"
                                     : context_ + " must be a JSON object");
    object_ = nullptr;
  }
}

std::string JsonReader::Name(std::string_view key) const {
  if (context_.empty()) return std::string(key);
  return context_ + "." + std::string(key);
}

void JsonReader::Fail(ErrorCode code, std::string message) {
  if (status_.ok()) status_ = Error(code, std::move(message));
}

bool JsonReader::Has(std::string_view key) const {
  if (object_ == nullptr) return false;
  std::string k(key);
  const cJSON* item = cJSON_GetObjectItemCaseSensitive(object_, k.c_str());
  return item != nullptr && !cJSON_IsNull(item);
}

const cJSON* JsonReader::Find(std::string_view key, bool required) {
  if (object_ == nullptr) return nullptr;
  std::string k(key);
  seen_.insert(k);
  const cJSON* item = cJSON_GetObjectItemCaseSensitive(object_, k.c_str());
  if (item != nullptr && cJSON_IsNull(item)) item = nullptr;
  if (item == nullptr && required) {
    Fail(ErrorCode::kInvalidArgument,
         "missing required field '" + Name(key) + "'");
  }
  return item;
}

std::optional<std::string> JsonReader::OptionalString(std::string_view key) {
  const cJSON* item = Find(key, false);
  if (item == nullptr) return std::nullopt;
  if (!cJSON_IsString(item)) {
    Fail(ErrorCode::kInvalidArgument,
         "field '" + Name(key) + "' must be a string");
    return std::nullopt;
  }
  return std::string(item->valuestring);
}

std::string JsonReader::String(std::string_view key) {
  if (!Has(key)) {
    Find(key, true);
    return {};
  }
  return OptionalString(key).value_or("");
}

std::optional<SecureString> JsonReader::OptionalSecretString(
    std::string_view key) {
  const cJSON* item = Find(key, false);
  if (item == nullptr) return std::nullopt;
  if (!cJSON_IsString(item)) {
    Fail(ErrorCode::kInvalidArgument,
         "field '" + Name(key) + "' must be a string");
    return std::nullopt;
  }
  return SecureString(item->valuestring);
}

SecureString JsonReader::SecretString(std::string_view key) {
  if (!Has(key)) {
    Find(key, true);
    return {};
  }
  return OptionalSecretString(key).value_or(SecureString());
}

std::optional<int64_t> JsonReader::OptionalInt(std::string_view key) {
  const cJSON* item = Find(key, false);
  if (item == nullptr) return std::nullopt;
  double v = cJSON_IsNumber(item) ? item->valuedouble : NAN;
  if (!cJSON_IsNumber(item) || std::floor(v) != v ||
      v < -9.007199254740992e15 || v > 9.007199254740992e15) {
    Fail(ErrorCode::kInvalidArgument,
         "field '" + Name(key) + "' must be an integer");
    return std::nullopt;
  }
  return static_cast<int64_t>(v);
}

int64_t JsonReader::Int(std::string_view key) {
  if (!Has(key)) {
    Find(key, true);
    return 0;
  }
  return OptionalInt(key).value_or(0);
}

int64_t JsonReader::Int(std::string_view key, int64_t default_value) {
  return OptionalInt(key).value_or(default_value);
}

bool JsonReader::Bool(std::string_view key, bool default_value) {
  const cJSON* item = Find(key, false);
  if (item == nullptr) return default_value;
  if (!cJSON_IsBool(item)) {
    Fail(ErrorCode::kInvalidArgument,
         "field '" + Name(key) + "' must be true or false");
    return default_value;
  }
  return cJSON_IsTrue(item);
}

std::optional<Bytes> JsonReader::OptionalBase64(std::string_view key) {
  auto text = OptionalString(key);
  if (!text) return std::nullopt;
  auto decoded = Base64Decode(*text);
  if (!decoded.ok()) {
    Fail(ErrorCode::kInvalidBase64,
         "field '" + Name(key) + "' is not valid base64");
    return std::nullopt;
  }
  return std::move(decoded).value();
}

Bytes JsonReader::Base64(std::string_view key) {
  if (!Has(key)) {
    Find(key, true);
    return {};
  }
  return OptionalBase64(key).value_or(Bytes());
}

SecureBytes JsonReader::SecretBase64(std::string_view key) {
  SecureString text = SecretString(key);
  if (!status_.ok()) return {};
  auto decoded = Base64DecodeSecure({text.data(), text.size()});
  if (!decoded.ok()) {
    Fail(ErrorCode::kInvalidBase64,
         "field '" + Name(key) + "' is not valid base64");
    return {};
  }
  return std::move(decoded).value();
}

std::optional<std::vector<std::string>> JsonReader::OptionalStrings(
    std::string_view key) {
  const cJSON* item = Find(key, false);
  if (item == nullptr) return std::nullopt;
  if (!cJSON_IsArray(item)) {
    Fail(ErrorCode::kInvalidArgument,
         "field '" + Name(key) + "' must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  const cJSON* element = nullptr;
  cJSON_ArrayForEach(element, item) {
    if (!cJSON_IsString(element)) {
      Fail(ErrorCode::kInvalidArgument,
           "field '" + Name(key) + "' must be an array of strings");
      return std::nullopt;
    }
    out.emplace_back(element->valuestring);
  }
  return out;
}

std::vector<std::string> JsonReader::Strings(std::string_view key) {
  if (!Has(key)) {
    Find(key, true);
    return {};
  }
  return OptionalStrings(key).value_or(std::vector<std::string>());
}

const cJSON* JsonReader::Object(std::string_view key, bool required) {
  const cJSON* item = Find(key, required);
  if (item != nullptr && !cJSON_IsObject(item)) {
    Fail(ErrorCode::kInvalidArgument,
         "field '" + Name(key) + "' must be an object");
    return nullptr;
  }
  return item;
}

Status JsonReader::Finish() {
  if (!status_.ok() || object_ == nullptr) return status_;
  const cJSON* item = nullptr;
  cJSON_ArrayForEach(item, object_) {
    if (item->string == nullptr || seen_.count(item->string) == 0) {
      return Error(
          ErrorCode::kUnknownField,
          "unknown field '" + Name(item->string ? item->string : "") + "'");
    }
  }
  return Status::Ok();
}

Result<Json> ParseObject(std::string_view text) {
  KMS_ASSIGN_OR_RETURN(Json json, Json::Parse(text));
  if (!cJSON_IsObject(json.get())) {
    return Error(ErrorCode::kMalformedJson, "JSON value must be an object");
  }
  return json;
}

}  // namespace kms
