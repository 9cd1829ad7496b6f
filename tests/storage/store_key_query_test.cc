// Listing with filters and paging, and the scheduler's queries.
#include <gmock/gmock.h>

#include "tests/storage/store_test_fixture.h"

namespace kms {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Ids(const std::vector<KeyRecord>& keys) {
  std::vector<std::string> ids;
  for (const KeyRecord& key : keys) ids.push_back(key.id);
  return ids;
}

class KeyQueryStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("ring")));
    KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("other")));
  }

  void AddKey(const KeyRecord& key) {
    KMS_ASSERT_OK(store_->CreateKey(key, MakeVersion(key.key_ring, key.id, 1)));
  }
};

TEST_P(KeyQueryStoreTest, ListKeysPagesInIdOrder) {
  for (const char* id : {"k05", "k01", "k04", "k02", "k03"}) {
    AddKey(MakeKey("ring", id));
  }
  AddKey(MakeKey("other", "k00"));  // another ring never shows up

  KeyFilter filter;
  filter.limit = 2;
  KMS_ASSERT_OK_AND_ASSIGN(auto page1, store_->ListKeys("ring", filter));
  EXPECT_THAT(Ids(page1), ElementsAre("k01", "k02"));
  filter.after_id = page1.back().id;
  KMS_ASSERT_OK_AND_ASSIGN(auto page2, store_->ListKeys("ring", filter));
  EXPECT_THAT(Ids(page2), ElementsAre("k03", "k04"));
  filter.after_id = page2.back().id;
  KMS_ASSERT_OK_AND_ASSIGN(auto page3, store_->ListKeys("ring", filter));
  EXPECT_THAT(Ids(page3), ElementsAre("k05"));
  filter.after_id = page3.back().id;
  KMS_ASSERT_OK_AND_ASSIGN(auto page4, store_->ListKeys("ring", filter));
  EXPECT_TRUE(page4.empty());
}

TEST_P(KeyQueryStoreTest, ListKeysFiltersByLabel) {
  AddKey(MakeKey("ring", "a", "signing"));
  AddKey(MakeKey("ring", "b", "wrapping"));
  AddKey(MakeKey("ring", "c", "signing"));
  AddKey(MakeKey("other", "d", "signing"));
  KeyFilter filter;
  filter.label = "signing";
  KMS_ASSERT_OK_AND_ASSIGN(auto keys, store_->ListKeys("ring", filter));
  EXPECT_THAT(Ids(keys), ElementsAre("a", "c"));
  filter.label = "";
  KMS_ASSERT_OK_AND_ASSIGN(auto none, store_->ListKeys("ring", filter));
  EXPECT_TRUE(none.empty());
  filter.label = "signing";
  filter.after_id = "a";
  filter.limit = 1;
  KMS_ASSERT_OK_AND_ASSIGN(auto paged, store_->ListKeys("ring", filter));
  EXPECT_THAT(Ids(paged), ElementsAre("c"));
}

TEST_P(KeyQueryStoreTest, ListKeysHidesDeletedUnlessAsked) {
  AddKey(MakeKey("ring", "live"));
  KeyRecord gone = MakeKey("ring", "gone");
  gone.deleted = true;
  AddKey(gone);
  KeyFilter filter;
  KMS_ASSERT_OK_AND_ASSIGN(auto visible, store_->ListKeys("ring", filter));
  EXPECT_THAT(Ids(visible), ElementsAre("live"));
  filter.include_deleted = true;
  KMS_ASSERT_OK_AND_ASSIGN(auto all, store_->ListKeys("ring", filter));
  EXPECT_THAT(Ids(all), ElementsAre("gone", "live"));
  EXPECT_TRUE(all[0].deleted);
}

TEST_P(KeyQueryStoreTest, ListKeysErrors) {
  KeyFilter filter;
  EXPECT_EQ(store_->ListKeys("nope", filter).status().code(),
            ErrorCode::kNotFound);
  filter.limit = 0;
  EXPECT_EQ(store_->ListKeys("ring", filter).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_P(KeyQueryStoreTest, KeysDueForRotation) {
  const int64_t now = 1800000000000;
  KeyRecord due = MakeKey("ring", "due");
  due.rotation_period_seconds = 86400;
  due.next_rotation_at = now - 1;
  KeyRecord exactly = MakeKey("other", "exactly");
  exactly.rotation_period_seconds = 86400;
  exactly.next_rotation_at = now;
  KeyRecord later = MakeKey("ring", "later");
  later.rotation_period_seconds = 86400;
  later.next_rotation_at = now + 1;
  KeyRecord manual = MakeKey("ring", "manual");  // period 0: never automatic
  manual.next_rotation_at = now - 1000;
  KeyRecord deleted = MakeKey("ring", "deleted");
  deleted.rotation_period_seconds = 86400;
  deleted.next_rotation_at = now - 1000;
  deleted.deleted = true;
  for (const KeyRecord& key : {due, exactly, later, manual, deleted}) {
    AddKey(key);
  }
  KMS_ASSERT_OK_AND_ASSIGN(auto keys, store_->KeysDueForRotation(now));
  // Most overdue first.
  EXPECT_THAT(Ids(keys), ElementsAre("due", "exactly"));
  ExpectSameKey(due, keys[0]);

  // Rotating moves the key out of the due set.
  due.next_rotation_at = now + 86400000;
  due.primary_version = 2;
  KMS_ASSERT_OK(store_->AddVersion(due, MakeVersion("ring", "due", 2)));
  KMS_ASSERT_OK_AND_ASSIGN(auto after, store_->KeysDueForRotation(now));
  EXPECT_THAT(Ids(after), ElementsAre("exactly"));
}

TEST_P(KeyQueryStoreTest, VersionsDueForDestruction) {
  const int64_t now = 1800000000000;
  AddKey(MakeKey("ring", "k1"));
  AddKey(MakeKey("other", "k2"));
  KeyRecord k1 = MakeKey("ring", "k1");
  for (int v = 2; v <= 4; ++v) {
    KMS_ASSERT_OK(store_->AddVersion(k1, MakeVersion("ring", "k1", v)));
  }
  auto schedule = [&](const std::string& ring, const std::string& id, int v,
                      int64_t at) {
    KeyVersionRecord version = MakeVersion(ring, id, v);
    version.state = VersionState::kDestroyScheduled;
    version.destroy_at = at;
    KMS_EXPECT_OK(store_->UpdateVersion(version));
  };
  schedule("ring", "k1", 1, now);       // due (boundary)
  schedule("ring", "k1", 2, now + 1);   // not yet
  schedule("other", "k2", 1, now - 5);  // due, earlier
  // Past destroy_at but not scheduled (cancelled): not due.
  KeyVersionRecord cancelled = MakeVersion("ring", "k1", 3);
  cancelled.destroy_at = now - 100;
  KMS_ASSERT_OK(store_->UpdateVersion(cancelled));
  // Already destroyed: not due again.
  KeyVersionRecord destroyed = MakeVersion("ring", "k1", 4);
  destroyed.state = VersionState::kDestroyed;
  destroyed.destroy_at = now - 100;
  KMS_ASSERT_OK(store_->UpdateVersion(destroyed));

  KMS_ASSERT_OK_AND_ASSIGN(auto versions,
                           store_->VersionsDueForDestruction(now));
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].key_id, "k2");
  EXPECT_EQ(versions[0].destroy_at, now - 5);
  EXPECT_EQ(versions[1].key_id, "k1");
  EXPECT_EQ(versions[1].version, 1);
  EXPECT_EQ(versions[1].state, VersionState::kDestroyScheduled);
  EXPECT_EQ(versions[1].sealed_material,
            MakeVersion("ring", "k1", 1).sealed_material);
}

TEST_P(KeyQueryStoreTest, CountVersionsByStateCoversEveryState) {
  KMS_ASSERT_OK_AND_ASSIGN(auto empty, store_->CountVersionsByState());
  EXPECT_EQ(empty.size(), 4u);
  EXPECT_EQ(empty["ENABLED"], 0);

  AddKey(MakeKey("ring", "k1"));
  AddKey(MakeKey("other", "k2"));
  KMS_ASSERT_OK(
      store_->AddVersion(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 2)));
  KeyVersionRecord disabled = MakeVersion("ring", "k1", 2);
  disabled.state = VersionState::kDisabled;
  KMS_ASSERT_OK(store_->UpdateVersion(disabled));
  KMS_ASSERT_OK_AND_ASSIGN(auto counts, store_->CountVersionsByState());
  EXPECT_EQ(counts["ENABLED"], 2);
  EXPECT_EQ(counts["DISABLED"], 1);
  EXPECT_EQ(counts["DESTROY_SCHEDULED"], 0);
  EXPECT_EQ(counts["DESTROYED"], 0);
}

KMS_INSTANTIATE_STORE_TEST(KeyQueryStoreTest);

}  // namespace
}  // namespace kms
