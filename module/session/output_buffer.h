// The PKCS#11 output convention: a NULL buffer asks for the length, a short
// one gets CKR_BUFFER_TOO_SMALL; neither ends the operation.
#ifndef KMS_MODULE_SESSION_OUTPUT_BUFFER_H_
#define KMS_MODULE_SESSION_OUTPUT_BUFFER_H_

#include <cstring>

#include "common/secure_memory.h"
#include "module/base/ck_status.h"

namespace kms::p11 {

struct OutputBuffer {
  CK_BYTE_PTR data;
  CK_ULONG_PTR length;  // never NULL (checked by cryptoki/)

  // True if the caller only asked for the length or the buffer is short; the
  // status to return is in *status (CKR_OK or CKR_BUFFER_TOO_SMALL) and
  // *length holds the needed size.
  bool AnswersLengthOnly(CK_ULONG needed, CkStatus* status) const {
    if (data == nullptr) {
      *length = needed;
      *status = CkStatus::Ok();
      return true;
    }
    if (*length < needed) {
      *length = needed;
      *status = CkError(CKR_BUFFER_TOO_SMALL);
      return true;
    }
    return false;
  }

  // Copies the result; the caller checked the size with AnswersLengthOnly.
  CkStatus Deliver(ByteView bytes) const {
    if (*length < bytes.size()) {
      *length = bytes.size();
      return CkError(CKR_BUFFER_TOO_SMALL);
    }
    if (!bytes.empty()) std::memcpy(data, bytes.data(), bytes.size());
    *length = bytes.size();
    return CkStatus::Ok();
  }
};

}  // namespace kms::p11

#endif  // KMS_MODULE_SESSION_OUTPUT_BUFFER_H_
