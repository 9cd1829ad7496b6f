// Public reads without a login: a registered client with any grant on a key
// ring lists and reads its keys (public halves) and its public objects
// without a bearer token, as a PKCS#11 token shows public objects before
// C_Login; private data objects stay hidden until it logs in; everything
// else still needs a token; no grant, no access.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "common/json.h"
#include "tests/integration/kmsd_process.h"
#include "tests/integration/test_json.h"

namespace kms::testing {
namespace {

class PublicReadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = KmsdProcess::Start("file");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    kmsd_ = std::move(started).value();
  }
  static void TearDownTestSuite() { kmsd_.reset(); }

  // Creates a data object as the logged-in app; returns its id.
  static std::string CreateData(ApiClient& app, const std::string& label,
                                bool is_private) {
    Json attributes = Obj();
    attributes.Set("private", is_private);
    Json body = Obj();
    body.Set("class", "data").Set("label", label);
    body.SetBase64("value", View(std::string("value of ") + label));
    body.Set("attributes", std::move(attributes));
    return Str(Ok(app.Call("POST", "/v1/keyrings/dev/objects", body)), "id");
  }

  static std::set<std::string> Labels(const Json& list, const char* field) {
    std::set<std::string> out;
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, Item(list, field)) out.insert(Str(item, "label"));
    return out;
  }

  static std::unique_ptr<KmsdProcess> kmsd_;
};

std::unique_ptr<KmsdProcess> PublicReadTest::kmsd_;

TEST_F(PublicReadTest, PublicObjectsAndKeysWithoutTokenPrivateOnlyWithOne) {
  auto app = kmsd_->LoggedInApp();
  ASSERT_TRUE(app.ok());
  Json key_body = Obj();
  key_body.Set("label", "public-read-key").Set("algorithm", "EC_P256");
  std::string key_id =
      Str(Ok((*app)->Call("POST", "/v1/keyrings/dev/keys", key_body)), "id");
  ASSERT_FALSE(key_id.empty());
  std::string public_id = CreateData(**app, "open-data", false);
  std::string private_id = CreateData(**app, "hidden-data", true);
  // Without the flag an object is public.
  Json plain = Obj();
  plain.Set("class", "data").Set("label", "no-flag");
  plain.SetBase64("value", View(std::string("x")));
  Ok((*app)->Call("POST", "/v1/keyrings/dev/objects", plain));

  auto anonymous = kmsd_->AppClient();
  Json keys = Ok(anonymous->Call("GET", "/v1/keyrings/dev/keys"));
  EXPECT_TRUE(Labels(keys, "keys").count("public-read-key"));
  Json key = Ok(anonymous->Call("GET", "/v1/keyrings/dev/keys/" + key_id));
  EXPECT_EQ(Str(key, "id"), key_id);
  Json public_key = Ok(anonymous->Call(
      "GET", "/v1/keyrings/dev/keys/" + key_id + "/public-key"));
  EXPECT_FALSE(B64(public_key, "public_key").empty());

  Json objects = Ok(anonymous->Call("GET", "/v1/keyrings/dev/objects"));
  auto labels = Labels(objects, "objects");
  EXPECT_TRUE(labels.count("open-data"));
  EXPECT_TRUE(labels.count("no-flag"));
  EXPECT_FALSE(labels.count("hidden-data"));
  EXPECT_EQ(
      Str(Ok(anonymous->Call("GET", "/v1/keyrings/dev/objects/" + public_id)),
          "label"),
      "open-data");
  EXPECT_TRUE(
      Fails(anonymous->Call("GET", "/v1/keyrings/dev/objects/" + private_id),
            ErrorCode::kNotFound));

  // With the token (or as admin) the private object is there.
  Json logged_in = Ok((*app)->Call("GET", "/v1/keyrings/dev/objects"));
  EXPECT_TRUE(Labels(logged_in, "objects").count("hidden-data"));
  Json read = Ok((*app)->Call("GET", "/v1/keyrings/dev/objects/" + private_id));
  EXPECT_EQ(B64(read, "value"), ToBytes("value of hidden-data"));
  auto admin = kmsd_->AdminClient();
  EXPECT_TRUE(
      Labels(Ok(admin->Call("GET", "/v1/keyrings/dev/objects")), "objects")
          .count("hidden-data"));
}

TEST_F(PublicReadTest, EverythingElseStillNeedsTokenAndGrant) {
  auto anonymous = kmsd_->AppClient();
  Json body = Obj();
  body.Set("class", "data");
  body.SetBase64("value", View(std::string("x")));
  EXPECT_TRUE(Fails(anonymous->Call("POST", "/v1/keyrings/dev/objects", body),
                    ErrorCode::kTokenMissing));
  Json key_body = Obj();
  key_body.Set("label", "nope").Set("algorithm", "EC_P256");
  EXPECT_TRUE(Fails(anonymous->Call("POST", "/v1/keyrings/dev/keys", key_body),
                    ErrorCode::kTokenMissing));
  auto app = kmsd_->LoggedInApp();
  ASSERT_TRUE(app.ok());
  std::string key_id =
      Str(Ok((*app)->Call("POST", "/v1/keyrings/dev/keys", key_body)), "id");
  Json sign = Obj();
  sign.Set("scheme", "ECDSA").Set("data", DigestB64("m"));
  EXPECT_TRUE(
      Fails(anonymous->Call("POST", "/v1/keyrings/dev/keys/" + key_id + "/sign",
                            sign),
            ErrorCode::kTokenMissing));

  // A key ring the app holds no grant on.
  auto admin = kmsd_->AdminClient();
  Ok(admin->Call("POST", "/v1/keyrings", Obj().Set("name", "no-grant-ring")));
  for (const char* path : {"/v1/keyrings/no-grant-ring/keys",
                           "/v1/keyrings/no-grant-ring/objects"}) {
    EXPECT_TRUE(
        Fails(anonymous->Call("GET", path), ErrorCode::kPermissionDenied))
        << path;
  }
  // A key ring that does not exist is no different to the caller.
  EXPECT_TRUE(Fails(anonymous->Call("GET", "/v1/keyrings/missing/objects"),
                    ErrorCode::kPermissionDenied));
}

}  // namespace
}  // namespace kms::testing
