// Errors inside the module: a CK_RV plus a message for the log. Every layer
// below cryptoki/ returns CkStatus or CkResult<T>; only cryptoki/ turns them
// into the CK_RV an application sees.
#ifndef KMS_MODULE_BASE_CK_STATUS_H_
#define KMS_MODULE_BASE_CK_STATUS_H_

#include <optional>
#include <string>
#include <utility>

#include "module/base/pkcs11.h"

namespace kms::p11 {

class [[nodiscard]] CkStatus {
 public:
  CkStatus() = default;
  CkStatus(CK_RV rv, std::string message)
      : rv_(rv), message_(std::move(message)) {}
  static CkStatus Ok() { return CkStatus(); }

  bool ok() const { return rv_ == CKR_OK; }
  CK_RV rv() const { return rv_; }
  const std::string& message() const { return message_; }

 private:
  CK_RV rv_ = CKR_OK;
  std::string message_;
};

inline CkStatus CkError(CK_RV rv, std::string message = "") {
  return CkStatus(rv, std::move(message));
}

template <typename T>
class [[nodiscard]] CkResult {
 public:
  CkResult(T value) : value_(std::move(value)) {}           // NOLINT: implicit
  CkResult(CkStatus status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = CkError(CKR_GENERAL_ERROR, "empty result");
  }

  bool ok() const { return value_.has_value(); }
  const CkStatus& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }

 private:
  std::optional<T> value_;
  CkStatus status_;
};

// The name of a CK_RV ("CKR_PIN_INCORRECT"), for logs and test messages.
const char* CkRvName(CK_RV rv);

}  // namespace kms::p11

#define CK_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::kms::p11::CkStatus ck_status_ = (expr); \
    if (!ck_status_.ok()) return ck_status_;  \
  } while (0)

#define CK_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#define CK_ASSIGN_OR_RETURN(lhs, expr) \
  CK_ASSIGN_OR_RETURN_IMPL_(KMS_CONCAT_(ck_result_, __LINE__), lhs, expr)

#endif  // KMS_MODULE_BASE_CK_STATUS_H_
