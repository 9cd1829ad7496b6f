#include "server/kmsctl/env_file.h"

#include <gtest/gtest.h>

#include "tests/kmsctl/test_util.h"

namespace kms::kmsctl {
namespace {

TEST(EnvFileTest, PlainAndQuotedValues) {
  auto env = ParseEnvFile(
      "# written by kmsd --dev\n"
      "\n"
      "KMS_URL=https://127.0.0.1:8443\n"
      "KMS_CA_FILE='/tmp/kms dev/ca.pem'\n"
      "export KMS_ADMIN_CERT=\"/tmp/a \\\"b\\\"/admin.pem\"\n"
      "  KMS_ADMIN_KEY='it'\\''s'   # trailing comment\n"
      "EMPTY=\n"
      "CRLF=value\r\n");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->at("KMS_URL"), "https://127.0.0.1:8443");
  EXPECT_EQ(env->at("KMS_CA_FILE"), "/tmp/kms dev/ca.pem");
  EXPECT_EQ(env->at("KMS_ADMIN_CERT"), "/tmp/a \"b\"/admin.pem");
  EXPECT_EQ(env->at("KMS_ADMIN_KEY"), "it's");
  EXPECT_EQ(env->at("EMPTY"), "");
  EXPECT_EQ(env->at("CRLF"), "value");
  EXPECT_EQ(env->size(), 6u);
}

TEST(EnvFileTest, LaterLinesWin) {
  auto env = ParseEnvFile("A=1\nA=2");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->at("A"), "2");
}

TEST(EnvFileTest, NoExpansion) {
  auto env = ParseEnvFile("A='$HOME'\nB=$HOME");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->at("A"), "$HOME");
  EXPECT_EQ(env->at("B"), "$HOME");
}

TEST(EnvFileTest, ErrorsNameTheLine) {
  for (const char* bad :
       {"A=1\nnot a pair\n", "A=1\n=x\n", "A=1\n1A=x\n", "A=1\nB='open\n",
        "A=1\nB=\"open\n", "A=1\nB=two words\n", "A=1\nB-C=1\n"}) {
    auto env = ParseEnvFile(bad);
    ASSERT_FALSE(env.ok()) << bad;
    EXPECT_EQ(env.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(env.status().message().find("line 2"), std::string::npos)
        << env.status().message();
  }
}

TEST(EnvFileTest, LoadsFromDisk) {
  TempDir dir;
  WriteTextFile(dir.File("env"), "KMS_URL='https://localhost:1'\n");
  auto env = LoadEnvFile(dir.File("env"));
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->at("KMS_URL"), "https://localhost:1");
  auto missing = LoadEnvFile(dir.File("nope"));
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kms::kmsctl
