// Errors as values. A Status carries a stable, machine-readable ErrorCode
// (the wire contract's "code" field) and a human-readable message. The module
// maps each code to exactly one CK_RV; the server maps each to an HTTP status.
#ifndef KMS_COMMON_STATUS_H_
#define KMS_COMMON_STATUS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kms {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,
  kMalformedJson,
  kUnknownField,
  kInvalidBase64,
  kUnsupportedAlgorithm,
  kUnauthenticated,
  kTokenMissing,
  kTokenInvalid,
  kTokenExpired,
  kPinIncorrect,
  kPinLocked,
  kPinNotSet,
  kPermissionDenied,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kVersionDisabled,
  kVersionDestroyed,
  kUsageNotAllowed,
  kDigestLengthInvalid,
  kDataInvalid,
  kDecryptFailed,
  kSignatureInvalid,
  kNotExportable,
  kImportNotAllowed,
  kPayloadTooLarge,
  kUnavailable,
  kInternal,
};

// Stable wire name, e.g. "PIN_INCORRECT". Never changes once released.
std::string_view ErrorCodeName(ErrorCode code);
// Inverse of ErrorCodeName; unknown names map to kInternal.
ErrorCode ErrorCodeFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "CODE: message", for logs and CLI output.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status Error(ErrorCode code, std::string message) {
  return Status(code, std::move(message));
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Status(ErrorCode::kInternal, "empty result");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace kms

#define KMS_CONCAT_INNER_(a, b) a##b
#define KMS_CONCAT_(a, b) KMS_CONCAT_INNER_(a, b)

#define KMS_RETURN_IF_ERROR(expr)            \
  do {                                       \
    ::kms::Status kms_status_ = (expr);      \
    if (!kms_status_.ok()) return kms_status_; \
  } while (0)

#define KMS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#define KMS_ASSIGN_OR_RETURN(lhs, expr) \
  KMS_ASSIGN_OR_RETURN_IMPL_(KMS_CONCAT_(kms_result_, __LINE__), lhs, expr)

#endif  // KMS_COMMON_STATUS_H_
