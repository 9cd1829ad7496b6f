#include "server/http/http_server.h"

namespace kms {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMalformedJson:
    case ErrorCode::kUnknownField:
    case ErrorCode::kInvalidBase64:
    case ErrorCode::kUnsupportedAlgorithm:
    case ErrorCode::kDigestLengthInvalid:
    case ErrorCode::kDataInvalid:
    case ErrorCode::kDecryptFailed:
    case ErrorCode::kSignatureInvalid:
    case ErrorCode::kUsageNotAllowed:
      return 400;
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kTokenMissing:
    case ErrorCode::kTokenInvalid:
    case ErrorCode::kTokenExpired:
    case ErrorCode::kPinIncorrect:
      return 401;
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kPinLocked:
    case ErrorCode::kNotExportable:
    case ErrorCode::kImportNotAllowed:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kVersionDisabled:
    case ErrorCode::kPinNotSet:
      return 409;
    case ErrorCode::kVersionDestroyed:
      return 410;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  // An out-of-range value cast into the enum: treat it as a server fault.
  return 500;
}

}  // namespace kms
