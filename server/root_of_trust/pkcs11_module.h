// A dlopen'd PKCS#11 module, initialised once per process. Cryptoki allows
// one C_Initialize per application, and login state is shared by all of an
// application's sessions on a token, so both are owned here and shared by
// every user of the same module path.
#ifndef KMS_SERVER_ROOT_OF_TRUST_PKCS11_MODULE_H_
#define KMS_SERVER_ROOT_OF_TRUST_PKCS11_MODULE_H_

#include <p11-kit/pkcs11.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms::rot_internal {

class Pkcs11Module {
 public:
  // Returns the already-loaded module for `path` if there is one.
  static Result<std::shared_ptr<Pkcs11Module>> Load(const std::string& path);
  // C_Finalize (if this object initialised the module), then dlclose.
  ~Pkcs11Module();
  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;

  CK_FUNCTION_LIST* fn() const { return functions_; }
  const std::string& path() const { return path_; }

  // The slot whose initialised token has this label (compared as the
  // 32-byte blank-padded field). kNotFound lists the labels that exist.
  Result<CK_SLOT_ID> FindSlotByTokenLabel(const std::string& label);

  // C_Login(CKU_USER), counted per slot: the token logs in once for the
  // application, and Logout only calls C_Logout for the last holder. When
  // another holder is already logged in, the token does not re-check `pin`.
  Status Login(CK_SLOT_ID slot, CK_SESSION_HANDLE session,
               const SecureString& pin);
  void Logout(CK_SLOT_ID slot, CK_SESSION_HANDLE session);

 private:
  struct DlClose {
    void operator()(void* handle) const;
  };
  using DlHandle = std::unique_ptr<void, DlClose>;

  Pkcs11Module(std::string path, DlHandle handle, CK_FUNCTION_LIST* functions,
               bool finalize);

  const std::string path_;
  DlHandle handle_;  // destroyed after ~Pkcs11Module's C_Finalize
  CK_FUNCTION_LIST* const functions_;
  const bool finalize_;
  std::mutex mu_;
  std::map<CK_SLOT_ID, int> logins_;
};

}  // namespace kms::rot_internal

#endif  // KMS_SERVER_ROOT_OF_TRUST_PKCS11_MODULE_H_
