// kmsctl and kmsd's own command line against a real kmsd: exit codes,
// output, and an online backup restored into the same server.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "common/file_util.h"
#include "tests/integration/kmsd_process.h"
#include "tests/integration/test_json.h"

namespace kms::testing {
namespace {

class KmsctlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = KmsdProcess::Start("file");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    kmsd_ = std::move(started).value().release();
  }
  static void TearDownTestSuite() {
    delete kmsd_;
    kmsd_ = nullptr;
  }
  CommandRun Kmsctl(const std::string& args) {
    return RunCommand(BuiltBinary("kmsctl") + " --env-file " +
                      kmsd_->data_dir() + "/env " + args);
  }
  std::string CreateKey(const std::string& label) {
    CommandRun created = Kmsctl("--json key create --key-ring dev --label " +
                                label + " --algorithm AES_256");
    EXPECT_EQ(created.exit_code, 0) << created.output;
    size_t at = created.output.find("\"id\":\"");
    EXPECT_NE(at, std::string::npos) << created.output;
    return at == std::string::npos ? "" : created.output.substr(at + 6, 17);
  }
  static KmsdProcess* kmsd_;
};
KmsdProcess* KmsctlTest::kmsd_ = nullptr;

TEST_F(KmsctlTest, StatusWarnsAboutFileRoot) {
  CommandRun status = Kmsctl("status");
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("not HSM-backed"), std::string::npos)
      << status.output;
}

TEST_F(KmsctlTest, KeyLifecycle) {
  std::string id = CreateKey("cli-key");
  ASSERT_EQ(id.size(), 17u);
  CommandRun rotated = Kmsctl("key rotate --key-ring dev " + id);
  EXPECT_EQ(rotated.exit_code, 0) << rotated.output;
  CommandRun shown = Kmsctl("key show --key-ring dev " + id);
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("ENABLED"), std::string::npos) << shown.output;
  CommandRun destroyed =
      Kmsctl("key destroy --key-ring dev " + id + " --version 1");
  EXPECT_EQ(destroyed.exit_code, 0) << destroyed.output;
  shown = Kmsctl("key show --key-ring dev " + id);
  EXPECT_NE(shown.output.find("DESTROY_SCHEDULED"), std::string::npos)
      << shown.output;
  CommandRun cancelled =
      Kmsctl("key cancel-destroy --key-ring dev " + id + " --version 1");
  EXPECT_EQ(cancelled.exit_code, 0) << cancelled.output;
  shown = Kmsctl("key show --key-ring dev " + id);
  EXPECT_EQ(shown.output.find("DESTROY_SCHEDULED"), std::string::npos)
      << shown.output;
}

TEST_F(KmsctlTest, ServerErrorsExitOne) {
  CommandRun missing = Kmsctl("key show --key-ring dev k0000000000000000");
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("NOT_FOUND"), std::string::npos)
      << missing.output;
  CommandRun bad_algorithm =
      Kmsctl("key create --key-ring dev --label x --algorithm DES");
  EXPECT_EQ(bad_algorithm.exit_code, 1) << bad_algorithm.output;
  EXPECT_NE(bad_algorithm.output.find("UNSUPPORTED_ALGORITHM"),
            std::string::npos);
}

TEST_F(KmsctlTest, UsageErrorExitsTwo) {
  EXPECT_EQ(Kmsctl("key frobnicate").exit_code, 2);
}

TEST_F(KmsctlTest, ClientsAndGrants) {
  CommandRun added =
      Kmsctl("client add ci-app --role application --subject ci-app");
  EXPECT_EQ(added.exit_code, 0) << added.output;
  CommandRun granted = Kmsctl(
      "client grant ci-app --key-ring dev --permissions use-sign,use-verify");
  EXPECT_EQ(granted.exit_code, 0) << granted.output;
  CommandRun listed = Kmsctl("client list");
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("ci-app"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("use-sign"), std::string::npos) << listed.output;
  CommandRun duplicate =
      Kmsctl("client add ci-app --role application --subject ci-app");
  EXPECT_EQ(duplicate.exit_code, 1) << duplicate.output;
}

TEST_F(KmsctlTest, AuditTailAndVerify) {
  CommandRun tail = Kmsctl("audit tail --limit 5");
  EXPECT_EQ(tail.exit_code, 0) << tail.output;
  CommandRun verify = Kmsctl("audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_F(KmsctlTest, BackupAndRestoreRoundTrip) {
  std::string before = CreateKey("before-backup");
  std::string file = kmsd_->data_dir() + "/backup.json";
  CommandRun backup = Kmsctl("backup --out " + file);
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  std::string after = CreateKey("after-backup");
  CommandRun restore = Kmsctl("restore --in " + file + " --yes");
  ASSERT_EQ(restore.exit_code, 0) << restore.output;
  EXPECT_EQ(Kmsctl("key show --key-ring dev " + before).exit_code, 0);
  EXPECT_EQ(Kmsctl("key show --key-ring dev " + after).exit_code, 1);
  CommandRun verify = Kmsctl("audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_F(KmsctlTest, BackupFromAnotherRootIsRefused) {
  auto other = KmsdProcess::Start("file");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::string file = (*other)->data_dir() + "/backup.json";
  CommandRun backup =
      RunCommand(BuiltBinary("kmsctl") + " --env-file " + (*other)->data_dir() +
                 "/env backup --out " + file);
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  CommandRun restore = Kmsctl("restore --in " + file + " --yes");
  EXPECT_EQ(restore.exit_code, 1) << restore.output;
  EXPECT_NE(restore.output.find("DECRYPT_FAILED"), std::string::npos)
      << restore.output;
}

TEST(KmsdCommandLineTest, InvalidConfigNamesTheField) {
  char tmpl[] = "/tmp/kmsd-config-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/kmsd.json";
  ASSERT_TRUE(
      WriteFileAtomic(path,
                      R"({"tls":{"cert_file":"a","key_file":"b",)"
                      R"("client_ca_file":"c"},"auth":{"token_ttl":5}})",
                      0600)
          .ok());
  CommandRun run = RunCommand(BuiltBinary("kmsd") + " --config " + path);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("auth.token_ttl"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(path), std::string::npos) << run.output;
  CommandRun usage = RunCommand(BuiltBinary("kmsd") + " --bogus");
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kms::testing
