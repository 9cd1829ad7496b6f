#include "server/kmsctl/connection.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/kmsctl/test_util.h"

namespace kms::kmsctl {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<FlagDef> GlobalDefs() {
  return {RepeatableFlag("url", "URL", ""),
          OptionalFlag("ca", "FILE", ""),
          OptionalFlag("cert", "FILE", ""),
          OptionalFlag("key", "FILE", ""),
          OptionalFlag("admin-cert", "FILE", ""),
          OptionalFlag("admin-key", "FILE", ""),
          OptionalFlag("env-file", "FILE", ""),
          OptionalFlag("timeout", "DURATION", "")};
}

Result<ConnectionSettings> Resolve(const std::vector<std::string>& args,
                                   std::map<std::string, std::string> env,
                                   const std::vector<FlagDef>& own = {}) {
  std::vector<FlagDef> defs = GlobalDefs();
  for (const auto& def : own) {
    std::erase_if(defs, [&](const FlagDef& d) { return d.name == def.name; });
    defs.push_back(def);
  }
  auto flags = ParseFlags(args, defs);
  if (!flags.ok()) return flags.status();
  return ResolveConnectionSettings(*flags, own, FakeEnv(std::move(env)), 30);
}

class ConnectionSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name :
         {"ca.pem", "cert.pem", "key.pem", "a.pem", "b.pem", "client.pem"}) {
      WriteTextFile(dir_.File(name), "x");
    }
  }
  TempDir dir_;
};

TEST_F(ConnectionSettingsTest, FlagsBeatEnvFileBeatEnvironment) {
  WriteTextFile(dir_.File("env"), "KMS_URL=https://from-file:1\nKMS_CA_FILE=" +
                                      dir_.File("a.pem") + "\n");
  auto settings =
      Resolve({"--env-file", dir_.File("env"), "--url", "https://flag:1/"},
              {{"KMS_URL", "https://env:1"},
               {"KMS_CA_FILE", dir_.File("b.pem")},
               {"KMS_ADMIN_CERT", dir_.File("cert.pem")},
               {"KMS_ADMIN_KEY", dir_.File("key.pem")}});
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->urls, std::vector<std::string>{"https://flag:1"});
  EXPECT_EQ(settings->ca_file, dir_.File("a.pem"));
  EXPECT_EQ(settings->cert_file, dir_.File("cert.pem"));
  EXPECT_EQ(settings->key_file, dir_.File("key.pem"));
  EXPECT_EQ(settings->timeout_seconds, 30);
}

TEST_F(ConnectionSettingsTest, UrlListsFromEnvironment) {
  auto settings =
      Resolve({"--timeout", "2m"}, {{"KMS_URL", "https://a:1,https://b:2//"}});
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->urls,
            (std::vector<std::string>{"https://a:1", "https://b:2"}));
  EXPECT_EQ(settings->timeout_seconds, 120);
}

TEST_F(ConnectionSettingsTest, UsageErrors) {
  std::vector<std::vector<std::string>> bad = {
      {},                                                       // no URL
      {"--url", "http://plain:80"},                             // not HTTPS
      {"--url", "https://a", "--cert", dir_.File("cert.pem")},  // no key
      {"--url", "https://a", "--ca", dir_.File("missing.pem")},
      {"--url", "https://a", "--timeout", "0"},
      {"--url", "https://a", "--env-file", dir_.File("missing-env")},
  };
  for (const auto& args : bad) {
    auto settings = Resolve(args, {});
    ASSERT_FALSE(settings.ok());
    EXPECT_EQ(settings.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST_F(ConnectionSettingsTest, CommandsMayShadowCert) {
  // "client add --cert" names the new client's certificate; the admin's
  // comes from --admin-cert or the environment.
  std::vector<FlagDef> own = {OptionalFlag("cert", "FILE", "")};
  auto settings =
      Resolve({"--url", "https://a", "--cert", dir_.File("client.pem")},
              {{"KMS_ADMIN_CERT", dir_.File("cert.pem")},
               {"KMS_ADMIN_KEY", dir_.File("key.pem")}},
              own);
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->cert_file, dir_.File("cert.pem"));
  settings = Resolve(
      {"--url", "https://a", "--cert", dir_.File("client.pem"), "--admin-cert",
       dir_.File("a.pem"), "--admin-key", dir_.File("b.pem")},
      {}, own);
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->cert_file, dir_.File("a.pem"));
  EXPECT_EQ(settings->key_file, dir_.File("b.pem"));
}

TEST(UrlTest, EscapesPathSegmentsAndQueries) {
  EXPECT_EQ(UrlEscape("dev-ring_1.x~"), "dev-ring_1.x~");
  EXPECT_EQ(UrlEscape("a/b c?&="), "a%2Fb%20c%3F%26%3D");
  EXPECT_EQ(UrlEscape("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(WithQuery("/v1/x",
                      {{"label", "web tls"}, {"after", ""}, {"limit", "100"}}),
            "/v1/x?label=web%20tls&limit=100");
  EXPECT_EQ(WithQuery("/v1/x", {}), "/v1/x");
}

}  // namespace
}  // namespace kms::kmsctl
