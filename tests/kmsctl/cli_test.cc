// Whole commands run in-process: usage errors (exit 2, nothing sent) and
// connection failures (exit 3). Commands against a real kmsd are covered by
// the integration tests.
#include <gtest/gtest.h>

#include "server/kmsctl/exit_codes.h"
#include "tests/kmsctl/test_util.h"

namespace kms::kmsctl {
namespace {

class CliTest : public ::testing::Test {
 protected:
  // A URL where nothing listens: a command that reached the network would
  // exit 3, so exit 2 proves that nothing was sent.
  std::string url_ =
      "https://127.0.0.1:" + std::to_string(ClosedLoopbackPort());

  std::vector<std::string> With(std::vector<std::string> args) {
    args.push_back("--url");
    args.push_back(url_);
    return args;
  }
};

TEST_F(CliTest, HelpAndVersionSucceed) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"help"},
                                             {"--help"},
                                             {"-h"},
                                             {"help", "key", "create"},
                                             {"key", "create", "--help"},
                                             {"key", "--help"},
                                             {"help", "client"},
                                             {"status", "-h"},
                                             {"--version"}}) {
    RunResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, kExitOk) << args[0] << ": " << r.err;
    EXPECT_FALSE(r.out.empty());
  }
  RunResult r = RunCli({"key", "create", "--help"});
  EXPECT_NE(r.out.find("usage: kmsctl key create --key-ring RING"),
            std::string::npos);
  EXPECT_NE(r.out.find("exit codes"), std::string::npos);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"frobnicate"},
      {"help", "frobnicate"},
      {"key"},
      {"key", "explode"},
      {"status", "extra"},
      {"status", "--nope"},
      {"key", "list"},                                   // --key-ring missing
      {"key", "show", "--key-ring", "dev"},              // KEY_ID missing
      {"key", "show", "--key-ring", "dev", "k1", "k2"},  // one too many
      {"key", "enable", "--key-ring", "dev", "k1"},      // --version required
      {"key", "disable", "--key-ring", "dev", "k1"},
      {"key", "destroy", "--key-ring", "dev", "k1", "--version", "x"},
      {"key", "destroy", "--key-ring", "dev", "k1", "--version", "0"},
      {"key", "create", "--key-ring", "dev", "--label", "l", "--algorithm",
       "EC_P256", "--rotation-period", "soon"},
      {"key", "update", "--key-ring", "dev", "k1"},
      {"keyring", "create", "r", "--destroy-wait", "30x"},
      {"keyring", "create"},
      {"client", "add", "app", "--role", "root", "--subject", "app"},
      {"client", "add", "app", "--role", "application"},
      {"client", "add", "app", "--role", "admin", "--fingerprint", "abc"},
      {"client", "add", "app", "--role", "admin", "--fingerprint",
       std::string(64, 'a'), "--cert", "/nonexistent.pem"},
      {"client", "add", "app", "--role", "admin", "--cert", "/nonexistent.pem"},
      {"client", "grant", "app", "--key-ring", "dev", "--permissions", ","},
      {"client", "grant", "app", "--key-ring", "dev"},
      {"audit", "tail", "--limit", "0"},
      {"audit", "tail", "--limit", "many"},
      {"audit", "verify", "--window", "-5"},
      {"backup"},
      {"restore", "--in", "/nonexistent-backup.json"},
      {"pki", "init"},
  };
  for (const auto& args : cases) {
    RunResult r = RunCli(With(args));
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, kExitUsage) << joined << "\n" << r.err;
    EXPECT_NE(r.err.find("error"), std::string::npos) << joined;
    EXPECT_TRUE(r.out.empty()) << joined;
  }
}

TEST_F(CliTest, NoUrlIsAUsageError) {
  RunResult r = RunCli({"status"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("KMS_URL"), std::string::npos);
}

TEST_F(CliTest, SetPinNeverPromptsWithoutATerminal) {
  RunResult r = RunCli(With({"client", "set-pin", "app", "--key-ring", "dev"}));
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("--pin-file"), std::string::npos);
  // An empty PIN file is refused before anything is sent.
  TempDir dir;
  WriteTextFile(dir.File("pin"), "\n");
  r = RunCli(With({"client", "set-pin", "app", "--key-ring", "dev",
                   "--pin-file", dir.File("pin")}));
  EXPECT_EQ(r.exit_code, kExitUsage);
}

TEST_F(CliTest, RestoreWithoutTerminalNeedsYes) {
  TempDir dir;
  WriteTextFile(dir.File("backup.json"),
                R"({"backup":"AAAA","created_at":0,"schema_version":1})");
  RunResult r = RunCli(With({"restore", "--in", dir.File("backup.json")}));
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("--yes"), std::string::npos);
  // With --yes it goes to the (closed) server.
  r = RunCli(With({"restore", "--yes", "--in", dir.File("backup.json")}));
  EXPECT_EQ(r.exit_code, kExitUnavailable);
}

TEST_F(CliTest, RestoreRefusesAFileThatIsNoBackup) {
  TempDir dir;
  WriteTextFile(dir.File("junk.json"), "{\"other\": 1}");
  RunResult r =
      RunCli(With({"restore", "--yes", "--in", dir.File("junk.json")}));
  EXPECT_EQ(r.exit_code, kExitError);
}

TEST_F(CliTest, BackupRefusesToOverwrite) {
  TempDir dir;
  WriteTextFile(dir.File("backup.json"), "old");
  RunResult r = RunCli(With({"backup", "--out", dir.File("backup.json")}));
  EXPECT_EQ(r.exit_code, kExitError);
  EXPECT_NE(r.err.find("--force"), std::string::npos);
  r = RunCli(With({"backup", "--force", "--out", dir.File("backup.json")}));
  EXPECT_EQ(r.exit_code, kExitUnavailable);
}

TEST_F(CliTest, ClosedPortExitsThree) {
  const std::vector<std::vector<std::string>> cases = {
      {"status"},
      {"--json", "status"},
      {"client", "list"},
      {"keyring", "list"},
      {"key", "list", "--key-ring", "dev"},
      {"key", "destroy", "--key-ring", "dev", "k1"},
      {"key", "enable", "--key-ring", "dev", "k1", "--version", "2"},
      {"audit", "tail"},
      {"audit", "verify"},
      {"client", "add", "app", "--role", "application", "--subject", "app"},
  };
  for (const auto& args : cases) {
    RunResult r = RunCli(With(args));
    EXPECT_EQ(r.exit_code, kExitUnavailable) << args[0] << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("error: UNAVAILABLE: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("(request id "), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST_F(CliTest, EveryUrlIsTriedForReads) {
  std::string second =
      "https://127.0.0.1:" + std::to_string(ClosedLoopbackPort());
  RunResult r = RunCli({"status", "--url", url_ + "," + second});
  EXPECT_EQ(r.exit_code, kExitUnavailable);
  EXPECT_NE(r.err.find(second), std::string::npos) << r.err;
}

TEST_F(CliTest, ConnectionSettingsFromEnvAndEnvFile) {
  RunResult r = RunCli({"status"}, {{"KMS_URL", url_}});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << r.err;
  TempDir dir;
  WriteTextFile(dir.File("env"), "KMS_URL='" + url_ + "'\n");
  r = RunCli({"--env-file", dir.File("env"), "status"});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << r.err;
  WriteTextFile(dir.File("bad-env"), "KMS_URL='unterminated\n");
  r = RunCli({"--env-file", dir.File("bad-env"), "status"});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.err;
}

TEST_F(CliTest, GlobalFlagsMayPrecedeTheCommand) {
  RunResult r =
      RunCli({"--url", url_, "--json", "key", "list", "--key-ring", "dev"});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << r.err;
  r = RunCli({"--url=" + url_, "keyring", "list"});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << r.err;
}

}  // namespace
}  // namespace kms::kmsctl
