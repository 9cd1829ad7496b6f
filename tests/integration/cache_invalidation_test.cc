// kmsd keeps the records every request reads (client, token, grant, key,
// version) in memory. Against a real kmsd: each change takes effect on the
// very next request, after the old record has been read many times.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/json.h"
#include "tests/integration/kmsd_process.h"
#include "tests/integration/test_json.h"

namespace kms::testing {
namespace {

const std::vector<std::string> kAllPermissions = {
    "use-sign", "use-verify", "use-encrypt", "use-decrypt",
    "create",   "destroy",    "manage"};

class CacheInvalidationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = KmsdProcess::Start("file");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    kmsd_ = started->release();
  }
  static void TearDownTestSuite() {
    delete kmsd_;
    kmsd_ = nullptr;
  }
  void SetUp() override {
    if (kmsd_ == nullptr) GTEST_SKIP() << "kmsd did not start";
    admin_ = kmsd_->AdminClient();
    auto app = kmsd_->LoggedInApp();
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(app).value();
    Json create = Obj();
    create.Set("label", "cached").Set("algorithm", "EC_P256");
    auto key = app_->Call("POST", "/v1/keyrings/dev/keys", create);
    ASSERT_TRUE(key.ok()) << Describe(key);
    path_ = "/v1/keyrings/dev/keys/" + Str(*key, "id");
  }

  Result<Json> Sign() {
    Json sign = Obj();
    sign.Set("data", DigestB64("cached"));
    return app_->Call("POST", path_ + "/sign", sign);
  }

  // Several uses, so that every record the request reads is cached.
  void SignRepeatedly() {
    for (int i = 0; i < 5; ++i) {
      auto signed_ = Sign();
      ASSERT_TRUE(signed_.ok()) << Describe(signed_);
    }
  }

  Result<Json> SetGrant(const std::vector<std::string>& permissions) {
    Json grant = Obj();
    grant.Set("key_ring", "dev").SetStrings("permissions", permissions);
    return admin_->Call("POST", "/v1/clients/app/grants", grant);
  }

  static KmsdProcess* kmsd_;
  std::unique_ptr<ApiClient> admin_;
  std::unique_ptr<ApiClient> app_;
  std::string path_;
};

KmsdProcess* CacheInvalidationTest::kmsd_ = nullptr;

TEST_F(CacheInvalidationTest, RevokedGrantRefusesTheNextRequest) {
  SignRepeatedly();
  auto revoked = admin_->Call("DELETE", "/v1/clients/app/grants/dev");
  ASSERT_TRUE(revoked.ok()) << Describe(revoked);
  EXPECT_TRUE(Fails(Sign(), ErrorCode::kPermissionDenied));

  ASSERT_TRUE(SetGrant({"use-verify"}).ok());
  EXPECT_TRUE(Fails(Sign(), ErrorCode::kPermissionDenied));

  ASSERT_TRUE(SetGrant(kAllPermissions).ok());
  auto again = Sign();
  EXPECT_TRUE(again.ok()) << Describe(again);
}

TEST_F(CacheInvalidationTest, DisabledVersionRefusesTheNextRequest) {
  SignRepeatedly();
  auto disabled = app_->Call("POST", path_ + "/versions/1/disable", Obj());
  ASSERT_TRUE(disabled.ok()) << Describe(disabled);
  EXPECT_TRUE(Fails(Sign(), ErrorCode::kVersionDisabled));
  auto enabled = app_->Call("POST", path_ + "/versions/1/enable", Obj());
  ASSERT_TRUE(enabled.ok()) << Describe(enabled);
  auto again = Sign();
  EXPECT_TRUE(again.ok()) << Describe(again);
}

TEST_F(CacheInvalidationTest, RotationSignsWithTheNewVersionAtOnce) {
  SignRepeatedly();
  auto rotated = app_->Call("POST", path_ + "/rotate", Obj());
  ASSERT_TRUE(rotated.ok()) << Describe(rotated);
  auto signed_ = Sign();
  ASSERT_TRUE(signed_.ok()) << Describe(signed_);
  EXPECT_EQ(Num(*signed_, "version"), 2);
}

TEST_F(CacheInvalidationTest, RenamedKeyShowsItsNewLabel) {
  ASSERT_EQ(Str(Ok(app_->Call("GET", path_)), "label"), "cached");
  Json update = Obj();
  update.Set("label", "renamed");
  ASSERT_TRUE(app_->Call("POST", path_ + "/update", update).ok());
  EXPECT_EQ(Str(Ok(app_->Call("GET", path_)), "label"), "renamed");
}

TEST_F(CacheInvalidationTest, LogoutRefusesTheOldTokenNextTime) {
  SignRepeatedly();
  auto out = app_->Call("POST", "/v1/auth/logout", Obj());
  ASSERT_TRUE(out.ok()) << Describe(out);
  EXPECT_TRUE(Fails(Sign(), ErrorCode::kTokenInvalid));
}

TEST_F(CacheInvalidationTest, RenewRefusesTheOldTokenNextTime) {
  SignRepeatedly();
  auto renewed = app_->Call("POST", "/v1/auth/renew", Obj());
  ASSERT_TRUE(renewed.ok()) << Describe(renewed);
  EXPECT_TRUE(Fails(Sign(), ErrorCode::kTokenInvalid));
  app_->SetBearerToken(SecureString(Str(*renewed, "token").c_str()));
  auto again = Sign();
  EXPECT_TRUE(again.ok()) << Describe(again);
}

}  // namespace
}  // namespace kms::testing
