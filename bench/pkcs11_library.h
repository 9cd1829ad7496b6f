// A PKCS#11 module loaded with dlopen and initialised for OS threads; the
// module is finalised and unloaded when this object goes.
#ifndef KMS_BENCH_PKCS11_LIBRARY_H_
#define KMS_BENCH_PKCS11_LIBRARY_H_

#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kms::bench {

// "CKR_PIN_INCORRECT", or "CKR_0x..." for values without a name here.
std::string CkRvName(CK_RV rv);

// Ok for CKR_OK; otherwise "what: CKR_..." with kUnsupportedAlgorithm for
// CKR_FUNCTION_NOT_SUPPORTED / CKR_MECHANISM_INVALID (the module cannot do
// it: the operation is skipped) and kInternal for anything else.
Status CkStatus(std::string_view what, CK_RV rv);

struct SlotDescription {
  CK_SLOT_ID id = 0;
  std::string token_label;  // trailing blanks removed; empty: no token
  std::string manufacturer;
  std::string model;
};

class Pkcs11Library {
 public:
  // dlopen, C_GetFunctionList, C_Initialize with CKF_OS_LOCKING_OK.
  static Result<std::unique_ptr<Pkcs11Library>> Load(const std::string& path);
  ~Pkcs11Library();
  Pkcs11Library(const Pkcs11Library&) = delete;
  Pkcs11Library& operator=(const Pkcs11Library&) = delete;

  CK_FUNCTION_LIST* fn() const { return fn_; }
  const std::string& path() const { return path_; }

  Result<std::vector<SlotDescription>> ListSlots();
  // The slot whose token has this label; kNotFound naming the labels seen.
  Result<CK_SLOT_ID> FindSlot(const std::string& token_label);

 private:
  Pkcs11Library() = default;
  std::string path_;
  void* handle_ = nullptr;
  CK_FUNCTION_LIST* fn_ = nullptr;
  bool initialized_ = false;
};

}  // namespace kms::bench

#endif  // KMS_BENCH_PKCS11_LIBRARY_H_
