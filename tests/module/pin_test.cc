// C_SetPIN, C_InitPIN and the security officer (CKU_SO) through the module
// against kmsd. The SO is the dev "admin" client: a module configuration
// with its certificate and "user_client": "app" manages the app's PIN.
#include <unistd.h>

#include <cstdlib>

#include "common/file_util.h"
#include "tests/integration/test_json.h"
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

using PinTest = ModuleTest;
using PinRenewalTest = ModuleTest;
using SecurityOfficerTest = ModuleTest;

CK_UTF8CHAR_PTR U(std::string& s) {
  return reinterpret_cast<CK_UTF8CHAR_PTR>(s.data());
}

CK_RV Login(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s, CK_USER_TYPE type,
            std::string pin) {
  return p11->C_Login(s, type, U(pin), pin.size());
}

CK_RV SetPin(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s, std::string old_pin,
             std::string new_pin) {
  return p11->C_SetPIN(s, U(old_pin), old_pin.size(), U(new_pin),
                       new_pin.size());
}

// Something that needs the login's token on the server.
CK_RV ListKeys(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s) {
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof(cls)};
  CK_RV rv = p11->C_FindObjectsInit(s, &t, 1);
  if (rv != CKR_OK) return rv;
  return p11->C_FindObjectsFinal(s);
}

CK_RV GenerateAes(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s) {
  CK_MECHANISM gen = {CKM_AES_KEY_GEN, nullptr, 0};
  CK_ULONG len = 16;
  CK_ATTRIBUTE t = {CKA_VALUE_LEN, &len, sizeof(len)};
  CK_OBJECT_HANDLE h = 0;
  return p11->C_GenerateKey(s, &gen, &t, 1, &h);
}

TEST_F(PinTest, SetPinChangesTheUserPin) {
  const std::string pin = Pin(), next = "n3w-pin-" + std::to_string(getpid());
  CK_SESSION_HANDLE ro = OpenSession(false);
  EXPECT_CKR(CKR_SESSION_READ_ONLY, SetPin(p11(), ro, pin, next));
  CK_SESSION_HANDLE s = OpenSession();
  // Not logged in: the user's PIN.
  EXPECT_CKR(CKR_PIN_INCORRECT, SetPin(p11(), s, pin + "x", next));
  // kmsd's PIN policy (at least 4 characters), checked before the old PIN.
  EXPECT_CKR(CKR_PIN_LEN_RANGE, SetPin(p11(), s, pin, "12"));
  EXPECT_CKR(CKR_PIN_LEN_RANGE, SetPin(p11(), s, pin, ""));
  EXPECT_CKR(CKR_PIN_INVALID, SetPin(p11(), s, pin, std::string("ab\0cd", 5)));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_SetPIN(s, nullptr, 0, nullptr, 0));

  // Logged in: the PIN of the user logged in; the login stays usable.
  ASSERT_CKR(CKR_OK, Login(p11(), s, CKU_USER, pin));
  ASSERT_CKR(CKR_OK, SetPin(p11(), s, pin, next));
  EXPECT_CKR(CKR_OK, ListKeys(p11(), s));
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  EXPECT_CKR(CKR_PIN_INCORRECT, Login(p11(), s, CKU_USER, pin));
  ASSERT_CKR(CKR_OK, Login(p11(), s, CKU_USER, next));
  EXPECT_CKR(CKR_OK, ListKeys(p11(), s));
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  // Back, without a login.
  ASSERT_CKR(CKR_OK, SetPin(p11(), s, next, pin));
  EXPECT_CKR(CKR_OK, Login(p11(), s, CKU_USER, pin));
}

TEST_F(PinTest, WrongOldPinsLockThePin) {
  const std::string pin = Pin();
  CK_SESSION_HANDLE s = OpenSession();
  CK_RV rv = CKR_OK;
  int tries = 0;
  do {
    rv = SetPin(p11(), s, "wrong-pin", "whatever-new");
  } while (rv == CKR_PIN_INCORRECT && ++tries < 20);
  EXPECT_CKR(CKR_PIN_LOCKED, rv);
  EXPECT_CKR(CKR_PIN_LOCKED, SetPin(p11(), s, pin, "whatever-new"));
  CK_TOKEN_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetTokenInfo(0, &info));
  EXPECT_TRUE(info.flags & CKF_USER_PIN_LOCKED);
  Json body = Json::Object();
  body.Set("key_ring", "dev");
  Ok(kmsd().AdminClient()->Call("POST", "/v1/clients/app/unlock", body));
  EXPECT_CKR(CKR_OK, Login(p11(), s, CKU_USER, pin));
}

TEST_F(PinTest, LoginChecks) {
  CK_SESSION_HANDLE s = OpenSession();
  EXPECT_CKR(CKR_USER_TYPE_INVALID, Login(p11(), s, 7, Pin()));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED,
             Login(p11(), s, CKU_CONTEXT_SPECIFIC, Pin()));
  // The app client has no admin role: it cannot be the SO.
  EXPECT_CKR(CKR_USER_TYPE_INVALID, Login(p11(), s, CKU_SO, Pin()));
  // ... and that refusal cost no PIN attempt.
  CK_TOKEN_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetTokenInfo(0, &info));
  EXPECT_FALSE(info.flags & CKF_USER_PIN_COUNT_LOW);
  ASSERT_CKR(CKR_OK, Login(p11(), s, CKU_USER, Pin()));
  EXPECT_CKR(CKR_USER_ALREADY_LOGGED_IN, Login(p11(), s, CKU_USER, Pin()));
  EXPECT_CKR(CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
             Login(p11(), s, CKU_SO, Pin()));
  // C_InitPIN is for the SO only.
  std::string pin = "1234567";
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, p11()->C_InitPIN(s, U(pin), pin.size()));
}

// Tokens live one second here, so every call after a pause needs the
// module's transparent renewal: a fresh login with the cached PIN, which
// must be the new one after C_SetPIN.
TEST_F(PinRenewalTest, RenewalUsesTheNewPin) {
  const std::string config = kmsd().data_dir() + "/kmsd.json";
  auto text = ReadFile(config);
  ASSERT_TRUE(text.ok());
  auto json = Json::Parse(*text);
  ASSERT_TRUE(json.ok());
  cJSON* auth = cJSON_GetObjectItemCaseSensitive(json->get(), "auth");
  if (!cJSON_IsObject(auth)) {
    json->Set("auth", Json::Object());
    auth = cJSON_GetObjectItemCaseSensitive(json->get(), "auth");
  }
  cJSON_DeleteItemFromObjectCaseSensitive(auth, "token_ttl_seconds");
  cJSON_AddNumberToObject(auth, "token_ttl_seconds", 1);
  ASSERT_TRUE(WriteFileAtomic(config, json->Dump(), 0600).ok());
  p11()->C_Finalize(nullptr);
  ASSERT_TRUE(kmsd().RestartOnSamePort().ok());
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));

  const std::string pin = Pin(), next = "renewed-" + std::to_string(getpid());
  CK_SESSION_HANDLE s = OpenLoggedIn();
  ASSERT_CKR(CKR_OK, SetPin(p11(), s, pin, next));
  sleep(2);  // let the token expire (not a timing assertion)
  EXPECT_CKR(CKR_OK, GenerateAes(p11(), s));
  // The renewal logged in with the new PIN: the old one still refused, no
  // attempt wasted on it by the module.
  CK_TOKEN_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetTokenInfo(0, &info));
  EXPECT_FALSE(info.flags & CKF_USER_PIN_COUNT_LOW);
  ASSERT_CKR(CKR_OK, SetPin(p11(), s, next, pin));
  sleep(2);
  EXPECT_CKR(CKR_OK, GenerateAes(p11(), s));
}

// A module configuration for the SO: the admin certificate, the app as the
// token's user.
std::string SoConfig(KmsdProcess& kmsd, bool with_user) {
  auto text = ReadFile(kmsd.env("KMS_PKCS11_CONFIG"));
  EXPECT_TRUE(text.ok());
  auto json = Json::Parse(text.ok() ? *text : "{}");
  EXPECT_TRUE(json.ok());
  cJSON* root = json->get();
  cJSON_DeleteItemFromObjectCaseSensitive(root, "cert_file");
  cJSON_DeleteItemFromObjectCaseSensitive(root, "key_file");
  json->Set("cert_file", kmsd.env("KMS_ADMIN_CERT"));
  json->Set("key_file", kmsd.env("KMS_ADMIN_KEY"));
  cJSON* token =
      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "tokens"), 0);
  if (with_user) cJSON_AddStringToObject(token, "user_client", "app");
  std::string path = kmsd.data_dir() + (with_user ? "/so.json" : "/so0.json");
  EXPECT_TRUE(WriteFileAtomic(path, json->Dump(), 0600).ok());
  return path;
}

class ConfigScope {
 public:
  ConfigScope(CK_FUNCTION_LIST* p11, const std::string& path) : p11_(p11) {
    old_ = std::getenv("KMS_PKCS11_CONFIG");
    p11_->C_Finalize(nullptr);
    setenv("KMS_PKCS11_CONFIG", path.c_str(), 1);
    EXPECT_CKR(CKR_OK, p11_->C_Initialize(nullptr));
  }
  ~ConfigScope() {
    p11_->C_Finalize(nullptr);
    setenv("KMS_PKCS11_CONFIG", old_.c_str(), 1);
    EXPECT_CKR(CKR_OK, p11_->C_Initialize(nullptr));
  }

 private:
  CK_FUNCTION_LIST* p11_;
  std::string old_;
};

TEST_F(SecurityOfficerTest, SoSetsTheUserPin) {
  const std::string so_pin = "so-pin-" + std::to_string(getpid());
  Json body = Json::Object();
  body.Set("key_ring", "dev");
  body.Set("pin", so_pin);
  Ok(kmsd().AdminClient()->Call("POST", "/v1/clients/admin/pin", body));
  const std::string user_pin = Pin(), fresh = "init-pin-1";
  {
    ConfigScope scope(p11(), SoConfig(kmsd(), true));
    CK_SESSION_HANDLE ro = OpenSession(false);
    EXPECT_CKR(CKR_SESSION_READ_ONLY_EXISTS, Login(p11(), ro, CKU_SO, so_pin));
    ASSERT_CKR(CKR_OK, p11()->C_CloseSession(ro));
    CK_SESSION_HANDLE s = OpenSession();
    std::string pin = fresh;
    EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, p11()->C_InitPIN(s, U(pin), pin.size()));
    EXPECT_CKR(CKR_PIN_INCORRECT, Login(p11(), s, CKU_SO, so_pin + "x"));
    ASSERT_CKR(CKR_OK, Login(p11(), s, CKU_SO, so_pin));
    CK_SESSION_INFO info;
    ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(s, &info));
    EXPECT_EQ(info.state, static_cast<CK_STATE>(CKS_RW_SO_FUNCTIONS));
    CK_SESSION_HANDLE other = CK_INVALID_HANDLE;
    EXPECT_CKR(
        CKR_SESSION_READ_WRITE_SO_EXISTS,
        p11()->C_OpenSession(0, CKF_SERIAL_SESSION, nullptr, nullptr, &other));
    EXPECT_CKR(CKR_USER_ALREADY_LOGGED_IN, Login(p11(), s, CKU_SO, so_pin));
    EXPECT_CKR(CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
               Login(p11(), s, CKU_USER, user_pin));
    // The SO sees no keys and uses none.
    EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, GenerateAes(p11(), s));
    std::string shortpin = "12";
    EXPECT_CKR(CKR_PIN_LEN_RANGE,
               p11()->C_InitPIN(s, U(shortpin), shortpin.size()));
    ASSERT_CKR(CKR_OK, p11()->C_InitPIN(s, U(pin), pin.size()));
    // C_SetPIN in an SO session changes the SO's own PIN.
    ASSERT_CKR(CKR_OK, SetPin(p11(), s, so_pin, so_pin + "2"));
    ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
    EXPECT_CKR(CKR_PIN_INCORRECT, Login(p11(), s, CKU_SO, so_pin));
    ASSERT_CKR(CKR_OK, Login(p11(), s, CKU_SO, so_pin + "2"));
    ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  }
  {
    // Without user_client the token has no user to initialise.
    ConfigScope scope(p11(), SoConfig(kmsd(), false));
    CK_SESSION_HANDLE s = OpenSession();
    ASSERT_CKR(CKR_OK, Login(p11(), s, CKU_SO, so_pin + "2"));
    std::string pin = fresh;
    EXPECT_CKR(CKR_FUNCTION_FAILED, p11()->C_InitPIN(s, U(pin), pin.size()));
  }
  // The app logs in with the PIN the SO set, and sets its own back.
  CK_SESSION_HANDLE s = OpenSession();
  EXPECT_CKR(CKR_PIN_INCORRECT, Login(p11(), s, CKU_USER, user_pin));
  ASSERT_CKR(CKR_OK, Login(p11(), s, CKU_USER, fresh));
  ASSERT_CKR(CKR_OK, SetPin(p11(), s, fresh, user_pin));
}

}  // namespace
}  // namespace kms::testing
