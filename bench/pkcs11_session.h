// One logged-in PKCS#11 session (each benchmark thread has its own), closed
// when this object goes. Login is per application, so a second session's
// CKR_USER_ALREADY_LOGGED_IN is success.
#ifndef KMS_BENCH_PKCS11_SESSION_H_
#define KMS_BENCH_PKCS11_SESSION_H_

#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>
#include <vector>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms::bench {

class Pkcs11Session {
 public:
  static Result<std::unique_ptr<Pkcs11Session>> Open(CK_FUNCTION_LIST* fn,
                                                     CK_SLOT_ID slot,
                                                     const std::string& pin);
  ~Pkcs11Session();
  Pkcs11Session(const Pkcs11Session&) = delete;
  Pkcs11Session& operator=(const Pkcs11Session&) = delete;

  CK_FUNCTION_LIST* fn() const { return fn_; }
  CK_SESSION_HANDLE handle() const { return handle_; }

  // Up to max_objects handles matching the template.
  Result<std::vector<CK_OBJECT_HANDLE>> Find(std::vector<CK_ATTRIBUTE> query,
                                             CK_ULONG max_objects);
  // One attribute's value (two-call protocol).
  Result<Bytes> GetAttribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
  Status Destroy(CK_OBJECT_HANDLE object);

 private:
  Pkcs11Session(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE handle)
      : fn_(fn), handle_(handle) {}
  CK_FUNCTION_LIST* fn_;
  CK_SESSION_HANDLE handle_;
};

}  // namespace kms::bench

#endif  // KMS_BENCH_PKCS11_SESSION_H_
