#include "common/json.h"

#include <gtest/gtest.h>

namespace kms {
namespace {

TEST(JsonTest, BuildsAndDumps) {
  Json j = Json::Object();
  j.Set("a", "x").Set("n", int64_t{42}).Set("b", true);
  j.SetBase64("bin", View(std::string_view("hi")));
  EXPECT_EQ(j.Dump(), R"({"a":"x","n":42,"b":true,"bin":"aGk="})");
}

// Dump prints into a buffer sized from the tree; strings made of escapes
// outgrow that estimate, and cJSON then sizes the text itself.
TEST(JsonTest, DumpsStringsThatNeedManyEscapes) {
  std::string control(300, '\x01');
  std::string quotes(300, '"');
  Json j = Json::Object();
  j.Set("c", control).Set("q", quotes).Set("e", "");
  const std::string text = j.Dump();
  EXPECT_EQ(text.size(), std::string(R"({"c":"","q":"","e":""})").size() +
                             300 * 6 + 300 * 2);
  EXPECT_EQ(std::string(j.DumpSecure().c_str()), text);
  auto parsed = Json::Parse(text);
  ASSERT_TRUE(parsed.ok());
  JsonReader reader(parsed->get());
  EXPECT_EQ(reader.String("c"), control);
  EXPECT_EQ(reader.String("q"), quotes);
  EXPECT_EQ(reader.String("e"), "");
  EXPECT_TRUE(reader.Finish().ok());
}

TEST(JsonTest, LargeBase64RoundTrips) {
  Bytes data(3 * 1024 * 1024 + 1);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7 + i / 251);
  Json j = Json::Object();
  j.SetBase64("data", data).Set("n", int64_t{-7});
  auto parsed = Json::Parse(j.DumpSecure());
  ASSERT_TRUE(parsed.ok());
  JsonReader reader(parsed->get());
  EXPECT_TRUE(reader.Base64("data") == data);
  EXPECT_EQ(reader.Int("n"), -7);
  EXPECT_TRUE(reader.Finish().ok());
}

TEST(JsonTest, RejectsMalformedAndTrailing) {
  EXPECT_EQ(Json::Parse("{").status().code(), ErrorCode::kMalformedJson);
  EXPECT_EQ(Json::Parse("{} x").status().code(), ErrorCode::kMalformedJson);
  EXPECT_TRUE(Json::Parse(" {} \n").ok());
  EXPECT_EQ(ParseObject("[1]").status().code(), ErrorCode::kMalformedJson);
}

TEST(JsonReaderTest, ReadsTypedFields) {
  auto j = ParseObject(
      R"({"s":"v","i":7,"b":false,"d":"aGk=","l":["x","y"],"o":{}})");
  ASSERT_TRUE(j.ok());
  JsonReader r(j->get());
  EXPECT_EQ(r.String("s"), "v");
  EXPECT_EQ(r.Int("i"), 7);
  EXPECT_FALSE(r.Bool("b", true));
  EXPECT_EQ(r.Base64("d"), (Bytes{'h', 'i'}));
  EXPECT_EQ(r.Strings("l"), (std::vector<std::string>{"x", "y"}));
  EXPECT_NE(r.Object("o", true), nullptr);
  EXPECT_FALSE(r.OptionalString("missing").has_value());
  EXPECT_TRUE(r.Finish().ok());
}

TEST(JsonReaderTest, ReportsFirstProblem) {
  struct Case {
    const char* body;
    ErrorCode code;
  };
  for (const Case& c :
       {Case{R"({"i":"7"})", ErrorCode::kInvalidArgument},
        Case{R"({"i":7.5})", ErrorCode::kInvalidArgument},
        Case{R"({})", ErrorCode::kInvalidArgument},
        Case{R"({"i":7,"x":1})", ErrorCode::kUnknownField},
        Case{R"({"i":7,"d":"%%"})", ErrorCode::kInvalidBase64}}) {
    auto j = ParseObject(c.body);
    ASSERT_TRUE(j.ok());
    JsonReader r(j->get());
    r.Int("i");
    r.OptionalBase64("d");
    Status s = r.Finish();
    EXPECT_EQ(s.code(), c.code) << c.body << " " << s.ToString();
  }
}

TEST(JsonReaderTest, UnknownFieldNamesTheField) {
  auto j = ParseObject(R"({"labl":"x"})");
  ASSERT_TRUE(j.ok());
  JsonReader r(j->get());
  r.OptionalString("label");
  Status s = r.Finish();
  EXPECT_EQ(s.code(), ErrorCode::kUnknownField);
  EXPECT_NE(s.message().find("labl"), std::string::npos);
}

}  // namespace
}  // namespace kms
