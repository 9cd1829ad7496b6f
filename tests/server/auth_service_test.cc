#include "server/auth/auth_service.h"

#include <gtest/gtest.h>

#include "server/auth/permissions.h"
#include "server/auth/pin_hash.h"
#include "tests/server/server_test_env.h"

namespace kms::testing {
namespace {

class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.max_pin_attempts = 3;
    config_.scrypt_log2_n = 10;  // fast for tests
    auth_ = std::make_unique<AuthService>(&env_.store(), config_);
    ASSERT_TRUE(env_.store().CreateKeyRing({"dev", -1, false, 0}).ok());
    client_.name = "app";
    client_.role = "application";
    client_.cert_fingerprint = std::string(64, 'a');
    ASSERT_TRUE(env_.store().CreateClient(client_).ok());
    ASSERT_TRUE(auth_->SetPin("app", "dev", SecureString("1234")).ok());
  }
  ServerTestEnv env_;
  AuthConfig config_;
  std::unique_ptr<AuthService> auth_;
  ClientRecord client_;
};

TEST_F(AuthServiceTest, PinHashRoundTrip) {
  auto hash = HashPin(SecureString("secret"), 10);
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->find("secret"), std::string::npos);
  EXPECT_TRUE(CheckPin(SecureString("secret"), *hash).ok());
  EXPECT_EQ(CheckPin(SecureString("secreT"), *hash).code(),
            ErrorCode::kPinIncorrect);
  EXPECT_EQ(CheckPin(SecureString("x"), "garbage").code(),
            ErrorCode::kInternal);
}

TEST_F(AuthServiceTest, LoginIssuesTokenThatValidates) {
  auto issued = auth_->Login(client_, "dev", SecureString("1234"));
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(issued->token.size(), 64u);
  auto record = auth_->ValidateToken(client_, issued->token);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->key_ring, "dev");
  // Only the hash is stored.
  EXPECT_NE(record->token_hash,
            std::string(issued->token.data(), issued->token.size()));
  ClientRecord other = client_;
  other.name = "other";
  EXPECT_EQ(auth_->ValidateToken(other, issued->token).status().code(),
            ErrorCode::kTokenInvalid);
  ASSERT_TRUE(auth_->Logout(*record).ok());
  EXPECT_EQ(auth_->ValidateToken(client_, issued->token).status().code(),
            ErrorCode::kTokenInvalid);
}

TEST_F(AuthServiceTest, WrongPinsLockAndUnlock) {
  EXPECT_EQ(auth_->Login(client_, "dev", SecureString("0000")).status().code(),
            ErrorCode::kPinIncorrect);
  EXPECT_EQ(auth_->GetPinStatus("app", "dev")->failed_attempts, 1);
  EXPECT_EQ(auth_->Login(client_, "dev", SecureString("0000")).status().code(),
            ErrorCode::kPinIncorrect);
  EXPECT_EQ(auth_->Login(client_, "dev", SecureString("0000")).status().code(),
            ErrorCode::kPinLocked);
  // Locked: even the right PIN is refused.
  EXPECT_EQ(auth_->Login(client_, "dev", SecureString("1234")).status().code(),
            ErrorCode::kPinLocked);
  EXPECT_TRUE(auth_->GetPinStatus("app", "dev")->locked);
  ASSERT_TRUE(auth_->Unlock("app", "dev").ok());
  EXPECT_TRUE(auth_->Login(client_, "dev", SecureString("1234")).ok());
}

TEST_F(AuthServiceTest, SuccessResetsFailures) {
  EXPECT_FALSE(auth_->Login(client_, "dev", SecureString("0000")).ok());
  EXPECT_TRUE(auth_->Login(client_, "dev", SecureString("1234")).ok());
  EXPECT_EQ(auth_->GetPinStatus("app", "dev")->failed_attempts, 0);
}

TEST_F(AuthServiceTest, ChangePinChecksOldAndPolicy) {
  EXPECT_EQ(auth_->ChangePin(client_, "dev", SecureString("9999"),
                             SecureString("5678"))
                .code(),
            ErrorCode::kPinIncorrect);
  EXPECT_EQ(auth_->ChangePin(client_, "dev", SecureString("1234"),
                             SecureString("12"))
                .code(),
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(auth_->ChangePin(client_, "dev", SecureString("1234"),
                               SecureString("5678"))
                  .ok());
  EXPECT_TRUE(auth_->Login(client_, "dev", SecureString("5678")).ok());
}

TEST_F(AuthServiceTest, UnknownRingAndUnsetPin) {
  EXPECT_EQ(auth_->Login(client_, "nope", SecureString("1234")).status().code(),
            ErrorCode::kNotFound);
  ASSERT_TRUE(env_.store().CreateKeyRing({"other", -1, false, 0}).ok());
  EXPECT_EQ(
      auth_->Login(client_, "other", SecureString("1234")).status().code(),
      ErrorCode::kPinNotSet);
}

TEST_F(AuthServiceTest, IdentifyClient) {
  ClientIdentity peer;
  EXPECT_EQ(auth_->IdentifyClient(peer).status().code(),
            ErrorCode::kUnauthenticated);
  peer.verified = true;
  peer.fingerprint = std::string(64, 'b');
  EXPECT_EQ(auth_->IdentifyClient(peer).status().code(),
            ErrorCode::kUnauthenticated);
  peer.fingerprint = std::string(64, 'a');
  auto client = auth_->IdentifyClient(peer);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->name, "app");
}

TEST(PermissionsTest, ParseAndName) {
  auto perms = ParsePermissions({"use-sign", "manage"});
  ASSERT_TRUE(perms.ok());
  EXPECT_EQ(*perms, kPermUseSign | kPermManage);
  EXPECT_EQ(PermissionNames(*perms),
            (std::vector<std::string>{"use-sign", "manage"}));
  EXPECT_FALSE(ParsePermissions({"use-everything"}).ok());
}

}  // namespace
}  // namespace kms::testing
