// The ABI boundary: every C_* function runs its body through Guard, which
// turns a CkStatus into the CK_RV and lets no exception escape.
#ifndef KMS_MODULE_CRYPTOKI_GUARD_H_
#define KMS_MODULE_CRYPTOKI_GUARD_H_

#include <exception>
#include <mutex>
#include <new>

#include "common/logging.h"
#include "module/base/ck_status.h"
#include "module/client/kms_client.h"
#include "module/provider/library.h"

namespace kms::p11 {

inline void LogFailure(const char* function, const CkStatus& status) {
  if (status.rv() == CKR_DEVICE_ERROR || status.rv() == CKR_GENERAL_ERROR) {
    KMS_LOG(kWarning) << function << ": " << CkRvName(status.rv()) << " "
                      << status.message();
  } else {
    KMS_LOG(kDebug) << function << ": " << CkRvName(status.rv()) << " "
                    << status.message();
  }
}

template <typename F>
CK_RV Guard(const char* function, F&& body) noexcept {
  try {
    CkStatus status = body();
    if (!status.ok()) LogFailure(function, status);
    return status.rv();
  } catch (const std::bad_alloc&) {
    return CKR_HOST_MEMORY;
  } catch (const std::exception& e) {
    KMS_LOG(kError) << function << ": unexpected exception: " << e.what();
    return CKR_GENERAL_ERROR;
  } catch (...) {
    return CKR_GENERAL_ERROR;
  }
}

// Body gets the Library (initialised, held for the call).
template <typename F>
CK_RV WithLibrary(const char* function, F&& body) noexcept {
  return Guard(function, [&]() -> CkStatus {
    CK_ASSIGN_OR_RETURN(Library::Lease library, Library::Acquire());
    return body(*library);
  });
}

// Body gets the Library and the session (locked for the call).
template <typename F>
CK_RV WithSession(const char* function, CK_SESSION_HANDLE handle,
                  F&& body) noexcept {
  return Guard(function, [&]() -> CkStatus {
    CK_ASSIGN_OR_RETURN(Library::Lease library, Library::Acquire());
    CK_ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                        library->GetSession(handle));
    std::lock_guard<std::mutex> lock(session->mutex());
    KmsClient::BeginDeviceErrorScope();
    CkStatus status = body(*library, *session);
    KmsClient::DeviceErrorScope device = KmsClient::CurrentDeviceErrorScope();
    if (status.rv() == CKR_DEVICE_ERROR) {
      // A reply that failed the operation's own checks (a short signature)
      // arrived as a success at the transport.
      session->set_device_error(device.code != 0 ? device.code
                                                 : kDeviceErrorBadReply);
    } else if (device.requested) {
      session->set_device_error(device.code);
    }
    return status;
  });
}

inline ByteView InputBytes(CK_BYTE_PTR data, CK_ULONG length) {
  return ByteView(data, data == nullptr ? 0 : length);
}

}  // namespace kms::p11

#define KMS_EXPORT extern "C"

#endif  // KMS_MODULE_CRYPTOKI_GUARD_H_
