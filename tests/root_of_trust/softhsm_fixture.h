// A private SoftHSMv2 token directory for the tests, and a direct Cryptoki
// session for checking what the root of trust left on the token.
#ifndef KMS_TESTS_ROOT_OF_TRUST_SOFTHSM_FIXTURE_H_
#define KMS_TESTS_ROOT_OF_TRUST_SOFTHSM_FIXTURE_H_

#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>
#include <vector>

namespace kms::testing {

inline constexpr char kSoPin[] = "1234";
inline constexpr char kUserPin[] = "5678";

class SoftHsm {
 public:
  // Creates the token directory and sets SOFTHSM2_CONF, once per process.
  static SoftHsm& Get();

  // Empty when SoftHSM can be used; otherwise why not.
  const std::string& unavailable_reason() const { return unavailable_; }
  const std::string& module_path() const { return module_path_; }
  // softhsm2-util --init-token --free; false (with a test failure) on error.
  bool InitToken(const std::string& label);

 private:
  SoftHsm();
  std::string unavailable_;
  std::string module_path_;
  std::string dir_;
};

// Loads the module on its own (no root of trust may be open meanwhile: the
// module is initialised once per process) and logs in to a token.
class DirectSession {
 public:
  static std::unique_ptr<DirectSession> Open(const std::string& token_label);
  ~DirectSession();

  CK_FUNCTION_LIST* fn() const { return fn_; }
  CK_SESSION_HANDLE session() const { return session_; }
  std::vector<CK_OBJECT_HANDLE> FindSecretKeys(const std::string& label);

 private:
  DirectSession() = default;
  void* handle_ = nullptr;
  CK_FUNCTION_LIST* fn_ = nullptr;
  bool initialized_ = false;
  CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;
  bool logged_in_ = false;
};

}  // namespace kms::testing

#endif  // KMS_TESTS_ROOT_OF_TRUST_SOFTHSM_FIXTURE_H_
