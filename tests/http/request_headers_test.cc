#include "server/http/request_headers.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace kms {
namespace {

std::string Plain(const SecureString& s) {
  return std::string(s.data(), s.size());
}

TEST(RequestIdTest, AcceptsSaneIds) {
  EXPECT_TRUE(IsSaneRequestId("a"));
  EXPECT_TRUE(IsSaneRequestId("Req-1.2_3"));
  EXPECT_TRUE(IsSaneRequestId(std::string(64, 'x')));
  EXPECT_EQ(RequestIdFrom("abc-123"), "abc-123");
}

TEST(RequestIdTest, ReplacesInsaneIds) {
  EXPECT_FALSE(IsSaneRequestId(""));
  EXPECT_FALSE(IsSaneRequestId(std::string(65, 'x')));
  EXPECT_FALSE(IsSaneRequestId("a b"));
  EXPECT_FALSE(IsSaneRequestId("a\r\nX-Evil: 1"));
  EXPECT_FALSE(IsSaneRequestId("caf\xc3\xa9"));
  std::string generated = RequestIdFrom("bad id");
  EXPECT_NE(generated, "bad id");
  EXPECT_TRUE(IsSaneRequestId(generated));
  std::string other = RequestIdFrom(nullptr);
  EXPECT_TRUE(IsSaneRequestId(other));
  EXPECT_NE(generated, other);
}

TEST(BearerTokenTest, ParsesBearerScheme) {
  EXPECT_EQ(Plain(BearerTokenFrom("Bearer tok-123")), "tok-123");
  EXPECT_EQ(Plain(BearerTokenFrom("bearer tok-123")), "tok-123");
  EXPECT_EQ(Plain(BearerTokenFrom("BEARER   tok-123  ")), "tok-123");
}

TEST(BearerTokenTest, IgnoresOtherSchemesAndJunk) {
  EXPECT_TRUE(BearerTokenFrom(nullptr).empty());
  EXPECT_TRUE(BearerTokenFrom("").empty());
  EXPECT_TRUE(BearerTokenFrom("Bearer").empty());
  EXPECT_TRUE(BearerTokenFrom("Bearer ").empty());
  EXPECT_TRUE(BearerTokenFrom("Basic dXNlcjpwYXNz").empty());
  EXPECT_TRUE(BearerTokenFrom("Bearertok").empty());
}

TEST(ContentLengthTest, Parses) {
  EXPECT_FALSE(ContentLengthFrom(nullptr).has_value());
  EXPECT_EQ(ContentLengthFrom("0"), 0u);
  EXPECT_EQ(ContentLengthFrom("1048576"), 1048576u);
  EXPECT_EQ(ContentLengthFrom("99999999999999999999999"),
            std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(ContentLengthFrom("12x"), std::numeric_limits<uint64_t>::max());
}

}  // namespace
}  // namespace kms
