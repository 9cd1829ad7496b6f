#include <gmock/gmock.h>

#include "tests/storage/store_test_fixture.h"

namespace kms {
namespace {

using ::testing::HasSubstr;

class KeyRingStoreTest : public StoreTest {};

TEST_P(KeyRingStoreTest, CreateGetRoundTrips) {
  KeyRingRecord ring = MakeRing("payments");
  KMS_ASSERT_OK(store_->CreateKeyRing(ring));
  KMS_ASSERT_OK_AND_ASSIGN(KeyRingRecord got, store_->GetKeyRing("payments"));
  EXPECT_EQ(got.name, "payments");
  EXPECT_EQ(got.destroy_wait_seconds, 86400);
  EXPECT_TRUE(got.allow_import);
  EXPECT_EQ(got.created_at, 1700000000123);
}

TEST_P(KeyRingStoreTest, DefaultDestroyWaitIsKept) {
  KeyRingRecord ring = MakeRing("r");
  ring.destroy_wait_seconds = -1;
  ring.allow_import = false;
  KMS_ASSERT_OK(store_->CreateKeyRing(ring));
  KMS_ASSERT_OK_AND_ASSIGN(KeyRingRecord got, store_->GetKeyRing("r"));
  EXPECT_EQ(got.destroy_wait_seconds, -1);
  EXPECT_FALSE(got.allow_import);
}

TEST_P(KeyRingStoreTest, DuplicateIsAlreadyExists) {
  KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("r")));
  Status status = store_->CreateKeyRing(MakeRing("r"));
  EXPECT_EQ(status.code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(status.message(), HasSubstr("'r'"));
}

TEST_P(KeyRingStoreTest, MissingIsNotFoundNamingTheRing) {
  auto got = store_->GetKeyRing("nope");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(got.status().message(), "key ring 'nope' not found");
}

TEST_P(KeyRingStoreTest, ListIsSortedByName) {
  for (const char* name : {"b", "c", "a"}) {
    KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing(name)));
  }
  KMS_ASSERT_OK_AND_ASSIGN(auto rings, store_->ListKeyRings());
  ASSERT_EQ(rings.size(), 3u);
  EXPECT_EQ(rings[0].name, "a");
  EXPECT_EQ(rings[1].name, "b");
  EXPECT_EQ(rings[2].name, "c");
}

TEST_P(KeyRingStoreTest, ListEmpty) {
  KMS_ASSERT_OK_AND_ASSIGN(auto rings, store_->ListKeyRings());
  EXPECT_TRUE(rings.empty());
}

TEST_P(KeyRingStoreTest, UpdateChangesFields) {
  KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("r")));
  KeyRingRecord ring = MakeRing("r");
  ring.destroy_wait_seconds = 60;
  ring.allow_import = false;
  KMS_ASSERT_OK(store_->UpdateKeyRing(ring));
  KMS_ASSERT_OK_AND_ASSIGN(KeyRingRecord got, store_->GetKeyRing("r"));
  EXPECT_EQ(got.destroy_wait_seconds, 60);
  EXPECT_FALSE(got.allow_import);
}

TEST_P(KeyRingStoreTest, UpdateMissingIsNotFound) {
  EXPECT_EQ(store_->UpdateKeyRing(MakeRing("ghost")).code(),
            ErrorCode::kNotFound);
  KMS_ASSERT_OK_AND_ASSIGN(auto rings, store_->ListKeyRings());
  EXPECT_TRUE(rings.empty());  // an update never creates
}

TEST_P(KeyRingStoreTest, NamesAreBoundNotSpliced) {
  const std::string name = "x'); DROP TABLE key_rings; --";
  KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing(name)));
  KMS_ASSERT_OK_AND_ASSIGN(KeyRingRecord got, store_->GetKeyRing(name));
  EXPECT_EQ(got.name, name);
  KMS_ASSERT_OK_AND_ASSIGN(auto rings, store_->ListKeyRings());
  EXPECT_EQ(rings.size(), 1u);
}

KMS_INSTANTIATE_STORE_TEST(KeyRingStoreTest);

}  // namespace
}  // namespace kms
