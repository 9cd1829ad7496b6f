#include "server/root_of_trust/pkcs11_module.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>

#include <cstring>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "server/root_of_trust/pkcs11_error.h"

namespace kms::rot_internal {
namespace {

constexpr size_t kTokenLabelSize = 32;

struct Registry {
  // Held while loading and while destroying, so that a module is never
  // initialised by a new user while its last old user is finalising it.
  std::mutex mu;
  std::map<std::string, std::weak_ptr<Pkcs11Module>> modules;
};

Registry& GetRegistry() {
  static Registry* registry = new Registry;  // never destroyed: see Load
  return *registry;
}

std::string RegistryKey(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) != nullptr) return resolved;
  return path;
}

std::string TrimLabel(const unsigned char* label) {
  std::string out(reinterpret_cast<const char*>(label), kTokenLabelSize);
  size_t end = out.find_last_not_of(' ');
  out.resize(end == std::string::npos ? 0 : end + 1);
  return out;
}

}  // namespace

void Pkcs11Module::DlClose::operator()(void* handle) const {
  if (handle != nullptr) ::dlclose(handle);
}

Pkcs11Module::Pkcs11Module(std::string path, DlHandle handle,
                           CK_FUNCTION_LIST* functions, bool finalize)
    : path_(std::move(path)),
      handle_(std::move(handle)),
      functions_(functions),
      finalize_(finalize) {}

Pkcs11Module::~Pkcs11Module() {
  if (finalize_) {
    CK_RV rv = functions_->C_Finalize(nullptr);
    if (rv != CKR_OK) {
      KMS_LOG(kWarning) << "PKCS#11 module '" << path_
                        << "': C_Finalize: " << CkrName(rv);
    }
  }
}

Result<std::shared_ptr<Pkcs11Module>> Pkcs11Module::Load(
    const std::string& path) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  std::string key = RegistryKey(path);
  if (auto existing = registry.modules[key].lock()) return existing;

  // RTLD_LOCAL keeps the module's symbols (often its own OpenSSL copy)
  // from interposing on ours.
  DlHandle handle(::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!handle) {
    const char* why = ::dlerror();
    return Error(ErrorCode::kUnavailable,
                 "cannot load PKCS#11 module '" + path +
                     "': " + (why != nullptr ? why : "unknown error"));
  }
  auto get_function_list = reinterpret_cast<CK_C_GetFunctionList>(
      ::dlsym(handle.get(), "C_GetFunctionList"));
  if (get_function_list == nullptr) {
    return Error(
        ErrorCode::kUnavailable,
        "'" + path + "' is not a PKCS#11 module (no C_GetFunctionList)");
  }
  CK_FUNCTION_LIST* functions = nullptr;
  CK_RV rv = get_function_list(&functions);
  if (rv != CKR_OK || functions == nullptr) {
    Status s =
        Pkcs11Error("C_GetFunctionList", rv == CKR_OK ? CKR_GENERAL_ERROR : rv);
    return Error(s.code(), "PKCS#11 module '" + path + "': " + s.message());
  }
  CK_C_INITIALIZE_ARGS args;
  std::memset(&args, 0, sizeof(args));
  args.flags = CKF_OS_LOCKING_OK;  // we call it from many threads
  rv = functions->C_Initialize(&args);
  // Someone else in this process initialised it: use it, leave it to them.
  bool finalize = rv == CKR_OK;
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    Status s = Pkcs11Error("C_Initialize", rv);
    return Error(s.code(), "PKCS#11 module '" + path + "': " + s.message());
  }
  std::shared_ptr<Pkcs11Module> module(
      new Pkcs11Module(path, std::move(handle), functions, finalize),
      [](Pkcs11Module* m) {
        std::lock_guard<std::mutex> lock(GetRegistry().mu);
        delete m;
      });
  registry.modules[key] = module;
  return module;
}

Result<CK_SLOT_ID> Pkcs11Module::FindSlotByTokenLabel(
    const std::string& label) {
  if (label.empty() || label.size() > kTokenLabelSize) {
    return Error(ErrorCode::kInvalidArgument,
                 "PKCS#11 token label must be 1 to 32 bytes");
  }
  std::vector<CK_SLOT_ID> slots;
  for (;;) {
    CK_ULONG count = 0;
    CK_RV rv = functions_->C_GetSlotList(CK_TRUE, nullptr, &count);
    if (rv != CKR_OK) return Pkcs11Error("C_GetSlotList", rv);
    slots.resize(count);
    if (count == 0) break;
    rv = functions_->C_GetSlotList(CK_TRUE, slots.data(), &count);
    if (rv == CKR_BUFFER_TOO_SMALL) continue;  // a token appeared meanwhile
    if (rv != CKR_OK) return Pkcs11Error("C_GetSlotList", rv);
    slots.resize(count);
    break;
  }
  std::vector<CK_SLOT_ID> matches;
  std::string seen;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info;
    CK_RV rv = functions_->C_GetTokenInfo(slot, &info);
    if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_TOKEN_NOT_RECOGNIZED) continue;
    if (rv != CKR_OK) return Pkcs11Error("C_GetTokenInfo", rv);
    if ((info.flags & CKF_TOKEN_INITIALIZED) == 0) continue;
    std::string token_label = TrimLabel(info.label);
    if (token_label == label) matches.push_back(slot);
    seen += (seen.empty() ? "'" : ", '") + token_label + "'";
  }
  if (matches.empty()) {
    return Error(ErrorCode::kNotFound,
                 "no PKCS#11 token labelled '" + label + "' in module '" +
                     path_ + "' (tokens found: " +
                     (seen.empty() ? std::string("none") : seen) + ")");
  }
  if (matches.size() > 1) {
    return Error(ErrorCode::kFailedPrecondition,
                 "more than one PKCS#11 token labelled '" + label +
                     "' in module '" + path_ + "'");
  }
  return matches.front();
}

Status Pkcs11Module::Login(CK_SLOT_ID slot, CK_SESSION_HANDLE session,
                           const SecureString& pin) {
  std::lock_guard<std::mutex> lock(mu_);
  // Cryptoki takes a non-const pointer but does not write through it.
  CK_RV rv = functions_->C_Login(
      session, CKU_USER,
      reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin.data())),
      pin.size());
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
    return Pkcs11Error("C_Login", rv);
  }
  ++logins_[slot];
  return Status::Ok();
}

void Pkcs11Module::Logout(CK_SLOT_ID slot, CK_SESSION_HANDLE session) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = logins_.find(slot);
  if (it == logins_.end() || --it->second > 0) return;
  logins_.erase(it);
  CK_RV rv = functions_->C_Logout(session);
  if (rv != CKR_OK && rv != CKR_USER_NOT_LOGGED_IN) {
    KMS_LOG(kWarning) << "PKCS#11 module '" << path_
                      << "': C_Logout: " << CkrName(rv);
  }
}

}  // namespace kms::rot_internal
