// Key lifecycle against a real kmsd (SoftHSMv2 root): rotation (manual and
// scheduled), enabling and disabling versions, scheduled destruction with
// cancellation, whole-key destruction, and the objects stored next to keys
// (certificates, data objects, public keys).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/time_util.h"
#include "tests/integration/kmsd_process.h"
#include "tests/integration/openssl_check.h"
#include "tests/integration/test_json.h"

namespace kms::testing {
namespace {

// The version object `number` of a key reply (nullptr if absent).
const cJSON* Version(const Json& key, int number) {
  const cJSON* v = nullptr;
  cJSON_ArrayForEach(v, Item(key, "versions")) {
    if (Num(v, "version") == number) return v;
  }
  return nullptr;
}

std::string StateOf(const Json& key, int number) {
  return Str(Version(key, number), "state");
}

// Polls `done` for up to 15 s (the scheduler runs every second).
bool WaitFor(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

class KeyLifecycleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto kmsd = KmsdProcess::Start("softhsm");
    if (!kmsd.ok()) {
      start_error_ = kmsd.status().ToString();
      return;
    }
    kmsd_ = std::move(kmsd).value();
    admin_ = kmsd_->AdminClient();
    auto app = kmsd_->LoggedInApp("dev");
    if (!app.ok()) {
      start_error_ = app.status().ToString();
      return;
    }
    app_ = std::move(app).value();
  }

  static void TearDownTestSuite() {
    rings_.clear();
    app_.reset();
    admin_.reset();
    kmsd_.reset();
  }

  void SetUp() override { ASSERT_NE(app_, nullptr) << start_error_; }

  // The app client logged in to key ring `name` (destroy_wait_seconds
  // `wait`), which is created, granted and given the dev PIN on first use.
  static ApiClient* Ring(const std::string& name, int64_t wait) {
    auto it = rings_.find(name);
    if (it != rings_.end()) return it->second.get();
    Json ring = Json::Object();
    ring.Set("name", name).Set("destroy_wait_seconds", wait);
    Json created = Ok(admin_->Call("POST", "/v1/keyrings", ring));
    EXPECT_EQ(Num(created, "destroy_wait_seconds"), wait);
    Json grant = Json::Object();
    grant.Set("key_ring", name);
    grant.SetStrings("permissions",
                     {"use-sign", "use-verify", "use-encrypt", "use-decrypt",
                      "create", "destroy", "manage"});
    Ok(admin_->Call("POST", "/v1/clients/app/grants", grant));
    Json pin = Json::Object();
    pin.Set("key_ring", name).Set("pin", kmsd_->env("KMS_USER_PIN"));
    Ok(admin_->Call("POST", "/v1/clients/app/pin", pin));
    auto client = kmsd_->LoggedInApp(name);
    if (!client.ok()) {
      ADD_FAILURE() << "login to " << name << ": "
                    << client.status().ToString();
      return nullptr;
    }
    ApiClient* raw = client->get();
    rings_[name] = std::move(client).value();
    return raw;
  }

  static std::string KeyPath(const std::string& ring, const std::string& id) {
    return "/v1/keyrings/" + ring + "/keys/" + id;
  }

  static Json CreateKey(ApiClient* client, const std::string& ring,
                        const std::string& algorithm,
                        int64_t rotation_period = 0) {
    Json body = Json::Object();
    body.Set("label", "life-" + algorithm).Set("algorithm", algorithm);
    if (rotation_period > 0)
      body.Set("rotation_period_seconds", rotation_period);
    return Ok(client->Call("POST", "/v1/keyrings/" + ring + "/keys", body));
  }

  static Result<Json> Post(ApiClient* client, const std::string& path) {
    return client->Call("POST", path, Json::Object());
  }

  static Json GetKey(const std::string& ring, const std::string& id) {
    return Ok(admin_->Call("GET", KeyPath(ring, id)));
  }

  static Result<Json> SignDigest(ApiClient* client, const std::string& ring,
                                 const std::string& id, ByteView digest,
                                 int version = 0) {
    Json body = Json::Object();
    body.SetBase64("data", digest);
    if (version > 0) body.Set("version", version);
    return client->Call("POST", KeyPath(ring, id) + "/sign", body);
  }

  // Every audit record, oldest first.
  static std::vector<Json> AuditRecords() {
    std::vector<Json> out;
    int64_t after = 0;
    for (;;) {
      Json page = Ok(admin_->Call(
          "GET", "/v1/audit?after=" + std::to_string(after) + "&limit=1000"));
      const cJSON* records = Item(page, "records");
      if (cJSON_GetArraySize(records) == 0) break;
      const cJSON* r = nullptr;
      cJSON_ArrayForEach(r, records) {
        after = std::max(after, Num(r, "seq"));
        out.emplace_back(CJsonPtr(cJSON_Duplicate(r, true)));
      }
    }
    return out;
  }

  static inline std::unique_ptr<KmsdProcess> kmsd_;
  static inline std::unique_ptr<ApiClient> admin_;
  static inline std::unique_ptr<ApiClient> app_;
  static inline std::map<std::string, std::unique_ptr<ApiClient>> rings_;
  static inline std::string start_error_;
};

// ---- Rotation ----

TEST_F(KeyLifecycleTest, RotatedEcKeySignsWithV2AndV1StillVerifies) {
  Json key = CreateKey(app_.get(), "dev", "EC_P256");
  const std::string id = Str(key, "id");
  const std::string path = KeyPath("dev", id);
  const Bytes digest = Digest(EVP_sha256(), View(ToBytes("rotate me")));
  Json signed1 = Ok(SignDigest(app_.get(), "dev", id, View(digest)));
  EXPECT_EQ(Num(signed1, "version"), 1);
  const Bytes sig1 = B64(signed1, "signature");
  Json pub1_reply = Ok(app_->Call("GET", path + "/public-key?version=1"));
  EvpPkeyPtr pub1 = PublicKeyFromDer(View(B64(pub1_reply, "public_key")));
  ASSERT_NE(pub1, nullptr);

  Json rotated = Ok(Post(app_.get(), path + "/rotate"));
  EXPECT_EQ(Num(rotated, "primary_version"), 2);
  EXPECT_EQ(cJSON_GetArraySize(Item(rotated, "versions")), 2);
  EXPECT_EQ(StateOf(rotated, 1), "ENABLED");
  EXPECT_EQ(StateOf(rotated, 2), "ENABLED");

  Json signed2 = Ok(SignDigest(app_.get(), "dev", id, View(digest)));
  EXPECT_EQ(Num(signed2, "version"), 2);
  const Bytes sig2 = B64(signed2, "signature");
  Json pub2_reply = Ok(app_->Call("GET", path + "/public-key"));
  EXPECT_EQ(Num(pub2_reply, "version"), 2);
  EvpPkeyPtr pub2 = PublicKeyFromDer(View(B64(pub2_reply, "public_key")));
  ASSERT_NE(pub2, nullptr);
  EXPECT_NE(B64(pub1_reply, "public_key"), B64(pub2_reply, "public_key"));
  EXPECT_TRUE(VerifyEcdsaRaw(pub2.get(), View(digest), View(sig2)));
  EXPECT_FALSE(VerifyEcdsaRaw(pub1.get(), View(digest), View(sig2)));
  // Version 1's signature still verifies, with its own public key and on
  // the server when version 1 is named.
  EXPECT_TRUE(VerifyEcdsaRaw(pub1.get(), View(digest), View(sig1)));
  Json verify = Json::Object();
  verify.Set("version", 1)
      .SetBase64("data", View(digest))
      .SetBase64("signature", View(sig1));
  EXPECT_TRUE(Flag(Ok(app_->Call("POST", path + "/verify", verify)), "valid"));
  // Version 1 can still sign when named explicitly.
  Json v1 = Ok(SignDigest(app_.get(), "dev", id, View(digest), 1));
  EXPECT_EQ(Num(v1, "version"), 1);
  EXPECT_TRUE(
      VerifyEcdsaRaw(pub1.get(), View(digest), View(B64(v1, "signature"))));
}

TEST_F(KeyLifecycleTest, RotatedAesKeyEncryptsWithV2AndDecryptsV1) {
  Json key = CreateKey(app_.get(), "dev", "AES_256");
  const std::string id = Str(key, "id");
  const std::string path = KeyPath("dev", id);
  const Bytes plaintext = ToBytes("version one secret");
  Json gcm = Json::Object();
  gcm.Set("mode", "GCM").SetBase64("plaintext", View(plaintext));
  Json ct1 = Ok(app_->Call("POST", path + "/encrypt", gcm));
  EXPECT_EQ(Num(ct1, "version"), 1);

  // Admin may rotate (management without a token).
  Json rotated = Ok(Post(admin_.get(), path + "/rotate"));
  EXPECT_EQ(Num(rotated, "primary_version"), 2);
  Json ct2 = Ok(app_->Call("POST", path + "/encrypt", gcm));
  EXPECT_EQ(Num(ct2, "version"), 2);

  auto decrypt = [&](const Json& ct, int version) {
    Json body = Json::Object();
    body.Set("mode", "GCM")
        .SetBase64("ciphertext", View(B64(ct, "ciphertext")))
        .SetBase64("iv", View(B64(ct, "iv")))
        .SetBase64("tag", View(B64(ct, "tag")));
    if (version > 0) body.Set("version", version);
    return app_->Call("POST", path + "/decrypt", body);
  };
  Json pt1 = Ok(decrypt(ct1, 1));
  EXPECT_EQ(B64(pt1, "plaintext"), plaintext);
  EXPECT_EQ(Num(pt1, "version"), 1);
  Json pt2 = Ok(decrypt(ct2, 0));
  EXPECT_EQ(B64(pt2, "plaintext"), plaintext);
  EXPECT_EQ(Num(pt2, "version"), 2);
  // The primary (v2) does not decrypt what v1 encrypted.
  EXPECT_TRUE(Fails(decrypt(ct1, 0), ErrorCode::kDecryptFailed));
  EXPECT_TRUE(Fails(decrypt(ct1, 3), ErrorCode::kNotFound));
}

TEST_F(KeyLifecycleTest, DisabledVersionRefusesAndReEnabledWorks) {
  Json key = CreateKey(app_.get(), "dev", "AES_128");
  const std::string id = Str(key, "id");
  const std::string path = KeyPath("dev", id);
  const Bytes plaintext = ToBytes("disable me");
  Json gcm = Json::Object();
  gcm.Set("mode", "GCM").SetBase64("plaintext", View(plaintext));
  Json ct = Ok(app_->Call("POST", path + "/encrypt", gcm));
  Json decrypt = Json::Object();
  decrypt.Set("version", 1)
      .Set("mode", "GCM")
      .SetBase64("ciphertext", View(B64(ct, "ciphertext")))
      .SetBase64("iv", View(B64(ct, "iv")))
      .SetBase64("tag", View(B64(ct, "tag")));
  Ok(Post(app_.get(), path + "/rotate"));

  Json disabled = Ok(Post(app_.get(), path + "/versions/1/disable"));
  EXPECT_EQ(Str(disabled, "state"), "DISABLED");
  EXPECT_EQ(StateOf(GetKey("dev", id), 1), "DISABLED");
  EXPECT_TRUE(Fails(app_->Call("POST", path + "/decrypt", decrypt),
                    ErrorCode::kVersionDisabled));
  EXPECT_EQ(app_->last_http_status(), 409);
  Json enc_v1 = Json::Object();
  enc_v1.Set("version", 1)
      .Set("mode", "GCM")
      .SetBase64("plaintext", View(plaintext));
  EXPECT_TRUE(Fails(app_->Call("POST", path + "/encrypt", enc_v1),
                    ErrorCode::kVersionDisabled));
  // Disabling twice is harmless; the primary still works.
  EXPECT_EQ(Str(Ok(Post(app_.get(), path + "/versions/1/disable")), "state"),
            "DISABLED");
  EXPECT_EQ(Num(Ok(app_->Call("POST", path + "/encrypt", gcm)), "version"), 2);

  Json enabled = Ok(Post(app_.get(), path + "/versions/1/enable"));
  EXPECT_EQ(Str(enabled, "state"), "ENABLED");
  EXPECT_EQ(
      B64(Ok(app_->Call("POST", path + "/decrypt", decrypt)), "plaintext"),
      plaintext);

  // The primary may be disabled too; then nothing encrypts until it is
  // enabled again or the key is rotated.
  EXPECT_EQ(Str(Ok(Post(app_.get(), path + "/versions/2/disable")), "state"),
            "DISABLED");
  EXPECT_TRUE(Fails(app_->Call("POST", path + "/encrypt", gcm),
                    ErrorCode::kVersionDisabled));
  EXPECT_TRUE(Fails(Post(app_.get(), path + "/versions/9/disable"),
                    ErrorCode::kNotFound));
}

TEST_F(KeyLifecycleTest, ScheduledRotationHappensOnItsOwn) {
  const int64_t created_at = NowMillis();
  Json key = CreateKey(app_.get(), "dev", "AES_256", 2);
  const std::string id = Str(key, "id");
  EXPECT_EQ(Num(key, "rotation_period_seconds"), 2);
  EXPECT_GE(Num(key, "next_rotation_at"), created_at + 2000);
  EXPECT_EQ(Num(key, "primary_version"), 1);

  int64_t primary = 0;
  EXPECT_TRUE(WaitFor([&] {
    primary = Num(GetKey("dev", id), "primary_version");
    return primary >= 2;
  })) << "no scheduled rotation within 15 s";
  // The new primary is in use.
  Json gcm = Json::Object();
  gcm.Set("mode", "GCM").SetBase64("plaintext", View(ToBytes("x")));
  EXPECT_GE(Num(Ok(app_->Call("POST", KeyPath("dev", id) + "/encrypt", gcm)),
                "version"),
            2);

  bool audited = false;
  EXPECT_TRUE(WaitFor([&] {
    for (const Json& r : AuditRecords()) {
      if (Str(r, "operation") == "scheduled-rotate" && Str(r, "key_id") == id &&
          Str(r, "result") == "OK" && Num(r, "version") >= 2) {
        audited = true;
      }
    }
    return audited;
  }));
  EXPECT_TRUE(audited) << "no scheduled-rotate audit record for " << id;

  // Turning the period off stops it.
  Json off = Json::Object();
  off.Set("rotation_period_seconds", 0);
  Json updated = Ok(app_->Call("POST", KeyPath("dev", id) + "/update", off));
  EXPECT_EQ(Num(updated, "next_rotation_at"), 0);
  // A negative period is refused.
  Json too_short = Json::Object();
  too_short.Set("rotation_period_seconds", -5);
  EXPECT_TRUE(
      Fails(app_->Call("POST", KeyPath("dev", id) + "/update", too_short),
            ErrorCode::kInvalidArgument));
}

// ---- Destruction ----

TEST_F(KeyLifecycleTest, VersionDestructionCanBeCancelledThenCompletes) {
  ApiClient* app = Ring("wait3", 3);
  ASSERT_NE(app, nullptr);
  Json key = CreateKey(app, "wait3", "EC_P256");
  const std::string id = Str(key, "id");
  const std::string path = KeyPath("wait3", id);
  ASSERT_FALSE(B64(Version(key, 1), "public_key").empty());
  const Bytes digest = Digest(EVP_sha256(), View(ToBytes("destroy me")));
  ASSERT_TRUE(SignDigest(app, "wait3", id, View(digest)).ok());

  int64_t before = NowMillis();
  Json scheduled = Ok(Post(app, path + "/versions/1/destroy"));
  int64_t after = NowMillis();
  EXPECT_EQ(Str(scheduled, "state"), "DESTROY_SCHEDULED");
  EXPECT_GE(Num(scheduled, "destroy_at"), before + 3000);
  EXPECT_LE(Num(scheduled, "destroy_at"), after + 3000);
  EXPECT_TRUE(Fails(SignDigest(app, "wait3", id, View(digest)),
                    ErrorCode::kVersionDisabled));
  EXPECT_TRUE(Fails(Post(app, path + "/versions/1/enable"),
                    ErrorCode::kFailedPrecondition));

  Json cancelled = Ok(Post(app, path + "/versions/1/cancel-destroy"));
  EXPECT_EQ(Str(cancelled, "state"), "ENABLED");
  EXPECT_EQ(Num(cancelled, "destroy_at"), 0);
  Json signed_again = Ok(SignDigest(app, "wait3", id, View(digest)));
  EXPECT_EQ(B64(signed_again, "signature").size(), 64u);
  EXPECT_TRUE(Fails(Post(app, path + "/versions/1/cancel-destroy"),
                    ErrorCode::kFailedPrecondition));

  Ok(Post(app, path + "/versions/1/destroy"));
  std::string state;
  EXPECT_TRUE(WaitFor([&] {
    state = StateOf(GetKey("wait3", id), 1);
    return state == "DESTROYED";
  })) << "state still "
      << state;
  Json destroyed = GetKey("wait3", id);
  const cJSON* v1 = Version(destroyed, 1);
  EXPECT_EQ(Str(v1, "state"), "DESTROYED");
  EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(v1, "public_key"), nullptr)
      << "public_key still in " << destroyed.Dump();
  EXPECT_GE(Num(v1, "destroyed_at"), Num(v1, "destroy_at"));
  EXPECT_TRUE(Fails(SignDigest(app, "wait3", id, View(digest)),
                    ErrorCode::kVersionDestroyed));
  EXPECT_EQ(app->last_http_status(), 410);
  EXPECT_TRUE(Fails(app->Call("GET", path + "/public-key?version=1"),
                    ErrorCode::kVersionDestroyed));
  EXPECT_TRUE(Fails(Post(app, path + "/versions/1/enable"),
                    ErrorCode::kFailedPrecondition));
  EXPECT_EQ(app->last_http_status(), 409);
  EXPECT_TRUE(Fails(Post(app, path + "/versions/1/cancel-destroy"),
                    ErrorCode::kFailedPrecondition));
  EXPECT_TRUE(Fails(Post(app, path + "/versions/1/destroy"),
                    ErrorCode::kFailedPrecondition));

  bool audited = false;
  for (const Json& r : AuditRecords()) {
    if (Str(r, "operation") == "scheduled-destroy" && Str(r, "key_id") == id &&
        Str(r, "result") == "OK") {
      audited = true;
    }
  }
  EXPECT_TRUE(audited) << "no scheduled-destroy audit record for " << id;
}

TEST_F(KeyLifecycleTest, WholeKeyDestroyHidesAndCancelRestores) {
  ApiClient* app = Ring("wait1h", 3600);
  ASSERT_NE(app, nullptr);
  Json key = CreateKey(app, "wait1h", "AES_256");
  const std::string id = Str(key, "id");
  const std::string path = KeyPath("wait1h", id);
  Ok(Post(app, path + "/rotate"));
  Ok(Post(app, path + "/versions/1/disable"));
  auto listed = [&](bool include_deleted) {
    Json list = Ok(
        app->Call("GET", std::string("/v1/keyrings/wait1h/keys") +
                             (include_deleted ? "?include_deleted=true" : "")));
    const cJSON* k = nullptr;
    cJSON_ArrayForEach(k, Item(list, "keys")) {
      if (Str(k, "id") == id) return true;
    }
    return false;
  };
  ASSERT_TRUE(listed(false));

  Json destroyed = Ok(Post(app, path + "/destroy"));
  EXPECT_TRUE(Flag(destroyed, "deleted"));
  EXPECT_EQ(StateOf(destroyed, 1), "DESTROY_SCHEDULED");
  EXPECT_EQ(StateOf(destroyed, 2), "DESTROY_SCHEDULED");
  EXPECT_FALSE(listed(false));
  EXPECT_TRUE(listed(true));
  EXPECT_TRUE(Flag(GetKey("wait1h", id), "deleted"));
  Json gcm = Json::Object();
  gcm.Set("mode", "GCM").SetBase64("plaintext", View(ToBytes("z")));
  EXPECT_TRUE(Fails(app->Call("POST", path + "/encrypt", gcm),
                    ErrorCode::kVersionDisabled));
  EXPECT_TRUE(
      Fails(Post(app, path + "/rotate"), ErrorCode::kFailedPrecondition));

  Json restored = Ok(Post(app, path + "/cancel-destroy"));
  EXPECT_FALSE(Flag(restored, "deleted"));
  // Each version returns to the state it had.
  EXPECT_EQ(StateOf(restored, 1), "DISABLED");
  EXPECT_EQ(StateOf(restored, 2), "ENABLED");
  EXPECT_TRUE(listed(false));
  EXPECT_EQ(Num(Ok(app->Call("POST", path + "/encrypt", gcm)), "version"), 2);
}

TEST_F(KeyLifecycleTest, ZeroWaitDestroysImmediately) {
  ApiClient* app = Ring("wait0", 0);
  ASSERT_NE(app, nullptr);
  Json key = CreateKey(app, "wait0", "ED25519");
  const std::string id = Str(key, "id");
  const std::string path = KeyPath("wait0", id);
  Json destroyed = Ok(Post(app, path + "/versions/1/destroy"));
  EXPECT_EQ(Str(destroyed, "state"), "DESTROYED");
  EXPECT_GT(Num(destroyed, "destroyed_at"), 0);
  EXPECT_EQ(Item(destroyed, "public_key"), nullptr);
  EXPECT_TRUE(Fails(SignDigest(app, "wait0", id, View(ToBytes("msg"))),
                    ErrorCode::kVersionDestroyed));

  // Whole key: every version is gone at once and cannot be restored.
  Json other = CreateKey(app, "wait0", "HMAC_SHA256");
  const std::string other_path = KeyPath("wait0", Str(other, "id"));
  Ok(Post(app, other_path + "/rotate"));
  Json gone = Ok(Post(app, other_path + "/destroy"));
  EXPECT_EQ(StateOf(gone, 1), "DESTROYED");
  EXPECT_EQ(StateOf(gone, 2), "DESTROYED");
  EXPECT_TRUE(Fails(Post(app, other_path + "/cancel-destroy"),
                    ErrorCode::kFailedPrecondition));
}

TEST_F(KeyLifecycleTest, DestroyWaitOutOfRangeIsRefused) {
  for (int64_t wait : {int64_t{-1}, int64_t{315360001}}) {
    SCOPED_TRACE(wait);
    Json ring = Json::Object();
    ring.Set("name", "bad-wait").Set("destroy_wait_seconds", wait);
    EXPECT_TRUE(Fails(admin_->Call("POST", "/v1/keyrings", ring),
                      ErrorCode::kInvalidArgument));
  }
  Json list = Ok(admin_->Call("GET", "/v1/keyrings"));
  const cJSON* r = nullptr;
  cJSON_ArrayForEach(r, Item(list, "key_rings")) {
    EXPECT_NE(Str(r, "name"), "bad-wait");
  }
  // The bounds themselves are accepted (the dev config allows short waits).
  Json zero = Json::Object();
  zero.Set("name", "zero-wait").Set("destroy_wait_seconds", 0);
  EXPECT_EQ(Num(Ok(admin_->Call("POST", "/v1/keyrings", zero)),
                "destroy_wait_seconds"),
            0);
  // Key use needs a login: the admin alone cannot sign.
  Json key = CreateKey(admin_.get(), "zero-wait", "EC_P256");
  EXPECT_TRUE(Fails(
      SignDigest(admin_.get(), "zero-wait", Str(key, "id"), View(Bytes(32, 1))),
      ErrorCode::kTokenMissing));
}

// ---- Objects ----

TEST_F(KeyLifecycleTest, ObjectsRoundTrip) {
  EvpPkeyPtr ec = GenerateEc("P-256");
  ASSERT_NE(ec, nullptr);
  const Bytes cert = SelfSignedCertificate(ec.get(), "kms-test");
  ASSERT_FALSE(cert.empty());
  const Bytes spki = PublicKeySpki(ec.get());
  const Bytes data = ToBytes("opaque application data\x01\x02");
  const Bytes ck_id = {0x01, 0x02, 0x03};
  struct Case {
    const char* object_class;
    Bytes value;
  };
  for (const Case& c : {Case{"certificate", cert}, Case{"data", data},
                        Case{"public_key", spki}}) {
    SCOPED_TRACE(c.object_class);
    Json attributes = Json::Object();
    attributes.Set("CKA_TRUSTED", false);
    Json body = Json::Object();
    body.Set("class", c.object_class)
        .Set("label", std::string("obj-") + c.object_class)
        .SetBase64("ck_id", View(ck_id))
        .SetBase64("value", View(c.value))
        .Set("attributes", std::move(attributes));
    Json created = Ok(app_->Call("POST", "/v1/keyrings/dev/objects", body));
    const std::string id = Str(created, "id");
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(Str(created, "class"), c.object_class);
    EXPECT_EQ(B64(created, "value"), c.value);
    const std::string path = "/v1/keyrings/dev/objects/" + id;

    auto in_list = [&] {
      Json list = Ok(app_->Call("GET", "/v1/keyrings/dev/objects"));
      const cJSON* o = nullptr;
      cJSON_ArrayForEach(o, Item(list, "objects")) {
        if (Str(o, "id") == id) return true;
      }
      return false;
    };
    EXPECT_TRUE(in_list());

    Json got = Ok(app_->Call("GET", path));
    EXPECT_EQ(Str(got, "label"), std::string("obj-") + c.object_class);
    EXPECT_EQ(Str(got, "key_ring"), "dev");
    EXPECT_EQ(B64(got, "ck_id"), ck_id);
    EXPECT_EQ(B64(got, "value"), c.value);
    EXPECT_TRUE(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
        Item(got, "attributes"), "CKA_TRUSTED")))
        << got.Dump();

    Json update = Json::Object();
    update.Set("label", "renamed");
    EXPECT_EQ(Str(Ok(app_->Call("POST", path + "/update", update)), "label"),
              "renamed");
    const Bytes new_id = {0x09};
    Json update_id = Json::Object();
    update_id.SetBase64("ck_id", View(new_id));
    Ok(app_->Call("POST", path + "/update", update_id));
    Json after = Ok(admin_->Call("GET", path));  // admin reads objects too
    EXPECT_EQ(Str(after, "label"), "renamed");
    EXPECT_EQ(B64(after, "ck_id"), new_id);
    EXPECT_EQ(B64(after, "value"), c.value);

    Ok(app_->Call("DELETE", path));
    EXPECT_TRUE(Fails(app_->Call("GET", path), ErrorCode::kNotFound));
    EXPECT_FALSE(in_list());
    EXPECT_TRUE(Fails(app_->Call("DELETE", path), ErrorCode::kNotFound));
  }

  // Values that are not what the class says are refused.
  Bytes trailing = cert;
  trailing.push_back(0);
  for (const auto& [object_class, value] :
       std::vector<std::pair<std::string, Bytes>>{
           {"certificate", ToBytes("this is not DER")},
           {"certificate", Bytes(cert.begin(), cert.end() - 5)},
           {"certificate", trailing},
           {"certificate", spki},
           {"public_key", ToBytes("garbage")}}) {
    SCOPED_TRACE(object_class);
    Json body = Json::Object();
    body.Set("class", object_class).Set("label", "bad");
    body.SetBase64("value", View(value));
    EXPECT_TRUE(Fails(app_->Call("POST", "/v1/keyrings/dev/objects", body),
                      ErrorCode::kDataInvalid));
  }
  Json unknown = Json::Object();
  unknown.Set("class", "private_key").SetBase64("value", View(data));
  EXPECT_TRUE(Fails(app_->Call("POST", "/v1/keyrings/dev/objects", unknown),
                    ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace kms::testing
