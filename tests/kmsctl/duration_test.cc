#include "server/kmsctl/duration.h"

#include <gtest/gtest.h>

namespace kms::kmsctl {
namespace {

TEST(DurationTest, PlainSecondsAndSuffixes) {
  EXPECT_EQ(*ParseDuration("0"), 0);
  EXPECT_EQ(*ParseDuration("90"), 90);
  EXPECT_EQ(*ParseDuration("90s"), 90);
  EXPECT_EQ(*ParseDuration("15m"), 900);
  EXPECT_EQ(*ParseDuration("12h"), 43200);
  EXPECT_EQ(*ParseDuration("30d"), 2592000);
  EXPECT_EQ(*ParseDuration("007"), 7);
}

TEST(DurationTest, RejectsMalformed) {
  for (const char* bad : {"", "d", "-5", "+5", "5x", "1.5h", "5 d", " 5", "5dd",
                          "h5", "5D", "0x10"}) {
    auto parsed = ParseDuration(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument) << bad;
    }
  }
}

TEST(DurationTest, RejectsOverflow) {
  EXPECT_FALSE(ParseDuration("99999999999999999999").ok());
  EXPECT_FALSE(ParseDuration("106751991167301d").ok());
  EXPECT_TRUE(ParseDuration("106751991167300d").ok());
}

TEST(DurationTest, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(59), "59s");
  EXPECT_EQ(FormatDuration(90), "90s");
  EXPECT_EQ(FormatDuration(5400), "90m");
  EXPECT_EQ(FormatDuration(7200), "2h");
  EXPECT_EQ(FormatDuration(2592000), "30d");
  EXPECT_EQ(*ParseDuration(FormatDuration(93784)), 93784);
}

}  // namespace
}  // namespace kms::kmsctl
