// Runs the built kms-bench in quick mode, as bench/compare --quick does,
// against a fresh SoftHSMv2 token and against the openssl engine, and reads
// its JSON report. No timing assertions: only that it ran, counted, checked.
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "common/json.h"
#include "gtest/gtest.h"

namespace kms::bench {
namespace {

constexpr char kSoftHsmModule[] = "/usr/lib/softhsm/libsofthsm2.so";
constexpr char kOps[] =
    "rsa2048-pkcs1-sign,ecdsa-p256-sign,ed25519-sign,aes256-gcm-encrypt-1k,"
    "aes256-gcm-decrypt-1k,ecdsa-p256-verify,random-32,find-by-label";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class KmsBenchBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "kms-bench-test-XXXXXX")
            .string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs kms-bench with args (and env assignments in front); returns the
  // exit status and keeps the output in dir_/log.
  int RunBench(const std::string& env, const std::string& args) {
    std::string command = env + " '" + std::string(KMS_BENCH_BINARY) + "' " +
                          args + " >'" + dir_ + "/log' 2>&1";
    int rc = std::system(command.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  // The report's results by "op/threads".
  std::map<std::string, cJSON*> Results(const Json& report) {
    std::map<std::string, cJSON*> out;
    cJSON* results = cJSON_GetObjectItemCaseSensitive(report.get(), "results");
    cJSON* item = nullptr;
    cJSON_ArrayForEach(item, results) {
      cJSON* op = cJSON_GetObjectItemCaseSensitive(item, "op");
      cJSON* threads = cJSON_GetObjectItemCaseSensitive(item, "threads");
      if (cJSON_IsString(op) && cJSON_IsNumber(threads)) {
        out[std::string(op->valuestring) + "/" +
            std::to_string(threads->valueint)] = item;
      }
    }
    return out;
  }

  void ExpectMeasuredAndChecked(cJSON* item, const std::string& name) {
    ASSERT_NE(item, nullptr) << name << "\n" << ReadFile(dir_ + "/log");
    cJSON* ops_per_sec = cJSON_GetObjectItemCaseSensitive(item, "ops_per_sec");
    cJSON* errors = cJSON_GetObjectItemCaseSensitive(item, "errors");
    cJSON* checked = cJSON_GetObjectItemCaseSensitive(item, "checked");
    ASSERT_TRUE(cJSON_IsNumber(ops_per_sec)) << name;
    EXPECT_GT(ops_per_sec->valuedouble, 0) << name;
    ASSERT_TRUE(cJSON_IsNumber(errors)) << name;
    EXPECT_EQ(errors->valueint, 0) << name;
    EXPECT_TRUE(cJSON_IsTrue(checked)) << name;
    for (const char* key :
         {"p50_us", "p90_us", "p99_us", "max_us", "cpu_us_per_op"}) {
      cJSON* v = cJSON_GetObjectItemCaseSensitive(item, key);
      ASSERT_TRUE(cJSON_IsNumber(v)) << name << " " << key;
      EXPECT_GE(v->valuedouble, 0) << name << " " << key;
    }
  }

  std::string dir_;
};

TEST_F(KmsBenchBinaryTest, OpenSslEngineQuick) {
  std::string json = dir_ + "/openssl.json";
  ASSERT_EQ(RunBench("", std::string("--engine openssl --threads 1 --warmup 0 "
                                     "--duration 0.2 --ops ") +
                             kOps + " --json '" + json + "'"),
            0)
      << ReadFile(dir_ + "/log");
  Result<Json> report = Json::Parse(ReadFile(json));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::map<std::string, cJSON*> results = Results(*report);
  for (const char* op : {"rsa2048-pkcs1-sign", "ecdsa-p256-sign",
                         "aes256-gcm-encrypt-1k", "ecdsa-p256-verify"}) {
    ExpectMeasuredAndChecked(results[std::string(op) + "/1"], op);
  }
  // The openssl engine has no object store: skipped, not an error.
  cJSON* find = results["find-by-label/1"];
  ASSERT_NE(find, nullptr);
  cJSON* skipped = cJSON_GetObjectItemCaseSensitive(find, "skipped");
  ASSERT_TRUE(cJSON_IsString(skipped));
  EXPECT_STRNE(skipped->valuestring, "");
}

TEST_F(KmsBenchBinaryTest, SoftHsmQuick) {
  if (::access(kSoftHsmModule, R_OK) != 0 ||
      std::system("command -v softhsm2-util >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SoftHSMv2 not installed";
  }
  std::filesystem::create_directory(dir_ + "/tokens");
  std::string conf = dir_ + "/softhsm2.conf";
  std::ofstream(conf) << "directories.tokendir = " << dir_ << "/tokens\n"
                      << "objectstore.backend = file\nlog.level = ERROR\n";
  // SoftHSMv2 2.6.1 leaks an ASN.1 string per Ed25519 signature; in
  // sanitizer builds that is suppressed (full stacks name the module), and
  // only that. Harmless in other builds.
  std::string suppressions = dir_ + "/lsan.supp";
  std::ofstream(suppressions) << "leak:libsofthsm2.so\n";
  std::string env = "SOFTHSM2_CONF='" + conf +
                    "' KMS_BENCH_TEST_PIN=5678 "
                    "ASAN_OPTIONS=\"$ASAN_OPTIONS:fast_unwind_on_malloc=0\" "
                    "LSAN_OPTIONS=\"$LSAN_OPTIONS:suppressions=" +
                    suppressions + ":print_suppressions=0\"";
  ASSERT_EQ(std::system((env + " softhsm2-util --init-token --free --label "
                               "bench --so-pin 1234 --pin 5678 >/dev/null")
                            .c_str()),
            0);
  ASSERT_EQ(RunBench(env, std::string("--module ") + kSoftHsmModule +
                              " --list-slots"),
            0)
      << ReadFile(dir_ + "/log");
  EXPECT_NE(ReadFile(dir_ + "/log").find("token 'bench'"), std::string::npos);

  std::string json = dir_ + "/softhsm.json";
  ASSERT_EQ(RunBench(env, std::string("--module ") + kSoftHsmModule +
                              " --token bench --pin-env KMS_BENCH_TEST_PIN "
                              "--threads 1,2 --warmup 0 --duration 0.2 --ops " +
                              kOps + " --json '" + json + "'"),
            0)
      << ReadFile(dir_ + "/log");
  Result<Json> report = Json::Parse(ReadFile(json));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  cJSON* module = cJSON_GetObjectItemCaseSensitive(report->get(), "module");
  ASSERT_TRUE(cJSON_IsString(module));
  EXPECT_STREQ(module->valuestring, kSoftHsmModule);
  std::map<std::string, cJSON*> results = Results(*report);
  for (const char* op :
       {"rsa2048-pkcs1-sign", "ecdsa-p256-sign", "aes256-gcm-encrypt-1k",
        "aes256-gcm-decrypt-1k", "ecdsa-p256-verify", "find-by-label"}) {
    for (const char* threads : {"/1", "/2"}) {
      ExpectMeasuredAndChecked(results[op + std::string(threads)],
                               op + std::string(threads));
    }
  }

  // Every key the run made was destroyed: the token lists no objects.
  if (std::system("command -v pkcs11-tool >/dev/null 2>&1") == 0) {
    ASSERT_EQ(std::system((env + " pkcs11-tool --module " + kSoftHsmModule +
                           " --login --pin 5678 --token-label bench -O >'" +
                           dir_ + "/objects' 2>&1")
                              .c_str()),
              0)
        << ReadFile(dir_ + "/objects");
    EXPECT_EQ(ReadFile(dir_ + "/objects").find("Object"), std::string::npos)
        << ReadFile(dir_ + "/objects");
  }
}

TEST_F(KmsBenchBinaryTest, BadModuleIsASetupError) {
  EXPECT_EQ(RunBench("",
                     "--module /nonexistent/libnothing.so --token t "
                     "--pin 1 --ops random-32"),
            2);
  EXPECT_NE(ReadFile(dir_ + "/log").find("dlopen"), std::string::npos);
  EXPECT_EQ(RunBench("", "--engine openssl --ops no-such-op"), 2);
}

}  // namespace
}  // namespace kms::bench
