// Export a snapshot, import it elsewhere, and refuse bytes that are not one.
#include "tests/storage/store_test_fixture.h"

namespace kms {
namespace {

class SnapshotStoreTest : public StoreTest {
 protected:
  // One of everything, so a table left out of the snapshot shows up.
  void Populate(Store& store) {
    KMS_ASSERT_OK(store.CreateKeyRing(MakeRing("ring")));
    KMS_ASSERT_OK(
        store.CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
    KMS_ASSERT_OK(
        store.AddVersion(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 2)));
    KMS_ASSERT_OK(store.CreateObject(MakeObject("ring", "o1")));
    KMS_ASSERT_OK(store.CreateClient(MakeClient("app", "f1", "")));
    KMS_ASSERT_OK(store.SetGrant({"app", "ring", kPermUseSign}));
    KMS_ASSERT_OK(store.SetPin({"app", "ring", "scrypt$x", 2, 5}));
    KMS_ASSERT_OK(store.StoreToken({"t1", "app", "ring", 99, 1}));
    KMS_ASSERT_OK(store.AppendAuditBatch({MakeAudit(1), MakeAudit(2)}));
  }

  void ExpectPopulated(Store& store) {
    KMS_ASSERT_OK(store.GetKeyRing("ring"));
    KMS_ASSERT_OK_AND_ASSIGN(KeyRecord key, store.GetKey("ring", "k1"));
    ExpectSameKey(MakeKey("ring", "k1"), key);
    KMS_ASSERT_OK_AND_ASSIGN(auto versions, store.ListVersions("ring", "k1"));
    ASSERT_EQ(versions.size(), 2u);
    ExpectSameVersion(MakeVersion("ring", "k1", 2), versions[1]);
    KMS_ASSERT_OK_AND_ASSIGN(ObjectRecord object,
                             store.GetObject("ring", "o1"));
    EXPECT_EQ(object.value, MakeObject("ring", "o1").value);
    KMS_ASSERT_OK_AND_ASSIGN(ClientRecord client,
                             store.FindClientByCertificate("f1", ""));
    EXPECT_EQ(client.name, "app");
    KMS_ASSERT_OK_AND_ASSIGN(GrantRecord grant, store.GetGrant("app", "ring"));
    EXPECT_EQ(grant.permissions, static_cast<uint32_t>(kPermUseSign));
    KMS_ASSERT_OK_AND_ASSIGN(PinRecord pin, store.GetPin("app", "ring"));
    EXPECT_EQ(pin.failed_attempts, 2);
    KMS_ASSERT_OK_AND_ASSIGN(TokenRecord token, store.GetToken("t1"));
    EXPECT_EQ(token.expires_at, 99);
    KMS_ASSERT_OK_AND_ASSIGN(auto audit, store.ListAudit(0, 10));
    ASSERT_EQ(audit.size(), 2u);
    ExpectSameAudit(MakeAudit(2), audit[1]);
  }
};

TEST_P(SnapshotStoreTest, ExportImportIntoFreshStore) {
  Populate(*store_);
  KMS_ASSERT_OK_AND_ASSIGN(Bytes snapshot, store_->ExportSnapshot());
  ASSERT_FALSE(snapshot.empty());

  KMS_ASSERT_OK_AND_ASSIGN(auto fresh, OpenAt(NewLocation()));
  KMS_ASSERT_OK(fresh->ImportSnapshot(View(snapshot)));
  ExpectPopulated(*fresh);
  EXPECT_EQ(fresh->schema_version(), store_->schema_version());
  // The restored store keeps working, chain included.
  KMS_EXPECT_OK(fresh->AppendAudit(MakeAudit(3)));
  KMS_EXPECT_OK(
      fresh->CreateKey(MakeKey("ring", "k2"), MakeVersion("ring", "k2", 1)));
}

TEST_P(SnapshotStoreTest, ImportReplacesEverything) {
  KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("old-ring")));
  KMS_ASSERT_OK(store_->AppendAudit(MakeAudit(1)));
  KMS_ASSERT_OK_AND_ASSIGN(Bytes old_snapshot, store_->ExportSnapshot());

  KMS_ASSERT_OK_AND_ASSIGN(auto source, OpenAt(NewLocation()));
  Populate(*source);
  KMS_ASSERT_OK_AND_ASSIGN(Bytes snapshot, source->ExportSnapshot());
  KMS_ASSERT_OK(store_->ImportSnapshot(View(snapshot)));
  ExpectPopulated(*store_);
  EXPECT_EQ(store_->GetKeyRing("old-ring").status().code(),
            ErrorCode::kNotFound);

  // And back: the import survives a reopen, in both directions.
  KMS_ASSERT_OK(store_->ImportSnapshot(View(old_snapshot)));
  Reopen();
  KMS_EXPECT_OK(store_->GetKeyRing("old-ring"));
  EXPECT_EQ(store_->GetKeyRing("ring").status().code(), ErrorCode::kNotFound);
  KMS_ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountAudit());
  EXPECT_EQ(count, 1);
}

TEST_P(SnapshotStoreTest, SnapshotIsTakenWhileOpen) {
  Populate(*store_);
  KMS_ASSERT_OK_AND_ASSIGN(Bytes before, store_->ExportSnapshot());
  KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("later")));
  KMS_ASSERT_OK_AND_ASSIGN(auto fresh, OpenAt(NewLocation()));
  KMS_ASSERT_OK(fresh->ImportSnapshot(View(before)));
  // The snapshot is of the moment it was taken.
  EXPECT_EQ(fresh->GetKeyRing("later").status().code(), ErrorCode::kNotFound);
}

TEST_P(SnapshotStoreTest, RejectsGarbageAndKeepsData) {
  Populate(*store_);
  KMS_ASSERT_OK_AND_ASSIGN(Bytes snapshot, store_->ExportSnapshot());

  Bytes empty;
  EXPECT_FALSE(store_->ImportSnapshot(View(empty)).ok());
  Bytes garbage(8192, 0x5a);
  EXPECT_FALSE(store_->ImportSnapshot(View(garbage)).ok());
  Bytes truncated(snapshot.begin(), snapshot.begin() + snapshot.size() / 2);
  EXPECT_FALSE(store_->ImportSnapshot(View(truncated)).ok());
  Bytes corrupted = snapshot;
  for (size_t i = 100; i < corrupted.size(); i += 7) corrupted[i] ^= 0xff;
  EXPECT_FALSE(store_->ImportSnapshot(View(corrupted)).ok());

  ExpectPopulated(*store_);
}

KMS_INSTANTIATE_STORE_TEST(SnapshotStoreTest);

}  // namespace
}  // namespace kms
