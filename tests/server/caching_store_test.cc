// CachingStore against a real SQLite file: every change made through it is
// seen by the next read, and reads really are served from memory (a change
// made behind its back, with a second connection, is not seen).
#include "server/storage/caching_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>
#include <vector>

#include "server/auth/auth_service.h"
#include "tests/server/server_test_env.h"

namespace kms::testing {
namespace {

class CachingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.CloseStore();
    Open(1000);
    ASSERT_TRUE(store_->CreateKeyRing({"dev", -1, false, 0}).ok());
    client_.name = "app";
    client_.role = "application";
    client_.cert_fingerprint = std::string(64, 'a');
    ASSERT_TRUE(store_->CreateClient(client_).ok());
    key_ = {"dev", "k1",  "label-1", "EC_P256", 3, 0,
            0,     false, false,     1,         0, false};
    version_.key_ring = "dev";
    version_.key_id = "k1";
    version_.version = 1;
    version_.sealed_material = {1, 2, 3};
    ASSERT_TRUE(store_->CreateKey(key_, version_).ok());
  }

  void Open(size_t capacity) {
    store_.reset();
    auto inner = OpenSqliteStore(env_.db_path());
    ASSERT_TRUE(inner.ok()) << inner.status().ToString();
    store_ = std::make_unique<CachingStore>(std::move(inner).value(), capacity);
  }

  // A change the cache cannot know about: another connection to the file.
  void ChangeBehindItsBack(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(env_.db_path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    EXPECT_EQ(sqlite3_changes(db), 1) << sql;
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  uint32_t Permissions() {
    auto grant = store_->GetGrant("app", "dev");
    EXPECT_TRUE(grant.ok()) << grant.status().ToString();
    return grant.ok() ? grant->permissions : 0xffffffff;
  }

  ServerTestEnv env_;
  std::unique_ptr<Store> store_;
  ClientRecord client_;
  KeyRecord key_;
  KeyVersionRecord version_;
};

TEST_F(CachingStoreTest, ReadsAreServedFromMemory) {
  ASSERT_TRUE(store_->SetGrant({"app", "dev", kPermUseSign}).ok());
  EXPECT_EQ(Permissions(), kPermUseSign);
  ASSERT_TRUE(store_->GetKey("dev", "k1").ok());
  ChangeBehindItsBack("UPDATE grants SET permissions = 127");
  ChangeBehindItsBack("UPDATE keys SET label = 'changed'");
  EXPECT_EQ(Permissions(), kPermUseSign);
  EXPECT_EQ(store_->GetKey("dev", "k1")->label, "label-1");
}

TEST_F(CachingStoreTest, CapacityZeroCachesNothing) {
  Open(0);
  ASSERT_TRUE(store_->SetGrant({"app", "dev", kPermUseSign}).ok());
  EXPECT_EQ(Permissions(), kPermUseSign);
  ChangeBehindItsBack("UPDATE grants SET permissions = 127");
  EXPECT_EQ(Permissions(), 127u);
}

TEST_F(CachingStoreTest, RevokedGrantIsSeenAtOnce) {
  ASSERT_TRUE(store_->SetGrant({"app", "dev", kPermUseSign}).ok());
  EXPECT_EQ(Permissions(), kPermUseSign);
  EXPECT_EQ(Permissions(), kPermUseSign);  // now cached
  ASSERT_TRUE(store_->SetGrant({"app", "dev", 0}).ok());
  EXPECT_EQ(Permissions(), 0u);
  ASSERT_TRUE(store_->SetGrant({"app", "dev", kPermUseVerify}).ok());
  EXPECT_EQ(Permissions(), kPermUseVerify);
}

TEST_F(CachingStoreTest, DeletedTokenIsUnknownAtOnce) {
  TokenRecord token{"hash-1", "app", "dev", 1LL << 50, 0};
  ASSERT_TRUE(store_->StoreToken(token).ok());
  ASSERT_TRUE(store_->GetToken("hash-1").ok());
  ASSERT_TRUE(store_->GetToken("hash-1").ok());
  ASSERT_TRUE(store_->DeleteToken("hash-1").ok());
  EXPECT_EQ(store_->GetToken("hash-1").status().code(), ErrorCode::kNotFound);
}

TEST_F(CachingStoreTest, ExpiredTokensAreForgottenWithTheDatabase) {
  TokenRecord token{"hash-2", "app", "dev", 1000, 0};
  ASSERT_TRUE(store_->StoreToken(token).ok());
  ASSERT_TRUE(store_->GetToken("hash-2").ok());
  ASSERT_TRUE(store_->DeleteExpiredTokens(2000).ok());
  EXPECT_EQ(store_->GetToken("hash-2").status().code(), ErrorCode::kNotFound);
}

TEST_F(CachingStoreTest, LogoutRefusesTheOldTokenNextTime) {
  AuthConfig config;
  config.scrypt_log2_n = 10;
  AuthService auth(store_.get(), config);
  ASSERT_TRUE(auth.SetPin("app", "dev", SecureString("1234")).ok());
  auto issued = auth.Login(client_, "dev", SecureString("1234"));
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  ASSERT_TRUE(auth.ValidateToken(client_, issued->token).ok());
  ASSERT_TRUE(auth.ValidateToken(client_, issued->token).ok());
  ASSERT_TRUE(auth.Logout(issued->record).ok());
  EXPECT_EQ(auth.ValidateToken(client_, issued->token).status().code(),
            ErrorCode::kTokenInvalid);

  auto first = auth.Login(client_, "dev", SecureString("1234"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(auth.ValidateToken(client_, first->token).ok());
  auto renewed = auth.Renew(first->record);
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(auth.ValidateToken(client_, first->token).status().code(),
            ErrorCode::kTokenInvalid);
  EXPECT_TRUE(auth.ValidateToken(client_, renewed->token).ok());
}

TEST_F(CachingStoreTest, KeyAndVersionChangesAreSeenAtOnce) {
  ASSERT_EQ(store_->GetKey("dev", "k1")->label, "label-1");
  ASSERT_EQ(store_->GetVersion("dev", "k1", 1)->state, VersionState::kEnabled);

  KeyVersionRecord disabled = version_;
  disabled.state = VersionState::kDisabled;
  ASSERT_TRUE(store_->UpdateVersion(disabled).ok());
  EXPECT_EQ(store_->GetVersion("dev", "k1", 1)->state, VersionState::kDisabled);

  KeyRecord renamed = key_;
  renamed.label = "label-2";
  ASSERT_TRUE(store_->UpdateKey(renamed).ok());
  EXPECT_EQ(store_->GetKey("dev", "k1")->label, "label-2");

  KeyRecord rotated = renamed;
  rotated.primary_version = 2;
  KeyVersionRecord second = version_;
  second.version = 2;
  ASSERT_TRUE(store_->AddVersion(rotated, second).ok());
  EXPECT_EQ(store_->GetKey("dev", "k1")->primary_version, 2);
  EXPECT_TRUE(store_->GetVersion("dev", "k1", 2).ok());
}

TEST_F(CachingStoreTest, NotFoundIsNotRemembered) {
  EXPECT_EQ(store_->GetKey("dev", "k2").status().code(), ErrorCode::kNotFound);
  KeyRecord k2 = key_;
  k2.id = "k2";
  KeyVersionRecord v = version_;
  v.key_id = "k2";
  ASSERT_TRUE(store_->CreateKey(k2, v).ok());
  EXPECT_TRUE(store_->GetKey("dev", "k2").ok());
}

TEST_F(CachingStoreTest, NewClientCanTakeOverACertificate) {
  // Matched by subject first; a client registered later with the exact
  // fingerprint wins from then on.
  ClientRecord by_name{"by-name", "application", "", "cn-1", 0};
  ASSERT_TRUE(store_->CreateClient(by_name).ok());
  const std::string fingerprint(64, 'b');
  EXPECT_EQ(store_->FindClientByCertificate(fingerprint, "cn-1")->name,
            "by-name");
  ClientRecord by_print{"by-print", "admin", fingerprint, "", 0};
  ASSERT_TRUE(store_->CreateClient(by_print).ok());
  EXPECT_EQ(store_->FindClientByCertificate(fingerprint, "cn-1")->name,
            "by-print");
}

TEST_F(CachingStoreTest, RestoreForgetsEverything) {
  ASSERT_TRUE(store_->SetGrant({"app", "dev", kPermUseSign}).ok());
  auto snapshot = store_->ExportSnapshot();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_TRUE(store_->SetGrant({"app", "dev", kPermUseVerify}).ok());
  EXPECT_EQ(Permissions(), kPermUseVerify);
  ASSERT_TRUE(store_->ImportSnapshot(View(*snapshot)).ok());
  EXPECT_EQ(Permissions(), kPermUseSign);
}

// Readers racing a writer: once the writer is done, every reader sees its
// last value (a fill computed before a change is never stored after it).
TEST_F(CachingStoreTest, ConcurrentReadersSeeTheLastWrite) {
  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!done) {
        EXPECT_TRUE(store_->GetGrant("app", "dev").ok());
      }
    });
  }
  for (uint32_t p = 1; p <= 60; ++p) {
    ASSERT_TRUE(store_->SetGrant({"app", "dev", p}).ok());
  }
  done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(Permissions(), 60u);
}

}  // namespace
}  // namespace kms::testing
