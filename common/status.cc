#include "common/status.h"

#include <array>

namespace kms {
namespace {

struct CodeName {
  ErrorCode code;
  std::string_view name;
};

constexpr std::array kCodeNames = {
    CodeName{ErrorCode::kOk, "OK"},
    CodeName{ErrorCode::kInvalidArgument, "INVALID_ARGUMENT"},
    CodeName{ErrorCode::kMalformedJson, "MALFORMED_JSON"},
    CodeName{ErrorCode::kUnknownField, "UNKNOWN_FIELD"},
    CodeName{ErrorCode::kInvalidBase64, "INVALID_BASE64"},
    CodeName{ErrorCode::kUnsupportedAlgorithm, "UNSUPPORTED_ALGORITHM"},
    CodeName{ErrorCode::kUnauthenticated, "UNAUTHENTICATED"},
    CodeName{ErrorCode::kTokenMissing, "TOKEN_MISSING"},
    CodeName{ErrorCode::kTokenInvalid, "TOKEN_INVALID"},
    CodeName{ErrorCode::kTokenExpired, "TOKEN_EXPIRED"},
    CodeName{ErrorCode::kPinIncorrect, "PIN_INCORRECT"},
    CodeName{ErrorCode::kPinLocked, "PIN_LOCKED"},
    CodeName{ErrorCode::kPinNotSet, "PIN_NOT_SET"},
    CodeName{ErrorCode::kPermissionDenied, "PERMISSION_DENIED"},
    CodeName{ErrorCode::kNotFound, "NOT_FOUND"},
    CodeName{ErrorCode::kAlreadyExists, "ALREADY_EXISTS"},
    CodeName{ErrorCode::kFailedPrecondition, "FAILED_PRECONDITION"},
    CodeName{ErrorCode::kVersionDisabled, "VERSION_DISABLED"},
    CodeName{ErrorCode::kVersionDestroyed, "VERSION_DESTROYED"},
    CodeName{ErrorCode::kUsageNotAllowed, "USAGE_NOT_ALLOWED"},
    CodeName{ErrorCode::kDigestLengthInvalid, "DIGEST_LENGTH_INVALID"},
    CodeName{ErrorCode::kDataInvalid, "DATA_INVALID"},
    CodeName{ErrorCode::kDecryptFailed, "DECRYPT_FAILED"},
    CodeName{ErrorCode::kSignatureInvalid, "SIGNATURE_INVALID"},
    CodeName{ErrorCode::kNotExportable, "NOT_EXPORTABLE"},
    CodeName{ErrorCode::kImportNotAllowed, "IMPORT_NOT_ALLOWED"},
    CodeName{ErrorCode::kPayloadTooLarge, "PAYLOAD_TOO_LARGE"},
    CodeName{ErrorCode::kUnavailable, "UNAVAILABLE"},
    CodeName{ErrorCode::kInternal, "INTERNAL"},
};

}  // namespace

std::string_view ErrorCodeName(ErrorCode code) {
  for (const auto& entry : kCodeNames) {
    if (entry.code == code) return entry.name;
  }
  return "INTERNAL";
}

ErrorCode ErrorCodeFromName(std::string_view name) {
  for (const auto& entry : kCodeNames) {
    if (entry.name == name) return entry.code;
  }
  return ErrorCode::kInternal;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(ErrorCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace kms
