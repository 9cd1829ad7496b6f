// Small helpers shared by the integration tests: reading fields of kmsd's
// JSON replies, turning call results into test failures or assertions,
// reading the audit trail, and running a command line.
#ifndef KMS_TESTS_INTEGRATION_TEST_JSON_H_
#define KMS_TESTS_INTEGRATION_TEST_JSON_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_client.h"
#include "common/json.h"
#include "common/secure_memory.h"
#include "common/status.h"

namespace kms::testing {

// ---- Fields of a reply ----
// Each takes the object as a Json or as a cJSON node (which may be nullptr).

// Field `name` (nullptr when absent).
const cJSON* Item(const cJSON* object, const char* name);
const cJSON* Item(const Json& j, const char* name);
// A string field; "" when absent or not a string.
std::string Str(const cJSON* object, const char* name);
std::string Str(const Json& j, const char* name);
// A number field, truncated to an integer; -1 when absent or not a number.
int64_t Num(const cJSON* object, const char* name);
int64_t Num(const Json& j, const char* name);
// True only when the field is JSON true.
bool Flag(const cJSON* object, const char* name);
bool Flag(const Json& j, const char* name);
// A base64 string field, decoded; empty, after recording a test failure,
// when it does not decode.
Bytes B64(const cJSON* object, const char* name);
Bytes B64(const Json& j, const char* name);

// ---- Request bodies ----
Json Obj();
Bytes ToBytes(std::string_view s);
// SHA-256 of `message`, base64: a digest to sign.
std::string DigestB64(const std::string& message);

// ---- Call results ----
// The error code of a reply, kOk for a success.
ErrorCode CodeOf(const Result<Json>& r);
// "OK" and the reply, or the error.
std::string Describe(const Result<Json>& r);
// The reply of a call that must succeed (an empty object otherwise, after
// recording the failure).
Json Ok(Result<Json> reply);
// For EXPECT_TRUE: the call failed with exactly `code`.
::testing::AssertionResult Fails(const Result<Json>& reply, ErrorCode code);

// Every audit record, oldest first, read page by page as `admin`. A page
// that cannot be read is a test failure and ends the list there.
std::vector<Json> AuditRecords(ApiClient& admin);

// ---- Commands ----
struct CommandRun {
  int exit_code = -1;  // -1 when it did not run or did not exit normally
  std::string output;  // stdout and stderr together
};
// Runs `command` with /bin/sh, stderr merged into stdout.
CommandRun RunCommand(const std::string& command);

}  // namespace kms::testing

#endif  // KMS_TESTS_INTEGRATION_TEST_JSON_H_
