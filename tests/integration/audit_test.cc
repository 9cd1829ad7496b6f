// The audit trail of a real kmsd: a mixed workload verifies, refusals are
// recorded with their codes, no PIN or token is ever written, and edits,
// deletions and reordering done directly in the database are found.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/file_util.h"
#include "common/json.h"
#include "server/dev/pki.h"
#include "tests/integration/kmsd_process.h"
#include "tests/integration/test_json.h"

namespace kms::testing {
namespace {

namespace fs = std::filesystem;

// Distinctive secrets, so that finding one anywhere cannot be a coincidence.
constexpr char kRingPin[] = "Audit-PIN-q7Zx41";
constexpr char kNewRingPin[] = "Audit-PIN-new-Kp93";
constexpr char kWrongPin[] = "Wrong-PIN-m2Vb88";

struct ExpectedRefusal {
  std::string request_id;
  std::string code;
  std::string what;
};

class AuditTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = KmsdProcess::Start("softhsm");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    kmsd_ = started->release();
    running_ = true;
    RunWorkload();
  }
  static void TearDownTestSuite() {
    delete kmsd_;
    kmsd_ = nullptr;
  }
  void SetUp() override {
    if (kmsd_ == nullptr) GTEST_SKIP() << "kmsd did not start";
  }

  static void Remember(std::vector<std::string>* list, const Result<Json>& r,
                       const char* field) {
    if (r.ok()) list->push_back(Str(*r, field));
  }

  static void ExpectRefused(ApiClient& client, const Result<Json>& r,
                            ErrorCode code, const std::string& what) {
    EXPECT_EQ(CodeOf(r), code) << what << ": " << Describe(r);
    refusals_.push_back(
        {client.last_request_id(), std::string(ErrorCodeName(code)), what});
  }

  // Logins, key creation, signing, PIN changes and a handful of refusals.
  static void RunWorkload() {
    auto admin = kmsd_->AdminClient();
    ASSERT_TRUE(
        admin->Call("POST", "/v1/keyrings", Obj().Set("name", "audited")).ok());
    ASSERT_TRUE(
        admin->Call("POST", "/v1/keyrings", Obj().Set("name", "nogrant")).ok());
    Json grant = Obj();
    grant.Set("key_ring", "audited")
        .SetStrings("permissions", {"use-sign", "use-verify", "create"});
    ASSERT_TRUE(admin->Call("POST", "/v1/clients/app/grants", grant).ok());
    for (const char* ring : {"audited", "nogrant"}) {
      Json pin = Obj();
      pin.Set("key_ring", ring).Set("pin", kRingPin);
      ASSERT_TRUE(admin->Call("POST", "/v1/clients/app/pin", pin).ok());
    }

    auto app = kmsd_->AppClient();
    auto login = [&](const std::string& ring, const std::string& pin) {
      Json body = Obj();
      body.Set("key_ring", ring).Set("pin", pin);
      auto r = app->Call("POST", "/v1/auth/login", body);
      Remember(&tokens_, r, "token");
      return r;
    };
    ExpectRefused(*app, login("audited", kWrongPin), ErrorCode::kPinIncorrect,
                  "wrong PIN");
    auto dev = login("dev", kmsd_->env("KMS_USER_PIN"));
    ASSERT_TRUE(dev.ok()) << Describe(dev);
    auto audited = login("audited", kRingPin);
    ASSERT_TRUE(audited.ok()) << Describe(audited);
    Json change = Obj();
    change.Set("key_ring", "audited")
        .Set("old_pin", kRingPin)
        .Set("new_pin", kNewRingPin);
    ASSERT_TRUE(app->Call("POST", "/v1/auth/pin", change).ok());
    app->SetBearerToken(SecureString(Str(*audited, "token").c_str()));
    auto renewed = app->Call("POST", "/v1/auth/renew", Obj());
    ASSERT_TRUE(renewed.ok()) << Describe(renewed);
    Remember(&tokens_, renewed, "token");
    app->SetBearerToken(SecureString(Str(*renewed, "token").c_str()));

    Json create = Obj();
    create.Set("label", "audited-key").Set("algorithm", "EC_P256");
    auto key = app->Call("POST", "/v1/keyrings/audited/keys", create);
    ASSERT_TRUE(key.ok()) << Describe(key);
    std::string key_path = "/v1/keyrings/audited/keys/" + Str(*key, "id");
    for (int i = 0; i < 3; ++i) {
      Json sign = Obj();
      sign.Set("data", DigestB64("message " + std::to_string(i)));
      ASSERT_TRUE(app->Call("POST", key_path + "/sign", sign).ok());
    }

    // Refusals of several kinds.
    Json bad_alg = Obj();
    bad_alg.Set("label", "x").Set("algorithm", "DES_56");
    ExpectRefused(*app, app->Call("POST", "/v1/keyrings/audited/keys", bad_alg),
                  ErrorCode::kUnsupportedAlgorithm, "unknown algorithm");
    ExpectRefused(*app,
                  app->Call("POST", "/v1/keyrings", Obj().Set("name", "mine")),
                  ErrorCode::kPermissionDenied, "app creates a key ring");
    ExpectRefused(*app, app->Call("GET", "/v1/keyrings/dev/keys"),
                  ErrorCode::kTokenInvalid, "token of another key ring");
    Json sign = Obj();
    sign.Set("data", DigestB64("by admin"));
    ExpectRefused(*admin, admin->Call("POST", key_path + "/sign", sign),
                  ErrorCode::kTokenMissing, "admin signs without a token");
    auto nogrant = login("nogrant", kRingPin);
    if (nogrant.ok()) {
      auto other = kmsd_->AppClient();
      other->SetBearerToken(SecureString(Str(*nogrant, "token").c_str()));
      ExpectRefused(*other, other->Call("GET", "/v1/keyrings/nogrant/keys"),
                    ErrorCode::kPermissionDenied, "read without a grant");
    }
    auto dev_ca =
        DevCa::Load(*ReadFile(kmsd_->data_dir() + "/pki/ca.pem"),
                    *ReadSecretFile(kmsd_->data_dir() + "/pki/ca-key.pem"));
    ASSERT_TRUE(dev_ca.ok());
    auto stranger_cert = dev_ca->IssueClient("stranger");
    ASSERT_TRUE(stranger_cert.ok());
    std::string cert_file = kmsd_->data_dir() + "/stranger.pem";
    std::string key_file = kmsd_->data_dir() + "/stranger-key.pem";
    ASSERT_TRUE(WriteFileAtomic(cert_file, stranger_cert->cert_pem, 0600).ok());
    ASSERT_TRUE(WriteFileAtomic(key_file,
                                {stranger_cert->key_pem.data(),
                                 stranger_cert->key_pem.size()},
                                0600)
                    .ok());
    auto stranger = kmsd_->ClientWith(cert_file, key_file);
    ExpectRefused(
        *stranger,
        stranger->Call("POST", "/v1/keyrings", Obj().Set("name", "theirs")),
        ErrorCode::kUnauthenticated, "unregistered certificate");

    auto out = app->Call("POST", "/v1/auth/logout", Obj());
    ASSERT_TRUE(out.ok()) << Describe(out);
  }

  static Result<Json> Verify() {
    return kmsd_->AdminClient()->Call("POST", "/v1/audit/verify",
                                      Obj().Set("after", 0));
  }

  static CommandRun KmsctlVerify() {
    return RunCommand(BuiltBinary("kmsctl") + " --env-file " +
                      kmsd_->data_dir() + "/env audit verify");
  }

  static std::string Db() { return kmsd_->data_dir() + "/kms.db"; }
  static std::string Pristine() { return kmsd_->data_dir() + "/pristine"; }

  // Stops kmsd (once), keeps a copy of the untouched database, and from then
  // on starts every case from that copy.
  static void RestorePristine() {
    if (running_) {
      ASSERT_EQ(kmsd_->Stop(), 0);
      running_ = false;
      fs::create_directories(Pristine());
      for (const char* suffix : {"", "-wal"}) {
        if (fs::exists(Db() + suffix)) {
          fs::copy_file(Db() + suffix, Pristine() + "/kms.db" + suffix,
                        fs::copy_options::overwrite_existing);
        }
      }
    }
    for (const char* suffix : {"", "-wal", "-shm"}) {
      fs::remove(Db() + suffix);
      if (fs::exists(Pristine() + "/kms.db" + suffix)) {
        fs::copy_file(Pristine() + "/kms.db" + suffix, Db() + suffix);
      }
    }
  }

  static void Sql(const std::string& statements) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(Db().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, statements.c_str(), nullptr, nullptr, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    EXPECT_EQ(sqlite3_changes(db) > 0 || rc != SQLITE_OK, true);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  // Restores the pristine database, tampers with it, restarts kmsd and
  // checks that verification fails naming one of `bad_seqs`.
  void ExpectTamperFound(const std::string& sql,
                         const std::vector<int64_t>& bad_seqs) {
    RestorePristine();
    if (HasFatalFailure()) return;
    Sql(sql);
    if (HasFatalFailure()) return;
    Status restarted = kmsd_->Restart();
    ASSERT_TRUE(restarted.ok()) << restarted.ToString();
    running_ = true;
    auto verified = Verify();
    ASSERT_TRUE(verified.ok()) << Describe(verified);
    EXPECT_FALSE(
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(verified->get(), "ok")))
        << verified->Dump();
    int64_t first_bad = Num(*verified, "first_bad_seq");
    EXPECT_NE(std::find(bad_seqs.begin(), bad_seqs.end(), first_bad),
              bad_seqs.end())
        << verified->Dump();
    if (fs::exists(BuiltBinary("kmsctl"))) {
      CommandRun cli = KmsctlVerify();
      EXPECT_EQ(cli.exit_code, 4) << cli.output;
      EXPECT_NE(cli.output.find(std::to_string(first_bad)), std::string::npos)
          << cli.output;
    }
    ASSERT_EQ(kmsd_->Stop(), 0);
    running_ = false;
  }

  // kmsd running; after a tampering case, on the untouched database again.
  static void EnsureRunning() {
    if (running_) return;
    RestorePristine();
    Status restarted = kmsd_->Restart();
    ASSERT_TRUE(restarted.ok()) << restarted.ToString();
    running_ = true;
  }

  // A record in the middle of the workload's trail, fixed on first use.
  static int64_t MiddleSeq() {
    if (middle_seq_ == 0) {
      EnsureRunning();
      auto records = AuditRecords(*kmsd_->AdminClient());
      EXPECT_GE(records.size(), 10u);
      middle_seq_ = static_cast<int64_t>(records.size()) / 2;
    }
    return middle_seq_;
  }

  static KmsdProcess* kmsd_;
  static bool running_;
  static std::vector<std::string> tokens_;
  static std::vector<ExpectedRefusal> refusals_;
  static int64_t middle_seq_;
};

KmsdProcess* AuditTest::kmsd_ = nullptr;
bool AuditTest::running_ = false;
std::vector<std::string> AuditTest::tokens_;
std::vector<ExpectedRefusal> AuditTest::refusals_;
int64_t AuditTest::middle_seq_ = 0;

TEST_F(AuditTest, MixedWorkloadVerifies) {
  EnsureRunning();
  auto records = AuditRecords(*kmsd_->AdminClient());
  ASSERT_GE(records.size(), 15u);
  auto verified = Verify();
  ASSERT_TRUE(verified.ok()) << Describe(verified);
  EXPECT_TRUE(
      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(verified->get(), "ok")))
      << verified->Dump();
  EXPECT_GE(Num(*verified, "checked"), static_cast<int64_t>(records.size()));
  EXPECT_EQ(Num(*verified, "last_seq"), Num(*verified, "total"));
  // Sequence numbers are dense from 1.
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(Num(records[i], "seq"), static_cast<int64_t>(i + 1));
  }
  if (fs::exists(BuiltBinary("kmsctl"))) {
    CommandRun cli = KmsctlVerify();
    EXPECT_EQ(cli.exit_code, 0) << cli.output;
  } else {
    GTEST_LOG_(WARNING) << "kmsctl not built; checked POST /v1/audit/verify";
  }
}

TEST_F(AuditTest, EveryRefusalIsRecordedWithItsCode) {
  EnsureRunning();
  auto records = AuditRecords(*kmsd_->AdminClient());
  ASSERT_GE(refusals_.size(), 6u);
  for (const ExpectedRefusal& refusal : refusals_) {
    const Json* found = nullptr;
    for (const Json& r : records) {
      if (Str(r, "request_id") == refusal.request_id) found = &r;
    }
    ASSERT_NE(found, nullptr) << refusal.what << " (request "
                              << refusal.request_id << ") was not audited";
    EXPECT_EQ(Str(*found, "result"), refusal.code)
        << refusal.what << ": " << found->Dump();
    EXPECT_FALSE(Str(*found, "operation").empty()) << found->Dump();
    EXPECT_FALSE(Str(*found, "client").empty()) << found->Dump();
  }
  // And the successes are there too: logins, key creation, signatures.
  int logins = 0;
  int signs = 0;
  for (const Json& r : records) {
    if (Str(r, "result") != "OK") continue;
    if (Str(r, "operation") == "login") ++logins;
    if (Str(r, "operation") == "sign") ++signs;
  }
  EXPECT_GE(logins, 2);
  EXPECT_EQ(signs, 3);
}

TEST_F(AuditTest, NoPinOrTokenInAuditRecordsLogsOrDatabase) {
  EnsureRunning();
  std::vector<std::string> secrets = {kmsd_->env("KMS_USER_PIN"), kRingPin,
                                      kNewRingPin, kWrongPin};
  ASSERT_GE(tokens_.size(), 3u);
  for (const auto& t : tokens_) {
    ASSERT_GE(t.size(), 16u);
    secrets.push_back(t);
  }
  auto records = AuditRecords(*kmsd_->AdminClient());
  ASSERT_FALSE(records.empty());
  for (const Json& r : records) {
    std::string text = r.Dump();
    for (const auto& secret : secrets) {
      EXPECT_EQ(text.find(secret), std::string::npos)
          << "secret " << secret << " in audit record " << text;
    }
  }
  auto log = ReadFile(kmsd_->data_dir() + "/kmsd.log");
  ASSERT_TRUE(log.ok());
  EXPECT_FALSE(log->empty());
  for (const auto& secret : secrets) {
    EXPECT_EQ(log->find(secret), std::string::npos)
        << "secret " << secret << " in kmsd.log";
  }
  for (const char* suffix : {"", "-wal"}) {
    if (!fs::exists(Db() + suffix)) continue;
    auto db = ReadFile(Db() + suffix);
    ASSERT_TRUE(db.ok());
    for (const auto& secret : secrets) {
      EXPECT_EQ(db->find(secret), std::string::npos)
          << "secret " << secret << " in kms.db" << suffix;
    }
  }
}

TEST_F(AuditTest, EditedOperationIsFound) {
  int64_t k = MiddleSeq();
  ExpectTamperFound("UPDATE audit SET operation = 'key-destroy' WHERE seq = " +
                        std::to_string(k),
                    {k});
}

TEST_F(AuditTest, EditedDetailIsFound) {
  int64_t k = MiddleSeq() + 2;
  ExpectTamperFound("UPDATE audit SET detail = detail || ' ' WHERE seq = " +
                        std::to_string(k),
                    {k});
}

TEST_F(AuditTest, DeletedRecordIsFound) {
  int64_t k = MiddleSeq();
  ExpectTamperFound("DELETE FROM audit WHERE seq = " + std::to_string(k),
                    {k, k + 1});
}

TEST_F(AuditTest, ReorderedRecordsAreFound) {
  int64_t k = MiddleSeq();
  std::string a = std::to_string(k);
  std::string b = std::to_string(k + 1);
  // Swap the two rows' contents, keeping their sequence numbers.
  ExpectTamperFound("UPDATE audit SET seq = 1000000000 WHERE seq = " + a +
                        "; UPDATE audit SET seq = " + a + " WHERE seq = " + b +
                        "; UPDATE audit SET seq = " + b +
                        " WHERE seq = 1000000000;",
                    {k});
}

}  // namespace
}  // namespace kms::testing

namespace kms::testing {
namespace {

// Creates a key and signs with it as the dev app client, then returns
// GET /v1/status.
Json CreateSignAndGetStatus(const KmsdProcess& kmsd) {
  auto app = kmsd.LoggedInApp();
  EXPECT_TRUE(app.ok()) << app.status().ToString();
  if (!app.ok()) return Json();
  Json create = Obj();
  create.Set("label", "audited-or-not").Set("algorithm", "EC_P256");
  auto key = (*app)->Call("POST", "/v1/keyrings/dev/keys", create);
  EXPECT_TRUE(key.ok()) << Describe(key);
  if (!key.ok()) return Json();
  Json sign = Obj();
  sign.Set("data", DigestB64("message"));
  auto signed_ = (*app)->Call(
      "POST", "/v1/keyrings/dev/keys/" + Str(*key, "id") + "/sign", sign);
  EXPECT_TRUE(signed_.ok()) << Describe(signed_);
  auto status = kmsd.AdminClient()->Call("GET", "/v1/status");
  EXPECT_TRUE(status.ok()) << Describe(status);
  return status.ok() ? std::move(status).value() : Json();
}

// `kmsd dev --audit-off` exists to measure what the trail costs: it records
// nothing, and says so in GET /v1/status; a normal kmsd says "on".
TEST(AuditOffTest, DevAuditOffRecordsNothingAndSaysSo) {
  auto off = KmsdProcess::Start("file", {"--audit-off"});
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  Json status = CreateSignAndGetStatus(**off);
  ASSERT_FALSE(status.is_null());
  EXPECT_EQ(Str(status, "audit_trail"), "off");
  EXPECT_EQ(Num(status, "audit_records"), 0);
  EXPECT_TRUE(AuditRecords(*(*off)->AdminClient()).empty());

  auto on = KmsdProcess::Start("file");
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  status = CreateSignAndGetStatus(**on);
  ASSERT_FALSE(status.is_null());
  EXPECT_EQ(Str(status, "audit_trail"), "on");
  EXPECT_GE(Num(status, "audit_records"), 3);  // login, create, sign
}

}  // namespace
}  // namespace kms::testing
