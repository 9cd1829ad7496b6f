// kmsctl and kmsd's own command line against a real kmsd: exit codes,
// output, and an online backup restored into the same server.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <array>
#include <filesystem>

#include "common/file_util.h"
#include "tests/integration/kmsd_process.h"

namespace kms::testing {
namespace {

struct CommandRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

CommandRun Shell(const std::string& command) {
  CommandRun run;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf;
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    run.out.append(buf.data(), n);
  }
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

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
    return Shell(BuiltBinary("kmsctl") + " --env-file " + kmsd_->data_dir() +
                 "/env " + args);
  }
  std::string CreateKey(const std::string& label) {
    CommandRun created = Kmsctl("--json key create --key-ring dev --label " + label +
                         " --algorithm AES_256");
    EXPECT_EQ(created.exit_code, 0) << created.out;
    size_t at = created.out.find("\"id\":\"");
    EXPECT_NE(at, std::string::npos) << created.out;
    return at == std::string::npos ? "" : created.out.substr(at + 6, 17);
  }
  static KmsdProcess* kmsd_;
};
KmsdProcess* KmsctlTest::kmsd_ = nullptr;

TEST_F(KmsctlTest, StatusWarnsAboutFileRoot) {
  CommandRun status = Kmsctl("status");
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_NE(status.out.find("not HSM-backed"), std::string::npos)
      << status.out;
}

TEST_F(KmsctlTest, KeyLifecycle) {
  std::string id = CreateKey("cli-key");
  ASSERT_EQ(id.size(), 17u);
  CommandRun rotated = Kmsctl("key rotate --key-ring dev " + id);
  EXPECT_EQ(rotated.exit_code, 0) << rotated.out;
  CommandRun shown = Kmsctl("key show --key-ring dev " + id);
  EXPECT_EQ(shown.exit_code, 0) << shown.out;
  EXPECT_NE(shown.out.find("ENABLED"), std::string::npos) << shown.out;
  CommandRun destroyed = Kmsctl("key destroy --key-ring dev " + id + " --version 1");
  EXPECT_EQ(destroyed.exit_code, 0) << destroyed.out;
  shown = Kmsctl("key show --key-ring dev " + id);
  EXPECT_NE(shown.out.find("DESTROY_SCHEDULED"), std::string::npos)
      << shown.out;
  CommandRun cancelled =
      Kmsctl("key cancel-destroy --key-ring dev " + id + " --version 1");
  EXPECT_EQ(cancelled.exit_code, 0) << cancelled.out;
  shown = Kmsctl("key show --key-ring dev " + id);
  EXPECT_EQ(shown.out.find("DESTROY_SCHEDULED"), std::string::npos)
      << shown.out;
}

TEST_F(KmsctlTest, ServerErrorsExitOne) {
  CommandRun missing = Kmsctl("key show --key-ring dev k0000000000000000");
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
  EXPECT_NE(missing.out.find("NOT_FOUND"), std::string::npos) << missing.out;
  CommandRun bad_algorithm =
      Kmsctl("key create --key-ring dev --label x --algorithm DES");
  EXPECT_EQ(bad_algorithm.exit_code, 1) << bad_algorithm.out;
  EXPECT_NE(bad_algorithm.out.find("UNSUPPORTED_ALGORITHM"), std::string::npos);
}

TEST_F(KmsctlTest, UsageErrorExitsTwo) {
  EXPECT_EQ(Kmsctl("key frobnicate").exit_code, 2);
}

TEST_F(KmsctlTest, ClientsAndGrants) {
  CommandRun added = Kmsctl("client add ci-app --role application --subject ci-app");
  EXPECT_EQ(added.exit_code, 0) << added.out;
  CommandRun granted = Kmsctl(
      "client grant ci-app --key-ring dev --permissions use-sign,use-verify");
  EXPECT_EQ(granted.exit_code, 0) << granted.out;
  CommandRun listed = Kmsctl("client list");
  EXPECT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_NE(listed.out.find("ci-app"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("use-sign"), std::string::npos) << listed.out;
  CommandRun duplicate =
      Kmsctl("client add ci-app --role application --subject ci-app");
  EXPECT_EQ(duplicate.exit_code, 1) << duplicate.out;
}

TEST_F(KmsctlTest, AuditTailAndVerify) {
  CommandRun tail = Kmsctl("audit tail --limit 5");
  EXPECT_EQ(tail.exit_code, 0) << tail.out;
  CommandRun verify = Kmsctl("audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

TEST_F(KmsctlTest, BackupAndRestoreRoundTrip) {
  std::string before = CreateKey("before-backup");
  std::string file = kmsd_->data_dir() + "/backup.json";
  CommandRun backup = Kmsctl("backup --out " + file);
  ASSERT_EQ(backup.exit_code, 0) << backup.out;
  std::string after = CreateKey("after-backup");
  CommandRun restore = Kmsctl("restore --in " + file + " --yes");
  ASSERT_EQ(restore.exit_code, 0) << restore.out;
  EXPECT_EQ(Kmsctl("key show --key-ring dev " + before).exit_code, 0);
  EXPECT_EQ(Kmsctl("key show --key-ring dev " + after).exit_code, 1);
  CommandRun verify = Kmsctl("audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

TEST_F(KmsctlTest, BackupFromAnotherRootIsRefused) {
  auto other = KmsdProcess::Start("file");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::string file = (*other)->data_dir() + "/backup.json";
  CommandRun backup = Shell(BuiltBinary("kmsctl") + " --env-file " +
                     (*other)->data_dir() + "/env backup --out " + file);
  ASSERT_EQ(backup.exit_code, 0) << backup.out;
  CommandRun restore = Kmsctl("restore --in " + file + " --yes");
  EXPECT_EQ(restore.exit_code, 1) << restore.out;
  EXPECT_NE(restore.out.find("DECRYPT_FAILED"), std::string::npos)
      << restore.out;
}

TEST(KmsdCommandLineTest, InvalidConfigNamesTheField) {
  char tmpl[] = "/tmp/kmsd-config-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/kmsd.json";
  ASSERT_TRUE(WriteFileAtomic(path,
                              R"({"tls":{"cert_file":"a","key_file":"b",)"
                              R"("client_ca_file":"c"},"auth":{"token_ttl":5}})",
                              0600)
                  .ok());
  CommandRun run = Shell(BuiltBinary("kmsd") + " --config " + path);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("auth.token_ttl"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(path), std::string::npos) << run.out;
  CommandRun usage = Shell(BuiltBinary("kmsd") + " --bogus");
  EXPECT_EQ(usage.exit_code, 2) << usage.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kms::testing
