#include "server/keys/key_service.h"

#include <gtest/gtest.h>

#include "common/time_util.h"
#include "server/crypto/operations.h"
#include "tests/server/server_test_env.h"

namespace kms::testing {
namespace {

class KeyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.allow_short_destroy_wait = true;
    config_.min_rotation_period_seconds = 1;
    keys_ = std::make_unique<KeyService>(&env_.store(), &env_.root(), config_);
    ASSERT_TRUE(keys_->CreateKeyRing("dev", 60, true).ok());
    ASSERT_TRUE(keys_->CreateKeyRing("now", 0, false).ok());
  }
  KeyRecord Create(const std::string& ring, Algorithm algorithm) {
    CreateKeyRequest request;
    request.label = "k";
    request.algorithm = algorithm;
    auto key = keys_->CreateKey(ring, request);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return key.ok() ? *key : KeyRecord{};
  }
  ServerTestEnv env_;
  KeysConfig config_;
  std::unique_ptr<KeyService> keys_;
};

TEST_F(KeyServiceTest, MaterialIsSealedAndBoundToItsPlace) {
  KeyRecord key = Create("dev", Algorithm::kAes256);
  auto version = env_.store().GetVersion("dev", key.id, 1);
  ASSERT_TRUE(version.ok());
  EXPECT_GT(version->sealed_material.size(), 32u);
  // Unsealing with another key's context fails: blobs cannot be moved.
  EXPECT_EQ(env_.root()
                .Unseal(View(version->sealed_material),
                        View(SealContext("dev", key.id, 2)))
                .status()
                .code(),
            ErrorCode::kDecryptFailed);
  EXPECT_TRUE(env_.root()
                  .Unseal(View(version->sealed_material),
                          View(SealContext("dev", key.id, 1)))
                  .ok());
}

TEST_F(KeyServiceTest, RotationKeepsOldVersionsUsable) {
  KeyRecord key = Create("dev", Algorithm::kEcP256);
  auto rotated = keys_->Rotate("dev", key.id);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->primary_version, 2);
  auto primary = keys_->LoadForUse("dev", key.id, std::nullopt, kUsageSign);
  ASSERT_TRUE(primary.ok());
  EXPECT_EQ(primary->version.version, 2);
  auto old = keys_->LoadForUse("dev", key.id, 1, kUsageVerify);
  ASSERT_TRUE(old.ok());
  EXPECT_NE(old->version.public_key_der, primary->version.public_key_der);
}

TEST_F(KeyServiceTest, DisabledAndDestroyedVersionsRefuse) {
  KeyRecord key = Create("dev", Algorithm::kAes128);
  ASSERT_TRUE(keys_->LoadForUse("dev", key.id, 1, kUsageEncrypt).ok());
  ASSERT_TRUE(
      keys_->ChangeVersion("dev", key.id, 1, VersionAction::kDisable).ok());
  EXPECT_EQ(keys_->LoadForUse("dev", key.id, 1, kUsageEncrypt).status().code(),
            ErrorCode::kVersionDisabled);
  ASSERT_TRUE(
      keys_->ChangeVersion("dev", key.id, 1, VersionAction::kEnable).ok());
  auto scheduled =
      keys_->ChangeVersion("dev", key.id, 1, VersionAction::kDestroy);
  ASSERT_TRUE(scheduled.ok());
  EXPECT_EQ(scheduled->state, VersionState::kDestroyScheduled);
  EXPECT_GT(scheduled->destroy_at, NowMillis() + 50 * 1000);
  EXPECT_EQ(keys_->LoadForUse("dev", key.id, 1, kUsageEncrypt).status().code(),
            ErrorCode::kVersionDisabled);
  auto restored =
      keys_->ChangeVersion("dev", key.id, 1, VersionAction::kCancelDestroy);
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->state, VersionState::kEnabled);
  // Not yet due: erasure refuses.
  ASSERT_TRUE(
      keys_->ChangeVersion("dev", key.id, 1, VersionAction::kDestroy).ok());
  auto due = env_.store().GetVersion("dev", key.id, 1);
  EXPECT_EQ(keys_->CompleteDestruction(*due, NowMillis()).code(),
            ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(keys_->CompleteDestruction(*due, due->destroy_at).ok());
  auto destroyed = env_.store().GetVersion("dev", key.id, 1);
  EXPECT_EQ(destroyed->state, VersionState::kDestroyed);
  EXPECT_TRUE(destroyed->sealed_material.empty());
  EXPECT_EQ(keys_->LoadForUse("dev", key.id, 1, kUsageEncrypt).status().code(),
            ErrorCode::kVersionDestroyed);
  EXPECT_EQ(keys_->ChangeVersion("dev", key.id, 1, VersionAction::kEnable)
                .status()
                .code(),
            ErrorCode::kFailedPrecondition);
}

TEST_F(KeyServiceTest, ZeroWaitDestroysAtOnce) {
  KeyRecord key = Create("now", Algorithm::kHmacSha256);
  auto v = keys_->ChangeVersion("now", key.id, 1, VersionAction::kDestroy);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->state, VersionState::kDestroyed);
}

TEST_F(KeyServiceTest, DestroyKeyHidesAndCancelRestores) {
  KeyRecord key = Create("dev", Algorithm::kEd25519);
  ASSERT_TRUE(keys_->DestroyKey("dev", key.id).ok());
  KeyFilter filter;
  auto listed = env_.store().ListKeys("dev", filter);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
  ASSERT_TRUE(keys_->CancelDestroyKey("dev", key.id).ok());
  listed = env_.store().ListKeys("dev", filter);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);
  EXPECT_TRUE(keys_->LoadForUse("dev", key.id, std::nullopt, kUsageSign).ok());
}

TEST_F(KeyServiceTest, UsagesAndImportPolicy) {
  KeyRecord key = Create("dev", Algorithm::kEcP384);
  EXPECT_EQ(
      keys_->LoadForUse("dev", key.id, std::nullopt, kUsageDecrypt).status().code(),
      ErrorCode::kUsageNotAllowed);
  auto material = KeyMaterial::Generate(Algorithm::kAes256);
  ASSERT_TRUE(material.ok());
  CreateKeyRequest request;
  request.label = "imported";
  request.algorithm = Algorithm::kAes256;
  EXPECT_TRUE(keys_->ImportKey("dev", request, *material).ok());
  EXPECT_EQ(keys_->ImportKey("now", request, *material).status().code(),
            ErrorCode::kImportNotAllowed);
  request.usages = kUsageSign;  // AES cannot sign
  EXPECT_EQ(keys_->CreateKey("dev", request).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(KeyServiceTest, NamesAreValidated) {
  EXPECT_FALSE(keys_->CreateKeyRing("bad/name", std::nullopt, false).ok());
  EXPECT_FALSE(keys_->CreateKeyRing("", std::nullopt, false).ok());
  EXPECT_EQ(keys_->CreateKeyRing("dev", std::nullopt, false).status().code(),
            ErrorCode::kAlreadyExists);
  CreateKeyRequest request;
  request.label = "";
  EXPECT_FALSE(keys_->CreateKey("dev", request).ok());
}

}  // namespace
}  // namespace kms::testing
