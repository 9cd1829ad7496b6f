// Clients, certificate lookup and grants.
#include <gmock/gmock.h>

#include "tests/storage/store_test_fixture.h"

namespace kms {
namespace {

using ::testing::HasSubstr;

class ClientStoreTest : public StoreTest {};

TEST_P(ClientStoreTest, CreateGetList) {
  ClientRecord admin = MakeClient("admin", "ab01", "");
  admin.role = "admin";
  KMS_ASSERT_OK(store_->CreateClient(admin));
  KMS_ASSERT_OK(store_->CreateClient(MakeClient("app", "", "app.example")));
  KMS_ASSERT_OK_AND_ASSIGN(ClientRecord got, store_->GetClient("admin"));
  EXPECT_EQ(got.name, "admin");
  EXPECT_EQ(got.role, "admin");
  EXPECT_EQ(got.cert_fingerprint, "ab01");
  EXPECT_EQ(got.cert_subject, "");
  EXPECT_EQ(got.created_at, 1700000002000);
  KMS_ASSERT_OK_AND_ASSIGN(auto clients, store_->ListClients());
  ASSERT_EQ(clients.size(), 2u);
  EXPECT_EQ(clients[0].name, "admin");
  EXPECT_EQ(clients[1].name, "app");
  EXPECT_EQ(clients[1].cert_subject, "app.example");
}

TEST_P(ClientStoreTest, UniqueNameFingerprintAndSubject) {
  KMS_ASSERT_OK(store_->CreateClient(MakeClient("a", "f1", "s1")));
  Status name = store_->CreateClient(MakeClient("a", "f2", "s2"));
  EXPECT_EQ(name.code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(name.message(), HasSubstr("'a'"));
  Status fingerprint = store_->CreateClient(MakeClient("b", "f1", ""));
  EXPECT_EQ(fingerprint.code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(fingerprint.message(), HasSubstr("fingerprint"));
  Status subject = store_->CreateClient(MakeClient("c", "", "s1"));
  EXPECT_EQ(subject.code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(subject.message(), HasSubstr("subject"));
  // Empty values are "not registered by this", not duplicates.
  KMS_EXPECT_OK(store_->CreateClient(MakeClient("d", "", "")));
  KMS_EXPECT_OK(store_->CreateClient(MakeClient("e", "", "")));
}

TEST_P(ClientStoreTest, MissingClientIsNotFound) {
  auto got = store_->GetClient("ghost");
  EXPECT_EQ(got.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(got.status().message(), "client 'ghost' not found");
}

TEST_P(ClientStoreTest, FindByFingerprintThenSubject) {
  KMS_ASSERT_OK(store_->CreateClient(MakeClient("by-fp", "f1", "")));
  KMS_ASSERT_OK(store_->CreateClient(MakeClient("by-cn", "", "cn1")));

  KMS_ASSERT_OK_AND_ASSIGN(ClientRecord fp,
                           store_->FindClientByCertificate("f1", "cn1"));
  EXPECT_EQ(fp.name, "by-fp");  // fingerprint wins over subject
  KMS_ASSERT_OK_AND_ASSIGN(ClientRecord cn,
                           store_->FindClientByCertificate("f-unknown", "cn1"));
  EXPECT_EQ(cn.name, "by-cn");
  KMS_ASSERT_OK_AND_ASSIGN(ClientRecord cn_only,
                           store_->FindClientByCertificate("", "cn1"));
  EXPECT_EQ(cn_only.name, "by-cn");
  EXPECT_EQ(store_->FindClientByCertificate("f2", "cn2").status().code(),
            ErrorCode::kNotFound);
}

TEST_P(ClientStoreTest, EmptyCertificateValuesNeverMatch) {
  // This client has empty fingerprint and subject columns.
  KMS_ASSERT_OK(store_->CreateClient(MakeClient("blank", "", "")));
  EXPECT_EQ(store_->FindClientByCertificate("", "").status().code(),
            ErrorCode::kNotFound);
}

class GrantStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    KMS_ASSERT_OK(store_->CreateClient(MakeClient("app")));
    KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("r1")));
    KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("r2")));
  }
};

TEST_P(GrantStoreTest, SetGetUpsertRemove) {
  KMS_ASSERT_OK_AND_ASSIGN(GrantRecord none, store_->GetGrant("app", "r1"));
  EXPECT_EQ(none.permissions, 0u);
  EXPECT_EQ(none.client, "app");
  EXPECT_EQ(none.key_ring, "r1");

  KMS_ASSERT_OK(store_->SetGrant({"app", "r1", kPermUseSign | kPermManage}));
  KMS_ASSERT_OK_AND_ASSIGN(GrantRecord set, store_->GetGrant("app", "r1"));
  EXPECT_EQ(set.permissions, kPermUseSign | kPermManage);

  KMS_ASSERT_OK(store_->SetGrant({"app", "r1", kPermUseDecrypt}));
  KMS_ASSERT_OK_AND_ASSIGN(GrantRecord replaced, store_->GetGrant("app", "r1"));
  EXPECT_EQ(replaced.permissions, static_cast<uint32_t>(kPermUseDecrypt));

  KMS_ASSERT_OK(store_->SetGrant({"app", "r2", 0xffffffffu}));
  KMS_ASSERT_OK_AND_ASSIGN(auto grants, store_->ListGrants("app"));
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_EQ(grants[0].key_ring, "r1");
  EXPECT_EQ(grants[1].key_ring, "r2");
  EXPECT_EQ(grants[1].permissions, 0xffffffffu);

  KMS_ASSERT_OK(store_->SetGrant({"app", "r1", 0}));
  KMS_ASSERT_OK_AND_ASSIGN(GrantRecord removed, store_->GetGrant("app", "r1"));
  EXPECT_EQ(removed.permissions, 0u);
  KMS_ASSERT_OK_AND_ASSIGN(auto remaining, store_->ListGrants("app"));
  EXPECT_EQ(remaining.size(), 1u);
  // Removing what is not there is not an error.
  KMS_EXPECT_OK(store_->SetGrant({"app", "r1", 0}));
}

TEST_P(GrantStoreTest, GrantNeedsClientAndRing) {
  Status client = store_->SetGrant({"ghost", "r1", kPermUseSign});
  EXPECT_EQ(client.code(), ErrorCode::kNotFound);
  EXPECT_THAT(client.message(), HasSubstr("'ghost'"));
  Status ring = store_->SetGrant({"app", "nope", kPermUseSign});
  EXPECT_EQ(ring.code(), ErrorCode::kNotFound);
  EXPECT_THAT(ring.message(), HasSubstr("'nope'"));
  EXPECT_EQ(store_->ListGrants("ghost").status().code(), ErrorCode::kNotFound);
}

KMS_INSTANTIATE_STORE_TEST(ClientStoreTest);
KMS_INSTANTIATE_STORE_TEST(GrantStoreTest);

}  // namespace
}  // namespace kms
