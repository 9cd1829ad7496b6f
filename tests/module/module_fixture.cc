#include "tests/module/module_fixture.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>

#include "module/base/ck_status.h"

namespace kms::testing {

std::unique_ptr<KmsdProcess> ModuleTest::kmsd_;
void* ModuleTest::handle_ = nullptr;
CK_FUNCTION_LIST* ModuleTest::p11_ = nullptr;

std::string BuildDir() {
  const char* dir = std::getenv("KMS_BUILD_DIR");
  if (dir != nullptr && dir[0] != '\0') return dir;
  // Not set (e.g. ctest without it): the test binary lives in
  // <build>/tests/module/, so the build directory is two levels up; also
  // tell KmsdProcess, which reads the same variable.
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string build =
      ec ? "." : exe.parent_path().parent_path().parent_path().string();
  setenv("KMS_BUILD_DIR", build.c_str(), 0);
  return build;
}

std::string ModulePath() { return BuildDir() + "/lib/libkms-pkcs11.so"; }

const char* RvName(CK_RV rv) { return p11::CkRvName(rv); }

void ModuleTest::SetUpTestSuite() {
  BuildDir();
  auto started = KmsdProcess::Start("file");
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  kmsd_ = std::move(started).value();
  setenv("KMS_PKCS11_CONFIG", kmsd_->env("KMS_PKCS11_CONFIG").c_str(), 1);
  handle_ = dlopen(ModulePath().c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle_, nullptr) << dlerror();
  auto get = reinterpret_cast<CK_C_GetFunctionList>(
      dlsym(handle_, "C_GetFunctionList"));
  ASSERT_NE(get, nullptr);
  ASSERT_EQ(get(&p11_), CKR_OK);
}

void ModuleTest::TearDownTestSuite() {
  if (handle_ != nullptr) dlclose(handle_);
  handle_ = nullptr;
  p11_ = nullptr;
  kmsd_.reset();
}

void ModuleTest::SetUp() {
  ASSERT_NE(p11_, nullptr);
  ASSERT_CKR(CKR_OK, p11_->C_Initialize(nullptr));
}

void ModuleTest::TearDown() {
  if (p11_ != nullptr) p11_->C_Finalize(nullptr);
}

CK_SESSION_HANDLE ModuleTest::OpenSession(bool rw) {
  CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
  CK_FLAGS flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
  EXPECT_CKR(CKR_OK, p11_->C_OpenSession(0, flags, nullptr, nullptr, &s));
  return s;
}

CK_SESSION_HANDLE ModuleTest::OpenLoggedIn() {
  CK_SESSION_HANDLE s = OpenSession();
  std::string pin = Pin();
  EXPECT_CKR(
      CKR_OK,
      p11_->C_Login(s, CKU_USER, reinterpret_cast<CK_UTF8CHAR_PTR>(pin.data()),
                    pin.size()));
  return s;
}

std::string ModuleTest::CreateKey(const std::string& label,
                                  const std::string& algorithm) {
  auto client = kmsd_->LoggedInApp();
  EXPECT_TRUE(client.ok());
  if (!client.ok()) return "";
  Json body = Json::Object();
  body.Set("label", label);
  body.Set("algorithm", algorithm);
  auto reply = (*client)->Call("POST", "/v1/keyrings/dev/keys", body);
  EXPECT_TRUE(reply.ok()) << reply.status().ToString();
  if (!reply.ok()) return "";
  const cJSON* id = cJSON_GetObjectItemCaseSensitive(reply->get(), "id");
  return cJSON_IsString(id) ? id->valuestring : "";
}

std::vector<CK_OBJECT_HANDLE> ModuleTest::Find(
    CK_SESSION_HANDLE s, std::vector<CK_ATTRIBUTE> criteria) {
  std::vector<CK_OBJECT_HANDLE> out;
  EXPECT_CKR(CKR_OK,
             p11_->C_FindObjectsInit(s, criteria.data(), criteria.size()));
  CK_OBJECT_HANDLE batch[3];
  CK_ULONG n = 0;
  do {
    EXPECT_CKR(CKR_OK, p11_->C_FindObjects(s, batch, 3, &n));
    out.insert(out.end(), batch, batch + n);
  } while (n > 0);
  EXPECT_CKR(CKR_OK, p11_->C_FindObjectsFinal(s));
  return out;
}

CK_OBJECT_HANDLE ModuleTest::FindOne(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls,
                                     const std::string& label) {
  std::string text = label;
  std::vector<CK_ATTRIBUTE> criteria = {{CKA_CLASS, &cls, sizeof(cls)},
                                        {CKA_LABEL, text.data(), text.size()}};
  auto found = Find(s, criteria);
  EXPECT_EQ(found.size(), 1u) << label;
  return found.empty() ? CK_INVALID_HANDLE : found[0];
}

Bytes ModuleTest::Attribute(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                            CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE a = {type, nullptr, 0};
  EXPECT_CKR(CKR_OK, p11_->C_GetAttributeValue(s, o, &a, 1));
  if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION) return {};
  Bytes value(a.ulValueLen);
  a.pValue = value.data();
  EXPECT_CKR(CKR_OK, p11_->C_GetAttributeValue(s, o, &a, 1));
  value.resize(a.ulValueLen);
  return value;
}

}  // namespace kms::testing
