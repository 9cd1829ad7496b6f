#include "server/audit/audit_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/server/server_test_env.h"

namespace kms::testing {
namespace {

AuditEvent Event(const std::string& op) {
  AuditEvent e;
  e.request_id = "req-" + op;
  e.client = "app";
  e.operation = op;
  e.key_ring = "dev";
  e.key_id = "k1";
  e.version = 1;
  return e;
}

void Exec(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error),
            SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(handle);
}

class AuditLogTest : public ::testing::Test {
 protected:
  void Fill(int n) {
    AuditLog log(&env_.store(), &env_.root());
    ASSERT_TRUE(log.Init().ok());
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(log.Append(Event("op" + std::to_string(i))).ok());
    }
  }
  AuditVerifyResult VerifyAll() {
    AuditLog log(&env_.store(), &env_.root());
    EXPECT_TRUE(log.Init().ok());
    auto result = log.Verify(0, 1000);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : AuditVerifyResult{};
  }
  ServerTestEnv env_;
};

TEST_F(AuditLogTest, ChainVerifiesAndContinuesAcrossRestarts) {
  Fill(5);
  Fill(5);  // a new AuditLog picks up the tail
  AuditVerifyResult result = VerifyAll();
  EXPECT_TRUE(result.ok) << result.reason;
  EXPECT_EQ(result.checked, 10);
  EXPECT_EQ(result.last_seq, 10);
}

TEST_F(AuditLogTest, VerifiesInWindows) {
  Fill(10);
  AuditLog log(&env_.store(), &env_.root());
  ASSERT_TRUE(log.Init().ok());
  auto first = log.Verify(0, 4);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->ok);
  EXPECT_EQ(first->last_seq, 4);
  auto second = log.Verify(4, 100);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->ok);
  EXPECT_EQ(second->checked, 6);
}

TEST_F(AuditLogTest, EditedRecordIsNamed) {
  Fill(6);
  env_.CloseStore();
  Exec(env_.db_path(),
       "UPDATE audit SET operation = 'forged' WHERE seq = 3");
  env_.ReopenStore();
  AuditVerifyResult result = VerifyAll();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 3);
}

TEST_F(AuditLogTest, DeletedRecordIsNamed) {
  Fill(6);
  env_.CloseStore();
  Exec(env_.db_path(), "DELETE FROM audit WHERE seq = 4");
  env_.ReopenStore();
  AuditVerifyResult result = VerifyAll();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 4);
}

TEST_F(AuditLogTest, TruncationNoticedByRunningLog) {
  AuditLog log(&env_.store(), &env_.root());
  ASSERT_TRUE(log.Init().ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(log.Append(Event("x")).ok());
  Exec(env_.db_path(), "DELETE FROM audit WHERE seq = 4");
  auto result = log.Verify(0, 100);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->first_bad_seq, 4);
}

TEST_F(AuditLogTest, OtherRootOfTrustDoesNotVerify) {
  Fill(2);
  auto other = OpenFileRootOfTrust(env_.dir() + "/other.key", true);
  ASSERT_TRUE(other.ok());
  AuditLog log(&env_.store(), other->get());
  ASSERT_TRUE(log.Init().ok());
  auto result = log.Verify(0, 10);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->first_bad_seq, 1);
}

}  // namespace
}  // namespace kms::testing
