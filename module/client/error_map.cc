#include "module/client/error_map.h"

namespace kms::p11 {

CK_RV CkRvForErrorCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return CKR_OK;
    case ErrorCode::kInvalidArgument:
      return CKR_ARGUMENTS_BAD;
    case ErrorCode::kMalformedJson:
    case ErrorCode::kUnknownField:
    case ErrorCode::kInvalidBase64:
      return CKR_DEVICE_ERROR;  // module and server disagree on the protocol
    case ErrorCode::kUnsupportedAlgorithm:
      return CKR_MECHANISM_INVALID;
    case ErrorCode::kUnauthenticated:
      return CKR_DEVICE_ERROR;  // client certificate not accepted
    case ErrorCode::kTokenMissing:
    case ErrorCode::kTokenInvalid:
    case ErrorCode::kTokenExpired:
      return CKR_USER_NOT_LOGGED_IN;
    case ErrorCode::kPinIncorrect:
      return CKR_PIN_INCORRECT;
    case ErrorCode::kPinLocked:
      return CKR_PIN_LOCKED;
    case ErrorCode::kPinNotSet:
      return CKR_USER_PIN_NOT_INITIALIZED;
    case ErrorCode::kPermissionDenied:
      return CKR_ACTION_PROHIBITED;
    case ErrorCode::kNotFound:
      return CKR_KEY_HANDLE_INVALID;
    case ErrorCode::kAlreadyExists:
      return CKR_ATTRIBUTE_VALUE_INVALID;
    case ErrorCode::kFailedPrecondition:
      return CKR_ACTION_PROHIBITED;
    case ErrorCode::kVersionDisabled:
      return CKR_KEY_FUNCTION_NOT_PERMITTED;
    case ErrorCode::kVersionDestroyed:
      return CKR_KEY_HANDLE_INVALID;
    case ErrorCode::kUsageNotAllowed:
      return CKR_KEY_FUNCTION_NOT_PERMITTED;
    case ErrorCode::kDigestLengthInvalid:
      return CKR_DATA_LEN_RANGE;
    case ErrorCode::kDataInvalid:
      return CKR_DATA_INVALID;
    case ErrorCode::kDecryptFailed:
      return CKR_ENCRYPTED_DATA_INVALID;
    case ErrorCode::kSignatureInvalid:
      return CKR_SIGNATURE_INVALID;
    case ErrorCode::kNotExportable:
      return CKR_KEY_UNEXTRACTABLE;
    case ErrorCode::kImportNotAllowed:
      return CKR_ACTION_PROHIBITED;
    case ErrorCode::kPayloadTooLarge:
      return CKR_DATA_LEN_RANGE;
    case ErrorCode::kUnavailable:
    case ErrorCode::kInternal:
      return CKR_DEVICE_ERROR;
  }
  return CKR_DEVICE_ERROR;
}

CkStatus FromStatus(const Status& status) {
  if (status.ok()) return CkStatus::Ok();
  return CkError(CkRvForErrorCode(status.code()), status.ToString());
}

}  // namespace kms::p11
