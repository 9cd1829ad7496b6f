#include "tests/integration/test_json.h"

#include <openssl/evp.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "common/encoding.h"

namespace kms::testing {

const cJSON* Item(const cJSON* object, const char* name) {
  return cJSON_GetObjectItemCaseSensitive(object, name);
}
const cJSON* Item(const Json& j, const char* name) {
  return Item(j.get(), name);
}

std::string Str(const cJSON* object, const char* name) {
  const cJSON* item = Item(object, name);
  return cJSON_IsString(item) ? item->valuestring : "";
}
std::string Str(const Json& j, const char* name) { return Str(j.get(), name); }

int64_t Num(const cJSON* object, const char* name) {
  const cJSON* item = Item(object, name);
  return cJSON_IsNumber(item) ? static_cast<int64_t>(item->valuedouble) : -1;
}
int64_t Num(const Json& j, const char* name) { return Num(j.get(), name); }

bool Flag(const cJSON* object, const char* name) {
  return cJSON_IsTrue(Item(object, name));
}
bool Flag(const Json& j, const char* name) { return Flag(j.get(), name); }

Bytes B64(const cJSON* object, const char* name) {
  auto decoded = Base64Decode(Str(object, name));
  if (!decoded.ok()) {
    char* text = object != nullptr ? cJSON_PrintUnformatted(object) : nullptr;
    ADD_FAILURE() << "field " << name << " is not base64 in "
                  << (text != nullptr ? text : "null");
    std::free(text);
    return {};
  }
  return *decoded;
}
Bytes B64(const Json& j, const char* name) { return B64(j.get(), name); }

Json Obj() { return Json::Object(); }

Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string DigestB64(const std::string& message) {
  uint8_t digest[32];
  unsigned int len = 0;
  EVP_Digest(message.data(), message.size(), digest, &len, EVP_sha256(),
             nullptr);
  return Base64Encode({digest, len});
}

ErrorCode CodeOf(const Result<Json>& r) {
  return r.ok() ? ErrorCode::kOk : r.status().code();
}

std::string Describe(const Result<Json>& r) {
  return r.ok() ? "OK " + r->Dump() : r.status().ToString();
}

Json Ok(Result<Json> reply) {
  if (!reply.ok()) {
    ADD_FAILURE() << reply.status().ToString();
    return Json::Object();
  }
  return std::move(reply).value();
}

::testing::AssertionResult Fails(const Result<Json>& reply, ErrorCode code) {
  if (reply.ok()) {
    return ::testing::AssertionFailure()
           << "succeeded, expected " << ErrorCodeName(code) << ": "
           << reply->Dump();
  }
  if (reply.status().code() != code) {
    return ::testing::AssertionFailure()
           << "got " << reply.status().ToString() << ", expected "
           << ErrorCodeName(code);
  }
  return ::testing::AssertionSuccess();
}

std::vector<Json> AuditRecords(ApiClient& admin) {
  std::vector<Json> out;
  int64_t after = 0;
  while (true) {
    auto page = admin.Call(
        "GET", "/v1/audit?after=" + std::to_string(after) + "&limit=1000");
    EXPECT_TRUE(page.ok()) << Describe(page);
    if (!page.ok()) return out;
    const cJSON* records = Item(*page, "records");
    int n = cJSON_GetArraySize(records);
    for (int i = 0; i < n; ++i) {
      out.emplace_back(CJsonPtr(
          cJSON_Duplicate(cJSON_GetArrayItem(records, i), /*recurse=*/1)));
      after = Num(out.back(), "seq");
    }
    if (n < 1000) return out;
  }
}

CommandRun RunCommand(const std::string& command) {
  CommandRun run;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    run.output.append(buffer, n);
  }
  int status = pclose(pipe);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

}  // namespace kms::testing
