// C_Initialize: CK_C_INITIALIZE_ARGS, configuration errors, fork.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/file_util.h"
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

class ConfigTest : public ModuleTest {
 protected:
  void SetUp() override {}  // each test initialises itself
  void TearDown() override {
    p11()->C_Finalize(nullptr);
    setenv("KMS_PKCS11_CONFIG", kmsd().env("KMS_PKCS11_CONFIG").c_str(), 1);
  }
  // Writes `text` as the module config and points the module at it.
  void UseConfig(const std::string& text) {
    std::string path = kmsd().data_dir() + "/test-pkcs11.json";
    std::ofstream(path) << text;
    setenv("KMS_PKCS11_CONFIG", path.c_str(), 1);
  }
};

CK_RV CreateMutex(CK_VOID_PTR_PTR) { return CKR_OK; }
CK_RV MutexOp(CK_VOID_PTR) { return CKR_OK; }

TEST_F(ConfigTest, NotInitialisedBeforeInitialize) {
  CK_INFO info;
  EXPECT_CKR(CKR_CRYPTOKI_NOT_INITIALIZED, p11()->C_GetInfo(&info));
  EXPECT_CKR(CKR_CRYPTOKI_NOT_INITIALIZED, p11()->C_Finalize(nullptr));
  CK_ULONG count = 0;
  EXPECT_CKR(CKR_CRYPTOKI_NOT_INITIALIZED,
             p11()->C_GetSlotList(CK_FALSE, nullptr, &count));
}

TEST_F(ConfigTest, InitializeTwiceAndFinalizeArguments) {
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  EXPECT_CKR(CKR_CRYPTOKI_ALREADY_INITIALIZED, p11()->C_Initialize(nullptr));
  int dummy = 0;
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_Finalize(&dummy));
  EXPECT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  EXPECT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
}

TEST_F(ConfigTest, InitializeArgs) {
  CK_C_INITIALIZE_ARGS args = {};
  args.flags = CKF_OS_LOCKING_OK;
  EXPECT_CKR(CKR_OK, p11()->C_Initialize(&args));
  EXPECT_CKR(CKR_OK, p11()->C_Finalize(nullptr));

  int reserved = 0;
  args.pReserved = &reserved;
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_Initialize(&args));
  args.pReserved = nullptr;

  args.CreateMutex = CreateMutex;  // only some callbacks
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_Initialize(&args));

  args.DestroyMutex = MutexOp;
  args.LockMutex = MutexOp;
  args.UnlockMutex = MutexOp;
  args.flags = 0;  // callbacks only: the module needs OS threads
  EXPECT_CKR(CKR_CANT_LOCK, p11()->C_Initialize(&args));

  args.flags = CKF_OS_LOCKING_OK;  // either is fine: OS locking is used
  EXPECT_CKR(CKR_OK, p11()->C_Initialize(&args));
}

TEST_F(ConfigTest, MissingFileFails) {
  setenv("KMS_PKCS11_CONFIG", "/nonexistent/kms-pkcs11.json", 1);
  EXPECT_CKR(CKR_GENERAL_ERROR, p11()->C_Initialize(nullptr));
}

TEST_F(ConfigTest, InvalidFilesFail) {
  const char* bad[] = {
      "not json",
      R"({"servers": [], "ca_file": "a", "cert_file": "b", "key_file": "c",
          "tokens": [{"label": "dev", "key_ring": "dev"}]})",
      R"({"servers": ["https://x"], "ca_file": "a", "cert_file": "b",
          "key_file": "c", "tokens": []})",
      R"({"servers": ["https://x"], "ca_file": "a", "cert_file": "b",
          "key_file": "c", "tokens": [{"label": "dev"}]})",
      R"({"servers": ["https://x"], "ca_file": "a", "cert_file": "b",
          "key_file": "c", "tokens": [{"label": "dev", "key_ring": "dev"}],
          "surprise": 1})",
      R"({"servers": ["http://x"], "ca_file": "a", "cert_file": "b",
          "key_file": "c", "tokens": [{"label": "dev", "key_ring": "dev"}]})",
      R"({"servers": ["https://x"], "ca_file": "a", "cert_file": "b",
          "key_file": "c", "tokens": [{"label": "dev", "key_ring": "dev"}],
          "timeout_ms": 0})",
      R"({"servers": ["https://x"], "ca_file": "a", "cert_file": "b",
          "key_file": "c", "tokens": [{"label": "dev", "key_ring": "dev"}],
          "log_level": "loud"})",
  };
  for (const char* text : bad) {
    UseConfig(text);
    EXPECT_CKR(CKR_GENERAL_ERROR, p11()->C_Initialize(nullptr)) << text;
  }
}

TEST_F(ConfigTest, ForkChildMustInitialiseAgain) {
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    CK_INFO info;
    int code = 0;
    if (p11()->C_GetInfo(&info) != CKR_CRYPTOKI_NOT_INITIALIZED) code |= 1;
    if (p11()->C_Initialize(nullptr) != CKR_OK) code |= 2;
    if (p11()->C_GetInfo(&info) != CKR_OK) code |= 4;
    if (p11()->C_Finalize(nullptr) != CKR_OK) code |= 8;
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  CK_INFO info;
  EXPECT_CKR(CKR_OK, p11()->C_GetInfo(&info));
}

}  // namespace
}  // namespace kms::testing
