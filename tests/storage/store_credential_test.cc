// PINs (failure counting) and bearer tokens (expiry).
#include "tests/storage/store_test_fixture.h"

namespace kms {
namespace {

class CredentialStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    KMS_ASSERT_OK(store_->CreateClient(MakeClient("app")));
    KMS_ASSERT_OK(store_->CreateClient(MakeClient("other")));
    KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("ring")));
  }

  static PinRecord Pin(const std::string& client, const std::string& hash) {
    return PinRecord{client, "ring", hash, 0, 1700000004000};
  }
  static TokenRecord Token(const std::string& hash, int64_t expires_at) {
    return TokenRecord{hash, "app", "ring", expires_at, 1700000005000};
  }
};

TEST_P(CredentialStoreTest, SetPinUpserts) {
  KMS_ASSERT_OK(store_->SetPin(Pin("app", "scrypt$1")));
  KMS_ASSERT_OK_AND_ASSIGN(PinRecord got, store_->GetPin("app", "ring"));
  EXPECT_EQ(got.client, "app");
  EXPECT_EQ(got.key_ring, "ring");
  EXPECT_EQ(got.pin_hash, "scrypt$1");
  EXPECT_EQ(got.failed_attempts, 0);
  EXPECT_EQ(got.updated_at, 1700000004000);

  PinRecord changed = Pin("app", "scrypt$2");
  changed.failed_attempts = 2;
  changed.updated_at = 1700000009000;
  KMS_ASSERT_OK(store_->SetPin(changed));
  KMS_ASSERT_OK_AND_ASSIGN(PinRecord again, store_->GetPin("app", "ring"));
  EXPECT_EQ(again.pin_hash, "scrypt$2");
  EXPECT_EQ(again.failed_attempts, 2);
  EXPECT_EQ(again.updated_at, 1700000009000);
}

TEST_P(CredentialStoreTest, PinErrors) {
  EXPECT_EQ(store_->GetPin("app", "ring").status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->SetPin(Pin("ghost", "h")).code(), ErrorCode::kNotFound);
  PinRecord bad_ring = Pin("app", "h");
  bad_ring.key_ring = "nope";
  EXPECT_EQ(store_->SetPin(bad_ring).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->RecordPinFailure("app", "ring").status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->ResetPinFailures("app", "ring").code(),
            ErrorCode::kNotFound);
}

TEST_P(CredentialStoreTest, PinFailuresCountAndReset) {
  KMS_ASSERT_OK(store_->SetPin(Pin("app", "h")));
  KMS_ASSERT_OK(store_->SetPin(Pin("other", "h")));
  for (int expected = 1; expected <= 3; ++expected) {
    KMS_ASSERT_OK_AND_ASSIGN(int count,
                             store_->RecordPinFailure("app", "ring"));
    EXPECT_EQ(count, expected);
  }
  KMS_ASSERT_OK_AND_ASSIGN(PinRecord app, store_->GetPin("app", "ring"));
  EXPECT_EQ(app.failed_attempts, 3);
  KMS_ASSERT_OK_AND_ASSIGN(PinRecord other, store_->GetPin("other", "ring"));
  EXPECT_EQ(other.failed_attempts, 0);  // counters are per client

  KMS_ASSERT_OK(store_->ResetPinFailures("app", "ring"));
  KMS_ASSERT_OK_AND_ASSIGN(PinRecord reset, store_->GetPin("app", "ring"));
  EXPECT_EQ(reset.failed_attempts, 0);
  EXPECT_EQ(reset.pin_hash, "h");
  KMS_ASSERT_OK_AND_ASSIGN(int next, store_->RecordPinFailure("app", "ring"));
  EXPECT_EQ(next, 1);
}

TEST_P(CredentialStoreTest, TokenStoreGetDelete) {
  KMS_ASSERT_OK(store_->StoreToken(Token("t1", 1700000010000)));
  KMS_ASSERT_OK_AND_ASSIGN(TokenRecord got, store_->GetToken("t1"));
  EXPECT_EQ(got.token_hash, "t1");
  EXPECT_EQ(got.client, "app");
  EXPECT_EQ(got.key_ring, "ring");
  EXPECT_EQ(got.expires_at, 1700000010000);
  EXPECT_EQ(got.created_at, 1700000005000);

  EXPECT_EQ(store_->StoreToken(Token("t1", 1)).code(),
            ErrorCode::kAlreadyExists);
  TokenRecord orphan = Token("t2", 1);
  orphan.client = "ghost";
  EXPECT_EQ(store_->StoreToken(orphan).code(), ErrorCode::kNotFound);

  KMS_ASSERT_OK(store_->DeleteToken("t1"));
  EXPECT_EQ(store_->GetToken("t1").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->DeleteToken("t1").code(), ErrorCode::kNotFound);
}

TEST_P(CredentialStoreTest, DeleteExpiredTokensKeepsLiveOnes) {
  const int64_t now = 1700000010000;
  KMS_ASSERT_OK(store_->StoreToken(Token("old", now - 1)));
  KMS_ASSERT_OK(store_->StoreToken(Token("boundary", now)));
  KMS_ASSERT_OK(store_->StoreToken(Token("live", now + 1)));
  KMS_ASSERT_OK(store_->DeleteExpiredTokens(now));
  EXPECT_EQ(store_->GetToken("old").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetToken("boundary").status().code(), ErrorCode::kNotFound);
  KMS_EXPECT_OK(store_->GetToken("live"));
  // Nothing left to expire is not an error.
  KMS_EXPECT_OK(store_->DeleteExpiredTokens(now));
}

KMS_INSTANTIATE_STORE_TEST(CredentialStoreTest);

}  // namespace
}  // namespace kms
