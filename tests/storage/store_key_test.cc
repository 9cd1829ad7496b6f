#include <gmock/gmock.h>

#include "tests/storage/store_test_fixture.h"

namespace kms {
namespace {

using ::testing::HasSubstr;

class KeyStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("ring")));
    KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("other")));
  }
};

TEST_P(KeyStoreTest, CreateKeyStoresKeyAndFirstVersion) {
  KeyRecord key = MakeKey("ring", "k1");
  KeyVersionRecord first = MakeVersion("ring", "k1", 1);
  KMS_ASSERT_OK(store_->CreateKey(key, first));

  KMS_ASSERT_OK_AND_ASSIGN(KeyRecord got, store_->GetKey("ring", "k1"));
  ExpectSameKey(key, got);
  KMS_ASSERT_OK_AND_ASSIGN(KeyVersionRecord version,
                           store_->GetVersion("ring", "k1", 1));
  ExpectSameVersion(first, version);
}

TEST_P(KeyStoreTest, EmptyBlobsRoundTripAsEmpty) {
  KeyVersionRecord first = MakeVersion("ring", "k1", 1);
  first.sealed_material.clear();
  first.public_key_der.clear();
  KMS_ASSERT_OK(store_->CreateKey(MakeKey("ring", "k1"), first));
  KMS_ASSERT_OK_AND_ASSIGN(KeyVersionRecord got,
                           store_->GetVersion("ring", "k1", 1));
  EXPECT_TRUE(got.sealed_material.empty());
  EXPECT_TRUE(got.public_key_der.empty());
}

TEST_P(KeyStoreTest, DuplicateIdIsAlreadyExistsEvenInAnotherRing) {
  KMS_ASSERT_OK(
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
  Status same_ring =
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1));
  EXPECT_EQ(same_ring.code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(same_ring.message(), HasSubstr("'k1'"));
  Status other_ring =
      store_->CreateKey(MakeKey("other", "k1"), MakeVersion("other", "k1", 1));
  EXPECT_EQ(other_ring.code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->GetKey("other", "k1").status().code(),
            ErrorCode::kNotFound);
}

TEST_P(KeyStoreTest, CreateKeyInMissingRingIsNotFound) {
  Status status =
      store_->CreateKey(MakeKey("nope", "k1"), MakeVersion("nope", "k1", 1));
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("key ring 'nope'"));
}

TEST_P(KeyStoreTest, CreateKeyRejectsAForeignFirstVersion) {
  Status status =
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k2", 1));
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->GetKey("ring", "k1").status().code(), ErrorCode::kNotFound);
}

TEST_P(KeyStoreTest, GetKeyChecksTheRing) {
  KMS_ASSERT_OK(
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
  auto got = store_->GetKey("other", "k1");
  EXPECT_EQ(got.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(got.status().message(), HasSubstr("'k1'"));
  EXPECT_THAT(got.status().message(), HasSubstr("'other'"));
}

TEST_P(KeyStoreTest, UpdateKeyChangesEveryMutableField) {
  KMS_ASSERT_OK(
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
  KeyRecord key = MakeKey("ring", "k1", "renamed");
  key.algorithm = "AES_256";
  key.usages = 3;
  key.rotation_period_seconds = 3600;
  key.next_rotation_at = 1800000000000;
  key.exportable = false;
  key.imported = false;
  key.primary_version = 7;
  key.deleted = true;
  KMS_ASSERT_OK(store_->UpdateKey(key));
  KMS_ASSERT_OK_AND_ASSIGN(KeyRecord got, store_->GetKey("ring", "k1"));
  ExpectSameKey(key, got);
}

TEST_P(KeyStoreTest, UpdateMissingKeyIsNotFound) {
  EXPECT_EQ(store_->UpdateKey(MakeKey("ring", "ghost")).code(),
            ErrorCode::kNotFound);
}

TEST_P(KeyStoreTest, AddVersionUpdatesKeyTogether) {
  KMS_ASSERT_OK(
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
  KeyRecord key = MakeKey("ring", "k1");
  key.primary_version = 2;
  key.next_rotation_at = 1900000000000;
  KeyVersionRecord second = MakeVersion("ring", "k1", 2);
  KMS_ASSERT_OK(store_->AddVersion(key, second));

  KMS_ASSERT_OK_AND_ASSIGN(KeyRecord got, store_->GetKey("ring", "k1"));
  EXPECT_EQ(got.primary_version, 2);
  EXPECT_EQ(got.next_rotation_at, 1900000000000);
  KMS_ASSERT_OK_AND_ASSIGN(KeyVersionRecord version,
                           store_->GetVersion("ring", "k1", 2));
  ExpectSameVersion(second, version);
}

TEST_P(KeyStoreTest, FailedAddVersionLeavesKeyUnchanged) {
  KMS_ASSERT_OK(
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
  KeyRecord key = MakeKey("ring", "k1");
  key.primary_version = 9;
  // Version 1 exists: the insert fails and the key update must roll back.
  Status status = store_->AddVersion(key, MakeVersion("ring", "k1", 1));
  EXPECT_EQ(status.code(), ErrorCode::kAlreadyExists);
  KMS_ASSERT_OK_AND_ASSIGN(KeyRecord got, store_->GetKey("ring", "k1"));
  EXPECT_EQ(got.primary_version, 1);
}

TEST_P(KeyStoreTest, AddVersionToMissingKeyIsNotFound) {
  EXPECT_EQ(store_
                ->AddVersion(MakeKey("ring", "ghost"),
                             MakeVersion("ring", "ghost", 2))
                .code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetVersion("ring", "ghost", 2).status().code(),
            ErrorCode::kNotFound);
}

TEST_P(KeyStoreTest, ListVersionsInOrder) {
  KMS_ASSERT_OK(
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
  for (int v : {3, 2, 10}) {
    KeyRecord key = MakeKey("ring", "k1");
    key.primary_version = v;
    KMS_ASSERT_OK(store_->AddVersion(key, MakeVersion("ring", "k1", v)));
  }
  KMS_ASSERT_OK_AND_ASSIGN(auto versions, store_->ListVersions("ring", "k1"));
  ASSERT_EQ(versions.size(), 4u);
  EXPECT_EQ(versions[0].version, 1);
  EXPECT_EQ(versions[1].version, 2);
  EXPECT_EQ(versions[2].version, 3);
  EXPECT_EQ(versions[3].version, 10);
}

TEST_P(KeyStoreTest, ListVersionsOfMissingKeyIsNotFound) {
  EXPECT_EQ(store_->ListVersions("ring", "ghost").status().code(),
            ErrorCode::kNotFound);
}

TEST_P(KeyStoreTest, UpdateVersionDestroysMaterial) {
  KMS_ASSERT_OK(
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
  KeyVersionRecord version = MakeVersion("ring", "k1", 1);
  version.state = VersionState::kDestroyed;
  version.state_before_destroy = VersionState::kEnabled;
  version.sealed_material.clear();
  version.destroy_at = 1700000100000;
  version.destroyed_at = 1700000100001;
  KMS_ASSERT_OK(store_->UpdateVersion(version));
  KMS_ASSERT_OK_AND_ASSIGN(KeyVersionRecord got,
                           store_->GetVersion("ring", "k1", 1));
  ExpectSameVersion(version, got);
}

TEST_P(KeyStoreTest, UpdateMissingVersionIsNotFound) {
  KMS_ASSERT_OK(
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
  Status status = store_->UpdateVersion(MakeVersion("ring", "k1", 5));
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("version 5"));
}

TEST_P(KeyStoreTest, EveryStateRoundTrips) {
  KMS_ASSERT_OK(
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
  for (VersionState state :
       {VersionState::kEnabled, VersionState::kDisabled,
        VersionState::kDestroyScheduled, VersionState::kDestroyed}) {
    KeyVersionRecord version = MakeVersion("ring", "k1", 1);
    version.state = state;
    version.state_before_destroy = state;
    KMS_ASSERT_OK(store_->UpdateVersion(version));
    KMS_ASSERT_OK_AND_ASSIGN(KeyVersionRecord got,
                             store_->GetVersion("ring", "k1", 1));
    EXPECT_EQ(got.state, state);
    EXPECT_EQ(got.state_before_destroy, state);
  }
}

TEST(VersionStateTest, NamesRoundTrip) {
  for (VersionState state :
       {VersionState::kEnabled, VersionState::kDisabled,
        VersionState::kDestroyScheduled, VersionState::kDestroyed}) {
    VersionState parsed = VersionState::kEnabled;
    ASSERT_TRUE(ParseVersionState(VersionStateName(state), &parsed));
    EXPECT_EQ(parsed, state);
  }
  EXPECT_STREQ(VersionStateName(VersionState::kDestroyScheduled),
               "DESTROY_SCHEDULED");
  VersionState untouched = VersionState::kDisabled;
  EXPECT_FALSE(ParseVersionState("enabled", &untouched));
  EXPECT_FALSE(ParseVersionState("", &untouched));
  EXPECT_EQ(untouched, VersionState::kDisabled);
}

KMS_INSTANTIATE_STORE_TEST(KeyStoreTest);

}  // namespace
}  // namespace kms
