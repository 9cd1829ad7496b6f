#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "common/json.h"
#include "server/http/error_body.h"
#include "server/http/http_server.h"

namespace kms {
namespace {

TEST(HttpStatusForTest, MapsEveryCode) {
  const std::vector<std::pair<ErrorCode, int>> expected = {
      {ErrorCode::kInvalidArgument, 400},
      {ErrorCode::kMalformedJson, 400},
      {ErrorCode::kUnknownField, 400},
      {ErrorCode::kInvalidBase64, 400},
      {ErrorCode::kUnsupportedAlgorithm, 400},
      {ErrorCode::kDigestLengthInvalid, 400},
      {ErrorCode::kDataInvalid, 400},
      {ErrorCode::kDecryptFailed, 400},
      {ErrorCode::kSignatureInvalid, 400},
      {ErrorCode::kUsageNotAllowed, 400},
      {ErrorCode::kUnauthenticated, 401},
      {ErrorCode::kTokenMissing, 401},
      {ErrorCode::kTokenInvalid, 401},
      {ErrorCode::kTokenExpired, 401},
      {ErrorCode::kPinIncorrect, 401},
      {ErrorCode::kPermissionDenied, 403},
      {ErrorCode::kPinLocked, 403},
      {ErrorCode::kNotExportable, 403},
      {ErrorCode::kImportNotAllowed, 403},
      {ErrorCode::kNotFound, 404},
      {ErrorCode::kAlreadyExists, 409},
      {ErrorCode::kFailedPrecondition, 409},
      {ErrorCode::kVersionDisabled, 409},
      {ErrorCode::kPinNotSet, 409},
      {ErrorCode::kVersionDestroyed, 410},
      {ErrorCode::kPayloadTooLarge, 413},
      {ErrorCode::kUnavailable, 503},
      {ErrorCode::kInternal, 500},
  };
  // Every code but kOk is listed once.
  EXPECT_EQ(expected.size(), static_cast<size_t>(ErrorCode::kInternal));
  for (const auto& [code, status] : expected) {
    EXPECT_EQ(HttpStatusFor(code), status) << ErrorCodeName(code);
  }
}

TEST(ErrorBodyTest, HasCodeMessageAndRequestId) {
  std::string text =
      ErrorBody(Error(ErrorCode::kNotFound, "no key \"k1\""), "req-1");
  auto json = ParseObject(text);
  ASSERT_TRUE(json.ok()) << text;
  const cJSON* error = cJSON_GetObjectItemCaseSensitive(json->get(), "error");
  ASSERT_TRUE(cJSON_IsObject(error));
  EXPECT_STREQ(cJSON_GetObjectItemCaseSensitive(error, "code")->valuestring,
               "NOT_FOUND");
  EXPECT_STREQ(cJSON_GetObjectItemCaseSensitive(error, "message")->valuestring,
               "no key \"k1\"");
  EXPECT_STREQ(
      cJSON_GetObjectItemCaseSensitive(error, "request_id")->valuestring,
      "req-1");
}

}  // namespace
}  // namespace kms
