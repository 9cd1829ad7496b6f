// Authentication and authorisation against a real kmsd: client
// certificates, PINs and lock-out, tokens, key ring isolation, grants and
// roles.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/file_util.h"
#include "common/https_client.h"
#include "common/json.h"
#include "server/dev/pki.h"
#include "tests/integration/kmsd_process.h"
#include "tests/integration/test_json.h"

namespace kms::testing {
namespace {

// Edits DIR/kmsd.json: sets section.key = value (creating the section).
void SetConfig(const std::string& dir, const char* section, const char* key,
               int64_t value) {
  std::string path = dir + "/kmsd.json";
  auto text = ReadFile(path);
  ASSERT_TRUE(text.ok());
  auto json = ParseObject(*text);
  ASSERT_TRUE(json.ok());
  cJSON* node = cJSON_GetObjectItemCaseSensitive(json->get(), section);
  if (!cJSON_IsObject(node)) {
    cJSON_DeleteItemFromObjectCaseSensitive(json->get(), section);
    node = cJSON_AddObjectToObject(json->get(), section);
  }
  cJSON_DeleteItemFromObjectCaseSensitive(node, key);
  cJSON_AddNumberToObject(node, key, static_cast<double>(value));
  ASSERT_TRUE(WriteFileAtomic(path, json->Dump() + "\n", 0600).ok());
}

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = KmsdProcess::Start("softhsm");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    kmsd_ = started->release();
    SetConfig(kmsd_->data_dir(), "auth", "max_pin_attempts", 3);
    Status restarted = kmsd_->Restart();
    ASSERT_TRUE(restarted.ok()) << restarted.ToString();
    tmp_ = kmsd_->data_dir() + "/auth-test";
    std::filesystem::create_directories(tmp_);
  }
  static void TearDownTestSuite() {
    delete kmsd_;
    kmsd_ = nullptr;
  }
  void SetUp() override {
    if (kmsd_ == nullptr) GTEST_SKIP() << "kmsd did not start";
    admin_ = kmsd_->AdminClient();
  }

  // Admin: a key ring where `client` has `permissions` and PIN `pin`.
  void MakeRing(const std::string& ring, const std::string& client,
                const std::vector<std::string>& permissions,
                const std::string& pin) {
    auto created =
        admin_->Call("POST", "/v1/keyrings", Obj().Set("name", ring));
    ASSERT_TRUE(created.ok()) << Describe(created);
    if (!permissions.empty()) {
      Json grant = Obj();
      grant.Set("key_ring", ring).SetStrings("permissions", permissions);
      auto granted =
          admin_->Call("POST", "/v1/clients/" + client + "/grants", grant);
      ASSERT_TRUE(granted.ok()) << Describe(granted);
    }
    if (!pin.empty()) {
      Json set = Obj();
      set.Set("key_ring", ring).Set("pin", pin);
      auto done = admin_->Call("POST", "/v1/clients/" + client + "/pin", set);
      ASSERT_TRUE(done.ok()) << Describe(done);
    }
  }

  static Result<Json> Login(ApiClient& client, const std::string& ring,
                            const std::string& pin) {
    Json body = Obj();
    body.Set("key_ring", ring).Set("pin", pin);
    return client.Call("POST", "/v1/auth/login", body);
  }

  Result<Json> PinStatus(ApiClient& client, const std::string& ring) {
    return client.Call("GET", "/v1/auth/pin-status?key_ring=" + ring);
  }

  bool RingExists(const std::string& ring) {
    auto list = admin_->Call("GET", "/v1/keyrings");
    EXPECT_TRUE(list.ok()) << Describe(list);
    if (!list.ok()) return false;
    return list->Dump().find("\"name\":\"" + ring + "\"") != std::string::npos;
  }

  // Writes a certificate and key to files; returns the client.
  std::unique_ptr<ApiClient> ClientFor(const IssuedCertificate& cert,
                                       const std::string& name) {
    std::string cert_file = tmp_ + "/" + name + ".pem";
    std::string key_file = tmp_ + "/" + name + "-key.pem";
    EXPECT_TRUE(WriteFileAtomic(cert_file, cert.cert_pem, 0600).ok());
    EXPECT_TRUE(WriteFileAtomic(
                    key_file, {cert.key_pem.data(), cert.key_pem.size()}, 0600)
                    .ok());
    return kmsd_->ClientWith(cert_file, key_file);
  }

  static Result<DevCa> DevCaOf(const KmsdProcess& kmsd) {
    auto cert = ReadFile(kmsd.data_dir() + "/pki/ca.pem");
    auto key = ReadSecretFile(kmsd.data_dir() + "/pki/ca-key.pem");
    if (!cert.ok()) return cert.status();
    if (!key.ok()) return key.status();
    return DevCa::Load(*cert, *key);
  }

  static KmsdProcess* kmsd_;
  static std::string tmp_;
  std::unique_ptr<ApiClient> admin_;
};

KmsdProcess* AuthTest::kmsd_ = nullptr;
std::string AuthTest::tmp_;

TEST_F(AuthTest, NoClientCertificateIsRefusedBeforeProcessing) {
  TlsClientConfig tls;
  tls.ca_file = kmsd_->env("KMS_CA_FILE");
  HttpsClient http(tls);
  std::string body = R"({"name":"nocert"})";
  auto reply = http.Send("POST", kmsd_->url() + "/v1/keyrings", body,
                         {"Content-Type: application/json"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 401);
  auto parsed = Json::Parse({reply->body.data(), reply->body.size()});
  ASSERT_TRUE(parsed.ok());
  const cJSON* error = cJSON_GetObjectItemCaseSensitive(parsed->get(), "error");
  ASSERT_TRUE(cJSON_IsObject(error));
  EXPECT_EQ(Str(Json(CJsonPtr(cJSON_Duplicate(error, 1))), "code"),
            "UNAUTHENTICATED");

  // Not processed: no key ring, and nothing in the audit trail says it was.
  EXPECT_FALSE(RingExists("nocert"));
  for (const Json& r : AuditRecords(*admin_)) {
    EXPECT_FALSE(Str(r, "key_ring") == "nocert" && Str(r, "result") == "OK")
        << r.Dump();
  }
  // The public health check still works without a certificate.
  auto health = http.Send("GET", kmsd_->url() + "/healthz", "", {});
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
}

TEST_F(AuthTest, CertificateFromAnotherCaIsRefused) {
  // A client registered by subject, and a rogue CA that issues a
  // certificate with that subject (and one posing as the admin).
  Json client = Obj();
  client.Set("name", "by-subject")
      .Set("role", "admin")
      .Set("cert_subject", "by-subject");
  auto registered = admin_->Call("POST", "/v1/clients", client);
  ASSERT_TRUE(registered.ok()) << Describe(registered);

  auto rogue_ca = DevCa::Create("rogue CA");
  ASSERT_TRUE(rogue_ca.ok());
  for (const char* cn : {"by-subject", "admin"}) {
    auto cert = rogue_ca->IssueClient(cn);
    ASSERT_TRUE(cert.ok());
    auto rogue = ClientFor(*cert, std::string("rogue-") + cn);
    std::string ring = std::string("rogue") + (cn[0] == 'a' ? "1" : "2");
    auto created = rogue->Call("POST", "/v1/keyrings", Obj().Set("name", ring));
    // Either the handshake fails or the request is refused as
    // unauthenticated; in no case is it carried out.
    EXPECT_TRUE(CodeOf(created) == ErrorCode::kUnauthenticated ||
                CodeOf(created) == ErrorCode::kUnavailable)
        << cn << ": " << Describe(created);
    EXPECT_FALSE(RingExists(ring)) << cn;
    auto status = rogue->Call("GET", "/v1/status");
    EXPECT_TRUE(CodeOf(status) == ErrorCode::kUnauthenticated ||
                CodeOf(status) == ErrorCode::kUnavailable)
        << cn << ": " << Describe(status);
  }
}

TEST_F(AuthTest, ValidButUnregisteredCertificateIsUnauthenticated) {
  auto ca = DevCaOf(*kmsd_);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  auto cert = ca->IssueClient("stranger");
  ASSERT_TRUE(cert.ok());
  auto stranger = ClientFor(*cert, "stranger");
  auto created =
      stranger->Call("POST", "/v1/keyrings", Obj().Set("name", "stranger"));
  EXPECT_EQ(CodeOf(created), ErrorCode::kUnauthenticated) << Describe(created);
  EXPECT_EQ(stranger->last_http_status(), 401);
  EXPECT_FALSE(RingExists("stranger"));
  auto login = Login(*stranger, "dev", kmsd_->env("KMS_USER_PIN"));
  EXPECT_EQ(CodeOf(login), ErrorCode::kUnauthenticated) << Describe(login);
  auto list = stranger->Call("GET", "/v1/keyrings");
  EXPECT_EQ(CodeOf(list), ErrorCode::kUnauthenticated) << Describe(list);
}

TEST_F(AuthTest, WrongPinIsCountedAndLocksOutUntilAdminUnlocks) {
  const std::string pin = "lock-pin-1";
  MakeRing("lockring", "app", {"use-sign", "use-verify"}, pin);
  auto app = kmsd_->AppClient();

  auto status = PinStatus(*app, "lockring");
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_TRUE(Flag(*status, "pin_set"));
  EXPECT_EQ(Num(*status, "failed_attempts"), 0);
  EXPECT_EQ(Num(*status, "max_attempts"), 3);

  // A success clears earlier failures.
  EXPECT_EQ(CodeOf(Login(*app, "lockring", "wrong-1")),
            ErrorCode::kPinIncorrect);
  status = PinStatus(*app, "lockring");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(Num(*status, "failed_attempts"), 1);
  auto ok_login = Login(*app, "lockring", pin);
  ASSERT_TRUE(ok_login.ok()) << Describe(ok_login);
  status = PinStatus(*app, "lockring");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(Num(*status, "failed_attempts"), 0);

  for (int i = 1; i <= 2; ++i) {
    auto wrong = Login(*app, "lockring", "wrong-pin");
    EXPECT_EQ(CodeOf(wrong), ErrorCode::kPinIncorrect) << Describe(wrong);
    EXPECT_EQ(app->last_http_status(), 401);
    status = PinStatus(*app, "lockring");
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(Num(*status, "failed_attempts"), i);
    EXPECT_FALSE(Flag(*status, "locked"));
  }
  // The third wrong PIN uses up the attempts.
  auto third = Login(*app, "lockring", "wrong-pin");
  EXPECT_TRUE(CodeOf(third) == ErrorCode::kPinIncorrect ||
              CodeOf(third) == ErrorCode::kPinLocked)
      << Describe(third);
  status = PinStatus(*app, "lockring");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(Num(*status, "failed_attempts"), 3);
  EXPECT_TRUE(Flag(*status, "locked"));

  // Locked: the right PIN no longer helps, and is not checked.
  auto right = Login(*app, "lockring", pin);
  EXPECT_EQ(CodeOf(right), ErrorCode::kPinLocked) << Describe(right);
  EXPECT_EQ(app->last_http_status(), 403);

  // Only an admin can unlock; the app cannot unlock itself.
  auto self_unlock = app->Call("POST", "/v1/clients/app/unlock",
                               Obj().Set("key_ring", "lockring"));
  EXPECT_EQ(CodeOf(self_unlock), ErrorCode::kPermissionDenied);
  auto unlock = admin_->Call("POST", "/v1/clients/app/unlock",
                             Obj().Set("key_ring", "lockring"));
  ASSERT_TRUE(unlock.ok()) << Describe(unlock);
  status = PinStatus(*app, "lockring");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(Num(*status, "failed_attempts"), 0);
  EXPECT_FALSE(Flag(*status, "locked"));
  auto after = Login(*app, "lockring", pin);
  ASSERT_TRUE(after.ok()) << Describe(after);
  EXPECT_FALSE(Str(*after, "token").empty());
  EXPECT_EQ(Str(*after, "key_ring"), "lockring");
}

TEST_F(AuthTest, LogoutRevokesTheToken) {
  auto app = kmsd_->LoggedInApp();
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  auto before = (*app)->Call("GET", "/v1/keyrings/dev/keys");
  ASSERT_TRUE(before.ok()) << Describe(before);
  auto out = (*app)->Call("POST", "/v1/auth/logout", Obj());
  ASSERT_TRUE(out.ok()) << Describe(out);
  auto list = (*app)->Call("GET", "/v1/keyrings/dev/keys");
  EXPECT_EQ(CodeOf(list), ErrorCode::kTokenInvalid) << Describe(list);
  auto renew = (*app)->Call("POST", "/v1/auth/renew", Obj());
  EXPECT_EQ(CodeOf(renew), ErrorCode::kTokenInvalid) << Describe(renew);
  auto again = (*app)->Call("POST", "/v1/auth/logout", Obj());
  EXPECT_EQ(CodeOf(again), ErrorCode::kTokenInvalid) << Describe(again);
}

TEST_F(AuthTest, AnotherKeyRingIsNeitherVisibleNorUsable) {
  MakeRing("other", "app", {}, "");
  Json create = Obj();
  create.Set("label", "theirs").Set("algorithm", "EC_P256");
  auto key = admin_->Call("POST", "/v1/keyrings/other/keys", create);
  ASSERT_TRUE(key.ok()) << Describe(key);
  std::string id = Str(*key, "id");

  auto app = kmsd_->LoggedInApp();
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  auto rings = (*app)->Call("GET", "/v1/keyrings");
  ASSERT_TRUE(rings.ok()) << Describe(rings);
  EXPECT_NE(rings->Dump().find("\"dev\""), std::string::npos);
  EXPECT_EQ(rings->Dump().find("\"other\""), std::string::npos);

  // With its dev token.
  auto denied = [](const Result<Json>& r) {
    return CodeOf(r) == ErrorCode::kPermissionDenied ||
           CodeOf(r) == ErrorCode::kTokenInvalid;
  };
  auto list = (*app)->Call("GET", "/v1/keyrings/other/keys");
  EXPECT_TRUE(denied(list)) << Describe(list);
  auto get = (*app)->Call("GET", "/v1/keyrings/other/keys/" + id);
  EXPECT_TRUE(denied(get)) << Describe(get);
  Json sign = Obj();
  sign.Set("data", DigestB64("x"));
  auto signed_reply =
      (*app)->Call("POST", "/v1/keyrings/other/keys/" + id + "/sign", sign);
  EXPECT_TRUE(denied(signed_reply)) << Describe(signed_reply);
  auto mine = (*app)->Call("POST", "/v1/keyrings/other/keys", create);
  EXPECT_TRUE(denied(mine)) << Describe(mine);
  // Without a token: public reads need a grant on the ring, which app lacks.
  auto bare = kmsd_->AppClient();
  auto bare_list = bare->Call("GET", "/v1/keyrings/other/keys");
  EXPECT_EQ(CodeOf(bare_list), ErrorCode::kPermissionDenied)
      << Describe(bare_list);
  // No PIN there, so no way in.
  auto login = Login(*bare, "other", kmsd_->env("KMS_USER_PIN"));
  EXPECT_EQ(CodeOf(login), ErrorCode::kPinNotSet) << Describe(login);

  // Even logged in to a ring (a PIN but no grant), nothing is allowed.
  MakeRing("other2", "app", {}, "other2-pin");
  auto key2 = admin_->Call("POST", "/v1/keyrings/other2/keys", create);
  ASSERT_TRUE(key2.ok()) << Describe(key2);
  auto login2 = Login(*bare, "other2", "other2-pin");
  if (login2.ok()) {
    bare->SetBearerToken(SecureString(Str(*login2, "token").c_str()));
    auto list2 = bare->Call("GET", "/v1/keyrings/other2/keys");
    EXPECT_EQ(CodeOf(list2), ErrorCode::kPermissionDenied) << Describe(list2);
    auto sign2 = bare->Call(
        "POST", "/v1/keyrings/other2/keys/" + Str(*key2, "id") + "/sign", sign);
    EXPECT_EQ(CodeOf(sign2), ErrorCode::kPermissionDenied) << Describe(sign2);
  } else {
    EXPECT_EQ(CodeOf(login2), ErrorCode::kPermissionDenied) << Describe(login2);
  }
  // Nothing was created on either ring by the app.
  auto keys = admin_->Call("GET", "/v1/keyrings/other/keys");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(
      cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(keys->get(), "keys")),
      1);
}

TEST_F(AuthTest, VerifyOnlyGrantRefusesSign) {
  auto ca = DevCaOf(*kmsd_);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  auto cert = ca->IssueClient("verifier");
  ASSERT_TRUE(cert.ok());
  Json client = Obj();
  client.Set("name", "verifier")
      .Set("role", "application")
      .Set("cert_fingerprint", cert->fingerprint);
  auto registered = admin_->Call("POST", "/v1/clients", client);
  ASSERT_TRUE(registered.ok()) << Describe(registered);
  Json grant = Obj();
  grant.Set("key_ring", "dev").SetStrings("permissions", {"use-verify"});
  ASSERT_TRUE(admin_->Call("POST", "/v1/clients/verifier/grants", grant).ok());
  Json pin = Obj();
  pin.Set("key_ring", "dev").Set("pin", "verifier-pin");
  ASSERT_TRUE(admin_->Call("POST", "/v1/clients/verifier/pin", pin).ok());

  // The dev app makes a key and a signature.
  auto app = kmsd_->LoggedInApp();
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  Json create = Obj();
  create.Set("label", "signer").Set("algorithm", "EC_P256");
  auto key = (*app)->Call("POST", "/v1/keyrings/dev/keys", create);
  ASSERT_TRUE(key.ok()) << Describe(key);
  std::string path = "/v1/keyrings/dev/keys/" + Str(*key, "id");
  Json sign = Obj();
  sign.Set("data", DigestB64("verify-only"));
  auto sig = (*app)->Call("POST", path + "/sign", sign);
  ASSERT_TRUE(sig.ok()) << Describe(sig);

  auto verifier = ClientFor(*cert, "verifier");
  auto login = Login(*verifier, "dev", "verifier-pin");
  ASSERT_TRUE(login.ok()) << Describe(login);
  verifier->SetBearerToken(SecureString(Str(*login, "token").c_str()));
  auto refused = verifier->Call("POST", path + "/sign", sign);
  EXPECT_EQ(CodeOf(refused), ErrorCode::kPermissionDenied) << Describe(refused);
  EXPECT_EQ(verifier->last_http_status(), 403);
  Json verify = Obj();
  verify.Set("data", DigestB64("verify-only"))
      .Set("signature", Str(*sig, "signature"));
  auto verified = verifier->Call("POST", path + "/verify", verify);
  ASSERT_TRUE(verified.ok()) << Describe(verified);
  EXPECT_TRUE(Flag(*verified, "valid"));
  auto pub = verifier->Call("GET", path + "/public-key");
  EXPECT_TRUE(pub.ok()) << Describe(pub);
  auto made = verifier->Call("POST", "/v1/keyrings/dev/keys", create);
  EXPECT_EQ(CodeOf(made), ErrorCode::kPermissionDenied) << Describe(made);
  auto rotate = verifier->Call("POST", path + "/rotate", Obj());
  EXPECT_EQ(CodeOf(rotate), ErrorCode::kPermissionDenied) << Describe(rotate);
}

TEST_F(AuthTest, AdminOnlyEndpointsAreRefusedToTheApp) {
  auto app = kmsd_->LoggedInApp();
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  auto bare = kmsd_->AppClient();
  Json new_client = Obj();
  new_client.Set("name", "sneaky")
      .Set("role", "admin")
      .Set("cert_subject", "sneaky");
  Json grant = Obj();
  grant.Set("key_ring", "other-admin-only")
      .SetStrings("permissions", {"use-sign"});
  struct Call {
    const char* method;
    const char* path;
    Json body;
  };
  std::vector<Call> calls;
  calls.push_back({"GET", "/v1/status", Json()});
  calls.push_back({"GET", "/v1/clients", Json()});
  calls.push_back({"POST", "/v1/clients", std::move(new_client)});
  calls.push_back({"POST", "/v1/clients/app/grants",
                   std::move(Obj()
                                 .Set("key_ring", "dev")
                                 .SetStrings("permissions", {"use-sign"}))});
  calls.push_back({"DELETE", "/v1/clients/app/grants/dev", Json()});
  calls.push_back({"POST", "/v1/clients/app/pin",
                   std::move(Obj().Set("key_ring", "dev").Set("pin", "0000"))});
  calls.push_back(
      {"POST", "/v1/keyrings", std::move(Obj().Set("name", "app-made"))});
  calls.push_back({"GET", "/v1/audit", Json()});
  calls.push_back({"POST", "/v1/audit/verify", Obj()});
  calls.push_back({"POST", "/v1/backup", Obj()});
  calls.push_back({"POST", "/v1/restore", std::move(Obj().Set("backup", ""))});
  for (const Call& c : calls) {
    for (ApiClient* client : {app->get(), bare.get()}) {
      auto r = client->Call(c.method, c.path, c.body);
      EXPECT_EQ(CodeOf(r), ErrorCode::kPermissionDenied)
          << c.method << " " << c.path << ": " << Describe(r);
      EXPECT_EQ(client->last_http_status(), 403) << c.path;
    }
  }
  // None of them had an effect.
  EXPECT_FALSE(RingExists("app-made"));
  auto clients = admin_->Call("GET", "/v1/clients");
  ASSERT_TRUE(clients.ok()) << Describe(clients);
  EXPECT_EQ(clients->Dump().find("sneaky"), std::string::npos);
  auto still = kmsd_->LoggedInApp();
  EXPECT_TRUE(still.ok()) << "the dev PIN or grant changed: "
                          << still.status().ToString();
  if (still.ok()) {
    auto keys = (*still)->Call("GET", "/v1/keyrings/dev/keys");
    EXPECT_TRUE(keys.ok()) << Describe(keys);
  }
}

TEST_F(AuthTest, AdminWithoutTokenManagesButCannotUseKeys) {
  Json create = Obj();
  create.Set("label", "admin-made").Set("algorithm", "EC_P256");
  auto key = admin_->Call("POST", "/v1/keyrings/dev/keys", create);
  ASSERT_TRUE(key.ok()) << Describe(key);
  std::string path = "/v1/keyrings/dev/keys/" + Str(*key, "id");
  EXPECT_TRUE(admin_->Call("GET", path).ok());
  EXPECT_TRUE(admin_->Call("POST", path + "/rotate", Obj()).ok());
  Json sign = Obj();
  sign.Set("data", DigestB64("admin"));
  auto signed_reply = admin_->Call("POST", path + "/sign", sign);
  EXPECT_EQ(CodeOf(signed_reply), ErrorCode::kTokenMissing)
      << Describe(signed_reply);
  EXPECT_EQ(admin_->last_http_status(), 401);
  Json aes = Obj();
  aes.Set("label", "admin-aes").Set("algorithm", "AES_256");
  auto aes_key = admin_->Call("POST", "/v1/keyrings/dev/keys", aes);
  ASSERT_TRUE(aes_key.ok()) << Describe(aes_key);
  Json enc = Obj();
  enc.Set("mode", "GCM").Set("plaintext", "aGVsbG8=");
  auto encrypted = admin_->Call(
      "POST", "/v1/keyrings/dev/keys/" + Str(*aes_key, "id") + "/encrypt", enc);
  EXPECT_EQ(CodeOf(encrypted), ErrorCode::kTokenMissing) << Describe(encrypted);
}

TEST_F(AuthTest, ClientChangesItsOwnPin) {
  MakeRing("pinchange", "app", {"use-sign"}, "first-pin");
  auto app = kmsd_->AppClient();
  Json wrong = Obj();
  wrong.Set("key_ring", "pinchange")
      .Set("old_pin", "not-the-pin")
      .Set("new_pin", "second-pin");
  auto refused = app->Call("POST", "/v1/auth/pin", wrong);
  EXPECT_EQ(CodeOf(refused), ErrorCode::kPinIncorrect) << Describe(refused);
  auto status = PinStatus(*app, "pinchange");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(Num(*status, "failed_attempts"), 1);

  Json change = Obj();
  change.Set("key_ring", "pinchange")
      .Set("old_pin", "first-pin")
      .Set("new_pin", "second-pin");
  auto changed = app->Call("POST", "/v1/auth/pin", change);
  ASSERT_TRUE(changed.ok()) << Describe(changed);
  status = PinStatus(*app, "pinchange");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(Num(*status, "failed_attempts"), 0);

  EXPECT_EQ(CodeOf(Login(*app, "pinchange", "first-pin")),
            ErrorCode::kPinIncorrect);
  auto login = Login(*app, "pinchange", "second-pin");
  EXPECT_TRUE(login.ok()) << Describe(login);
  // Another client's PIN is not the app's to change: the dev PIN stays.
  EXPECT_TRUE(kmsd_->LoggedInApp().ok());
}

// "as_admin" (the PKCS#11 security officer's login) is refused to a client
// without the admin role before its PIN is checked, and works for an admin.
TEST_F(AuthTest, AdminLoginIsForAdminsOnly) {
  MakeRing("solog", "app", {"use-sign"}, "app-pin-1");
  auto app = kmsd_->AppClient();
  Json as_admin = Obj();
  as_admin.Set("key_ring", "solog")
      .Set("pin", "app-pin-1")
      .Set("as_admin", true);
  auto refused = app->Call("POST", "/v1/auth/login", as_admin);
  EXPECT_EQ(CodeOf(refused), ErrorCode::kPermissionDenied) << Describe(refused);
  auto status = PinStatus(*app, "solog");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(Num(*status, "failed_attempts"), 0);
  EXPECT_TRUE(Login(*app, "solog", "app-pin-1").ok());

  Json pin = Obj();
  pin.Set("key_ring", "solog").Set("pin", "admin-pin-1");
  ASSERT_TRUE(admin_->Call("POST", "/v1/clients/admin/pin", pin).ok());
  Json admin_login = Obj();
  admin_login.Set("key_ring", "solog")
      .Set("pin", "admin-pin-1")
      .Set("as_admin", true);
  auto ok = admin_->Call("POST", "/v1/auth/login", admin_login);
  EXPECT_TRUE(ok.ok()) << Describe(ok);
  EXPECT_EQ(Str(Ok(std::move(ok)), "client"), "admin");
  admin_login.Set("pin", "wrong-pin");
  EXPECT_EQ(CodeOf(admin_->Call("POST", "/v1/auth/login", admin_login)),
            ErrorCode::kPinIncorrect);
}

// Token lifetime needs its own kmsd with a 2 s time-to-live.
class TokenTtlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = KmsdProcess::Start("softhsm");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    kmsd_ = started->release();
    SetConfig(kmsd_->data_dir(), "auth", "token_ttl_seconds", 2);
    Status restarted = kmsd_->Restart();
    ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  }
  static void TearDownTestSuite() {
    delete kmsd_;
    kmsd_ = nullptr;
  }
  void SetUp() override {
    if (kmsd_ == nullptr) GTEST_SKIP() << "kmsd did not start";
  }

  // Calls `path` with the client's token until it is refused (or 20 s pass);
  // returns the refusal.
  static Result<Json> UntilRefused(ApiClient& client, const std::string& path) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    Result<Json> r = client.Call("GET", path);
    while (r.ok() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      r = client.Call("GET", path);
    }
    return r;
  }

  static KmsdProcess* kmsd_;
};

KmsdProcess* TokenTtlTest::kmsd_ = nullptr;

TEST_F(TokenTtlTest, ExpiredTokenIsRefused) {
  auto app = kmsd_->LoggedInApp();
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  auto refused = UntilRefused(**app, "/v1/keyrings/dev/keys");
  EXPECT_EQ(CodeOf(refused), ErrorCode::kTokenExpired) << Describe(refused);
  EXPECT_EQ((*app)->last_http_status(), 401);
  // Stays refused, and renewing an expired token is not possible either.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto later = (*app)->Call("GET", "/v1/keyrings/dev/keys");
  EXPECT_EQ(CodeOf(later), ErrorCode::kTokenExpired) << Describe(later);
  auto renew = (*app)->Call("POST", "/v1/auth/renew", Obj());
  EXPECT_EQ(CodeOf(renew), ErrorCode::kTokenExpired) << Describe(renew);
}

TEST_F(TokenTtlTest, RenewBeforeExpiryReplacesTheToken) {
  auto app = kmsd_->AppClient();
  Json body = Obj();
  body.Set("key_ring", "dev").Set("pin", kmsd_->env("KMS_USER_PIN"));
  // A slow machine may let the 2 s pass before the renewal; try again then.
  Result<Json> renewed = Error(ErrorCode::kInternal, "not tried");
  std::string old_token;
  for (int attempt = 0; attempt < 5; ++attempt) {
    app->ClearBearerToken();
    auto login = app->Call("POST", "/v1/auth/login", body);
    ASSERT_TRUE(login.ok()) << Describe(login);
    EXPECT_EQ(Num(*login, "ttl_seconds"), 2);
    old_token = Str(*login, "token");
    app->SetBearerToken(SecureString(old_token.c_str()));
    renewed = app->Call("POST", "/v1/auth/renew", Obj());
    if (CodeOf(renewed) != ErrorCode::kTokenExpired) break;
  }
  ASSERT_TRUE(renewed.ok()) << Describe(renewed);
  std::string new_token = Str(*renewed, "token");
  EXPECT_FALSE(new_token.empty());
  EXPECT_NE(new_token, old_token);
  EXPECT_EQ(Str(*renewed, "key_ring"), "dev");

  // The old token is revoked at once.
  auto old_use = app->Call("GET", "/v1/keyrings/dev/keys");
  EXPECT_EQ(CodeOf(old_use), ErrorCode::kTokenInvalid) << Describe(old_use);
  // The new one works until it too expires.
  app->SetBearerToken(SecureString(new_token.c_str()));
  auto refused = UntilRefused(*app, "/v1/keyrings/dev/keys");
  EXPECT_EQ(CodeOf(refused), ErrorCode::kTokenExpired) << Describe(refused);
}

}  // namespace
}  // namespace kms::testing
