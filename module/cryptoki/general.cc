// C_Initialize, C_Finalize, C_GetInfo.
#include <cstring>

#include "module/cryptoki/guard.h"
#include "module/provider/module_info.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

KMS_EXPORT CK_RV C_Initialize(CK_VOID_PTR init_args) {
  return Guard("C_Initialize", [&] {
    return Library::Initialize(
        static_cast<const CK_C_INITIALIZE_ARGS*>(init_args));
  });
}

KMS_EXPORT CK_RV C_Finalize(CK_VOID_PTR reserved) {
  return Guard("C_Finalize", [&]() -> CkStatus {
    if (reserved != nullptr) return CkError(CKR_ARGUMENTS_BAD);
    return Library::Finalize();
  });
}

KMS_EXPORT CK_RV C_GetInfo(CK_INFO_PTR info) {
  return WithLibrary("C_GetInfo", [&](Library&) -> CkStatus {
    if (info == nullptr) return CkError(CKR_ARGUMENTS_BAD);
    std::memset(info, 0, sizeof(*info));
    info->cryptokiVersion = {2, 40};
    CopyPadded(info->manufacturerID, sizeof(info->manufacturerID),
               kManufacturer);
    CopyPadded(info->libraryDescription, sizeof(info->libraryDescription),
               kLibraryDescription);
    info->libraryVersion = kModuleVersion;
    return CkStatus::Ok();
  });
}
