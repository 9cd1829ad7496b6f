#include <gmock/gmock.h>

#include "tests/storage/store_test_fixture.h"

namespace kms {
namespace {

using ::testing::HasSubstr;

class ObjectStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("ring")));
    KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("other")));
  }
};

void ExpectSameObject(const ObjectRecord& expected, const ObjectRecord& got) {
  EXPECT_EQ(got.key_ring, expected.key_ring);
  EXPECT_EQ(got.id, expected.id);
  EXPECT_EQ(got.object_class, expected.object_class);
  EXPECT_EQ(got.label, expected.label);
  EXPECT_EQ(got.ck_id, expected.ck_id);
  EXPECT_EQ(got.value, expected.value);
  EXPECT_EQ(got.attributes_json, expected.attributes_json);
  EXPECT_EQ(got.created_at, expected.created_at);
}

TEST_P(ObjectStoreTest, CreateGetRoundTrips) {
  ObjectRecord object = MakeObject("ring", "o1");
  KMS_ASSERT_OK(store_->CreateObject(object));
  KMS_ASSERT_OK_AND_ASSIGN(ObjectRecord got, store_->GetObject("ring", "o1"));
  ExpectSameObject(object, got);
  EXPECT_EQ(store_->GetObject("other", "o1").status().code(),
            ErrorCode::kNotFound);
}

TEST_P(ObjectStoreTest, DuplicateAndMissingRing) {
  KMS_ASSERT_OK(store_->CreateObject(MakeObject("ring", "o1")));
  EXPECT_EQ(store_->CreateObject(MakeObject("other", "o1")).code(),
            ErrorCode::kAlreadyExists);
  Status status = store_->CreateObject(MakeObject("nope", "o2"));
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("'nope'"));
}

TEST_P(ObjectStoreTest, ListIsPerRingAndSorted) {
  KMS_ASSERT_OK(store_->CreateObject(MakeObject("ring", "o2")));
  KMS_ASSERT_OK(store_->CreateObject(MakeObject("ring", "o1")));
  KMS_ASSERT_OK(store_->CreateObject(MakeObject("other", "o3")));
  KMS_ASSERT_OK_AND_ASSIGN(auto objects, store_->ListObjects("ring"));
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].id, "o1");
  EXPECT_EQ(objects[1].id, "o2");
  EXPECT_EQ(store_->ListObjects("nope").status().code(), ErrorCode::kNotFound);
}

TEST_P(ObjectStoreTest, UpdateAndDelete) {
  KMS_ASSERT_OK(store_->CreateObject(MakeObject("ring", "o1")));
  ObjectRecord object = MakeObject("ring", "o1");
  object.object_class = "data";
  object.label = "new";
  object.ck_id.clear();
  object.value = {0x42};
  object.attributes_json = "{}";
  KMS_ASSERT_OK(store_->UpdateObject(object));
  KMS_ASSERT_OK_AND_ASSIGN(ObjectRecord got, store_->GetObject("ring", "o1"));
  ExpectSameObject(object, got);

  KMS_ASSERT_OK(store_->DeleteObject("ring", "o1"));
  EXPECT_EQ(store_->GetObject("ring", "o1").status().code(),
            ErrorCode::kNotFound);
  Status again = store_->DeleteObject("ring", "o1");
  EXPECT_EQ(again.code(), ErrorCode::kNotFound);
  EXPECT_THAT(again.message(), HasSubstr("'o1'"));
  EXPECT_EQ(store_->UpdateObject(object).code(), ErrorCode::kNotFound);
}

KMS_INSTANTIATE_STORE_TEST(ObjectStoreTest);

}  // namespace
}  // namespace kms
