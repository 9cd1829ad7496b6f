#include "bench/pkcs11_library.h"

#include <dlfcn.h>

#include <cstdio>

namespace kms::bench {
namespace {

std::string Trimmed(const CK_UTF8CHAR* text, size_t size) {
  std::string out(reinterpret_cast<const char*>(text), size);
  size_t end = out.find_last_not_of(' ');
  out.erase(end == std::string::npos ? 0 : end + 1);
  return out;
}

}  // namespace

std::string CkRvName(CK_RV rv) {
  switch (rv) {
#define KMS_CKR(name) \
  case name:          \
    return #name;
    KMS_CKR(CKR_OK)
    KMS_CKR(CKR_HOST_MEMORY)
    KMS_CKR(CKR_SLOT_ID_INVALID)
    KMS_CKR(CKR_GENERAL_ERROR)
    KMS_CKR(CKR_FUNCTION_FAILED)
    KMS_CKR(CKR_ARGUMENTS_BAD)
    KMS_CKR(CKR_CANT_LOCK)
    KMS_CKR(CKR_ATTRIBUTE_SENSITIVE)
    KMS_CKR(CKR_ATTRIBUTE_TYPE_INVALID)
    KMS_CKR(CKR_ATTRIBUTE_VALUE_INVALID)
    KMS_CKR(CKR_ACTION_PROHIBITED)
    KMS_CKR(CKR_DATA_INVALID)
    KMS_CKR(CKR_DATA_LEN_RANGE)
    KMS_CKR(CKR_DEVICE_ERROR)
    KMS_CKR(CKR_DEVICE_MEMORY)
    KMS_CKR(CKR_ENCRYPTED_DATA_INVALID)
    KMS_CKR(CKR_ENCRYPTED_DATA_LEN_RANGE)
    KMS_CKR(CKR_FUNCTION_NOT_SUPPORTED)
    KMS_CKR(CKR_KEY_HANDLE_INVALID)
    KMS_CKR(CKR_KEY_SIZE_RANGE)
    KMS_CKR(CKR_KEY_TYPE_INCONSISTENT)
    KMS_CKR(CKR_KEY_FUNCTION_NOT_PERMITTED)
    KMS_CKR(CKR_MECHANISM_INVALID)
    KMS_CKR(CKR_MECHANISM_PARAM_INVALID)
    KMS_CKR(CKR_OBJECT_HANDLE_INVALID)
    KMS_CKR(CKR_OPERATION_ACTIVE)
    KMS_CKR(CKR_OPERATION_NOT_INITIALIZED)
    KMS_CKR(CKR_PIN_INCORRECT)
    KMS_CKR(CKR_PIN_LOCKED)
    KMS_CKR(CKR_SESSION_CLOSED)
    KMS_CKR(CKR_SESSION_COUNT)
    KMS_CKR(CKR_SESSION_HANDLE_INVALID)
    KMS_CKR(CKR_SESSION_READ_ONLY)
    KMS_CKR(CKR_SIGNATURE_INVALID)
    KMS_CKR(CKR_SIGNATURE_LEN_RANGE)
    KMS_CKR(CKR_TEMPLATE_INCOMPLETE)
    KMS_CKR(CKR_TEMPLATE_INCONSISTENT)
    KMS_CKR(CKR_TOKEN_NOT_PRESENT)
    KMS_CKR(CKR_TOKEN_NOT_RECOGNIZED)
    KMS_CKR(CKR_USER_ALREADY_LOGGED_IN)
    KMS_CKR(CKR_USER_NOT_LOGGED_IN)
    KMS_CKR(CKR_USER_PIN_NOT_INITIALIZED)
    KMS_CKR(CKR_USER_TYPE_INVALID)
    KMS_CKR(CKR_DOMAIN_PARAMS_INVALID)
    KMS_CKR(CKR_CURVE_NOT_SUPPORTED)
    KMS_CKR(CKR_BUFFER_TOO_SMALL)
    KMS_CKR(CKR_CRYPTOKI_NOT_INITIALIZED)
    KMS_CKR(CKR_CRYPTOKI_ALREADY_INITIALIZED)
    KMS_CKR(CKR_RANDOM_NO_RNG)
#undef KMS_CKR
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "CKR_0x%08lx",
                static_cast<unsigned long>(rv));
  return buffer;
}

Status CkStatus(std::string_view what, CK_RV rv) {
  if (rv == CKR_OK) return Status::Ok();
  ErrorCode code =
      rv == CKR_FUNCTION_NOT_SUPPORTED || rv == CKR_MECHANISM_INVALID
          ? ErrorCode::kUnsupportedAlgorithm
          : ErrorCode::kInternal;
  return Error(code, std::string(what) + ": " + CkRvName(rv));
}

Result<std::unique_ptr<Pkcs11Library>> Pkcs11Library::Load(
    const std::string& path) {
  std::unique_ptr<Pkcs11Library> lib(new Pkcs11Library);
  lib->path_ = path;
  // RTLD_NODELETE keeps the code mapped after dlclose, so that leak reports
  // (and their suppressions) can still name the module at exit.
  lib->handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (lib->handle_ == nullptr) {
    const char* why = ::dlerror();
    return Error(ErrorCode::kNotFound,
                 "dlopen " + path + ": " + (why != nullptr ? why : "?"));
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(
      ::dlsym(lib->handle_, "C_GetFunctionList"));
  if (get_list == nullptr) {
    return Error(ErrorCode::kNotFound, path + " has no C_GetFunctionList");
  }
  KMS_RETURN_IF_ERROR(CkStatus("C_GetFunctionList", get_list(&lib->fn_)));
  if (lib->fn_ == nullptr) {
    return Error(ErrorCode::kInternal, "C_GetFunctionList gave NULL");
  }
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  KMS_RETURN_IF_ERROR(CkStatus("C_Initialize", lib->fn_->C_Initialize(&args)));
  lib->initialized_ = true;
  return lib;
}

Pkcs11Library::~Pkcs11Library() {
  if (initialized_) fn_->C_Finalize(nullptr);
  if (handle_ != nullptr) ::dlclose(handle_);
}

Result<std::vector<SlotDescription>> Pkcs11Library::ListSlots() {
  CK_ULONG count = 0;
  KMS_RETURN_IF_ERROR(
      CkStatus("C_GetSlotList", fn_->C_GetSlotList(CK_TRUE, nullptr, &count)));
  std::vector<CK_SLOT_ID> ids(count);
  if (count > 0) {
    KMS_RETURN_IF_ERROR(CkStatus(
        "C_GetSlotList", fn_->C_GetSlotList(CK_TRUE, ids.data(), &count)));
    ids.resize(count);
  }
  std::vector<SlotDescription> slots;
  for (CK_SLOT_ID id : ids) {
    CK_TOKEN_INFO info{};
    SlotDescription slot;
    slot.id = id;
    if (fn_->C_GetTokenInfo(id, &info) == CKR_OK &&
        (info.flags & CKF_TOKEN_INITIALIZED)) {
      slot.token_label = Trimmed(info.label, sizeof(info.label));
      slot.manufacturer =
          Trimmed(info.manufacturerID, sizeof(info.manufacturerID));
      slot.model = Trimmed(info.model, sizeof(info.model));
    }
    slots.push_back(std::move(slot));
  }
  return slots;
}

Result<CK_SLOT_ID> Pkcs11Library::FindSlot(const std::string& token_label) {
  KMS_ASSIGN_OR_RETURN(std::vector<SlotDescription> slots, ListSlots());
  std::string seen;
  for (const SlotDescription& slot : slots) {
    if (slot.token_label == token_label) return slot.id;
    if (!slot.token_label.empty()) {
      seen += (seen.empty() ? "" : ", ") + ("'" + slot.token_label + "'");
    }
  }
  return Error(ErrorCode::kNotFound,
               "no token labelled '" + token_label + "' in " + path_ +
                   " (tokens: " + (seen.empty() ? "none" : seen) + ")");
}

}  // namespace kms::bench
