#include "server/config/server_config.h"

#include <gtest/gtest.h>

namespace kms {
namespace {

constexpr char kMinimal[] =
    R"({"tls":{"cert_file":"s.pem","key_file":"k.pem","client_ca_file":"ca.pem"}})";

TEST(ServerConfigTest, DefaultsAndRelativePaths) {
  auto config = ParseServerConfig(kMinimal, "/etc/kms");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->tls.cert_file, "/etc/kms/s.pem");
  EXPECT_EQ(config->storage.path, "/etc/kms/kms.db");
  EXPECT_EQ(config->root_of_trust.backend, "file");
  EXPECT_EQ(config->root_of_trust.file_path, "/etc/kms/root.key");
  EXPECT_EQ(config->keys.destroy_wait_seconds, 30 * 86400);
  EXPECT_EQ(config->auth.max_pin_attempts, 5);
  EXPECT_EQ(config->http.listen, "127.0.0.1:8443");
  EXPECT_EQ(config->http.max_body_bytes, 1 << 20);
  EXPECT_EQ(config->http.max_data_bytes, 8 << 20);
  EXPECT_FALSE(config->audit_off_for_benchmark);
}

TEST(ServerConfigTest, ErrorsNameTheField) {
  struct Case {
    std::string json;
    std::string field;
  };
  const std::string tls =
      R"("tls":{"cert_file":"s","key_file":"k","client_ca_file":"c"})";
  for (const Case& c : {
           Case{"{}", "tls"},
           Case{"{" + tls + R"(,"http":{"listen":"nope"}})", "http.listen"},
           Case{"{" + tls + R"(,"http":{"max_body_bytes":"big"}})",
                "http.max_body_bytes"},
           Case{"{" + tls + R"(,"http":{"max_data_bytes":10}})",
                "http.max_data_bytes"},
           Case{"{" + tls + R"(,"auth":{"max_pin_attempts":0}})",
                "auth.max_pin_attempts"},
           Case{"{" + tls + R"(,"keys":{"destroy_wait_seconds":60}})",
                "keys.destroy_wait_seconds"},
           Case{"{" + tls + R"(,"root_of_trust":{"backend":"tpm"}})",
                "root_of_trust.backend"},
           Case{"{" + tls + R"(,"root_of_trust":{"backend":"pkcs11"}})",
                "root_of_trust.pkcs11_module"},
           Case{"{" + tls + R"(,"storage":{"pth":"x"}})", "storage.pth"},
           Case{"{" + tls + R"(,"log_level":"loud"})", "log_level"},
           Case{"{" + tls + R"(,"bogus":1})", "bogus"},
       }) {
    auto config = ParseServerConfig(c.json, "");
    ASSERT_FALSE(config.ok()) << c.json;
    EXPECT_NE(config.status().message().find(c.field), std::string::npos)
        << c.json << " -> " << config.status().message();
  }
}

TEST(ServerConfigTest, ShortDestroyWaitOnlyWhenAllowed) {
  std::string json =
      R"({"tls":{"cert_file":"s","key_file":"k","client_ca_file":"c"},)"
      R"("keys":{"allow_short_destroy_wait":true,"destroy_wait_seconds":0}})";
  auto config = ParseServerConfig(json, "");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->keys.destroy_wait_seconds, 0);
}

TEST(ServerConfigTest, MissingFileIsNamed) {
  auto config = LoadServerConfig("/nonexistent/kmsd.json");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("/nonexistent/kmsd.json"),
            std::string::npos);
}

TEST(ServerConfigTest, ListenAddresses) {
  std::string host;
  int port = 0;
  EXPECT_TRUE(ParseListenAddress("[::1]:0", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  EXPECT_FALSE(ParseListenAddress("host:99999", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress(":80", &host, &port).ok());
}

}  // namespace
}  // namespace kms
