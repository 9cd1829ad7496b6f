#include "server/kmsctl/flags.h"

#include <gtest/gtest.h>

namespace kms::kmsctl {
namespace {

const std::vector<FlagDef>& Defs() {
  static const std::vector<FlagDef> defs = {
      RequiredFlag("key-ring", "RING", "ring"),
      OptionalFlag("label", "LABEL", "label"),
      RepeatableFlag("url", "URL", "urls"),
      SwitchFlag("json", "json"),
      SwitchFlag("help", "help"),
  };
  return defs;
}

TEST(FlagsTest, ValuesSwitchesAndPositionals) {
  auto parsed = ParseFlags(
      {"--key-ring", "dev", "k1", "--label=web=tls", "--json", "k2"}, Defs());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Get("key-ring"), "dev");
  EXPECT_EQ(parsed->Get("label"), "web=tls");
  EXPECT_TRUE(parsed->Has("json"));
  EXPECT_FALSE(parsed->Has("help"));
  EXPECT_EQ(parsed->Get("missing"), std::nullopt);
  EXPECT_EQ(parsed->GetOr("missing", "x"), "x");
  EXPECT_EQ(parsed->positional(), (std::vector<std::string>{"k1", "k2"}));
}

TEST(FlagsTest, ValueMayLookLikeAFlagWhenSeparate) {
  auto parsed = ParseFlags({"--label", "--odd"}, Defs());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Get("label"), "--odd");
}

TEST(FlagsTest, EmptyInlineValueIsAValue) {
  auto parsed = ParseFlags({"--label="}, Defs());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Get("label"), "");
}

TEST(FlagsTest, RepeatableFlagsAndCommaLists) {
  auto parsed =
      ParseFlags({"--url", "https://a, https://b,", "--url=https://c"}, Defs());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->GetList("url"),
            (std::vector<std::string>{"https://a", "https://b", "https://c"}));
  EXPECT_TRUE(parsed->GetList("label").empty());
}

TEST(FlagsTest, DoubleDashEndsFlagsAndDashIsPositional) {
  auto parsed = ParseFlags({"--", "--json", "-"}, Defs());
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->Has("json"));
  EXPECT_EQ(parsed->positional(), (std::vector<std::string>{"--json", "-"}));
}

TEST(FlagsTest, ShortHelp) {
  auto parsed = ParseFlags({"-h"}, Defs());
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->Has("help"));
}

TEST(FlagsTest, UsageErrors) {
  const std::vector<std::vector<std::string>> bad = {
      {"--nope"},                       // unknown
      {"-x"},                           // unknown short flag
      {"--label"},                      // missing value
      {"--json=yes"},                   // switch with a value
      {"--label", "a", "--label", "b"}  // not repeatable
  };
  for (const auto& args : bad) {
    auto parsed = ParseFlags(args, Defs());
    ASSERT_FALSE(parsed.ok()) << args[0];
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(FlagsTest, RequiredFlags) {
  auto parsed = ParseFlags({"--label", "x"}, Defs());
  ASSERT_TRUE(parsed.ok());
  Status status = CheckRequired(*parsed, Defs());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.message().find("--key-ring"), std::string::npos);
  auto complete = ParseFlags({"--key-ring", "dev"}, Defs());
  ASSERT_TRUE(complete.ok());
  EXPECT_TRUE(CheckRequired(*complete, Defs()).ok());
}

TEST(FlagsTest, SplitListAndCounts) {
  EXPECT_EQ(SplitList(" use-sign , use-verify,,"),
            (std::vector<std::string>{"use-sign", "use-verify"}));
  EXPECT_TRUE(SplitList("").empty());
  EXPECT_EQ(*ParseCount("limit", "5000"), 5000);
  EXPECT_FALSE(ParseCount("limit", "").ok());
  EXPECT_FALSE(ParseCount("limit", "-1").ok());
  EXPECT_FALSE(ParseCount("limit", "+1").ok());
  EXPECT_FALSE(ParseCount("limit", "10k").ok());
  EXPECT_FALSE(ParseCount("limit", "99999999999999999999").ok());
}

}  // namespace
}  // namespace kms::kmsctl
