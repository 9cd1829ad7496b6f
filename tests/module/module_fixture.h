// Loads build/lib/libkms-pkcs11.so with dlopen (as applications do) and
// drives it against a real dev kmsd shared by the tests of a suite.
#ifndef KMS_TESTS_MODULE_MODULE_FIXTURE_H_
#define KMS_TESTS_MODULE_MODULE_FIXTURE_H_

#include <gtest/gtest.h>
#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>
#include <vector>

#include "common/secure_memory.h"
#include "tests/integration/kmsd_process.h"

namespace kms::testing {

std::string ModulePath();
const char* RvName(CK_RV rv);

#define EXPECT_CKR(expected, expr) EXPECT_EQ(RvName(expected), RvName(expr))
#define ASSERT_CKR(expected, expr) ASSERT_EQ(RvName(expected), RvName(expr))

class ModuleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;     // C_Initialize(NULL)
  void TearDown() override;  // C_Finalize if still initialised

  static KmsdProcess& kmsd() { return *kmsd_; }
  static std::string Pin() { return kmsd_->env("KMS_USER_PIN"); }
  CK_FUNCTION_LIST* p11() const { return p11_; }

  CK_SESSION_HANDLE OpenSession(bool rw = true);
  CK_SESSION_HANDLE OpenLoggedIn();
  // Creates a key on the server (as the app) and returns its id.
  std::string CreateKey(const std::string& label, const std::string& algorithm);
  std::vector<CK_OBJECT_HANDLE> Find(CK_SESSION_HANDLE s,
                                     std::vector<CK_ATTRIBUTE> criteria);
  CK_OBJECT_HANDLE FindOne(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls,
                           const std::string& label);
  Bytes Attribute(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                  CK_ATTRIBUTE_TYPE type);

 private:
  static std::unique_ptr<KmsdProcess> kmsd_;
  static void* handle_;
  static CK_FUNCTION_LIST* p11_;
};

}  // namespace kms::testing

#endif  // KMS_TESTS_MODULE_MODULE_FIXTURE_H_
