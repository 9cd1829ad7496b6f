#include "tests/root_of_trust/softhsm_fixture.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace kms::testing {
namespace {

constexpr char kDefaultModule[] = "/usr/lib/softhsm/libsofthsm2.so";

bool OnPath(const std::string& program) {
  const char* path = ::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

SoftHsm& SoftHsm::Get() {
  static SoftHsm* instance = new SoftHsm;
  return *instance;
}

SoftHsm::SoftHsm() {
  const char* module = ::getenv("KMS_SOFTHSM_MODULE");
  module_path_ = module != nullptr ? module : kDefaultModule;
  if (!OnPath("softhsm2-util")) {
    unavailable_ = "softhsm2-util not found (install softhsm2)";
    return;
  }
  if (::access(module_path_.c_str(), R_OK) != 0) {
    unavailable_ = "SoftHSM module " + module_path_ + " not found";
    return;
  }
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "kms-softhsm-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    unavailable_ = "cannot create a temporary directory";
    return;
  }
  dir_ = tmpl;
  std::filesystem::create_directory(dir_ + "/tokens");
  std::string conf = dir_ + "/softhsm2.conf";
  std::ofstream(conf) << "directories.tokendir = " << dir_ << "/tokens\n"
                      << "objectstore.backend = file\n"
                      << "log.level = ERROR\n";
  // Before any load of the module: SoftHSM reads it in C_Initialize.
  ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  // The directory is left for the process's lifetime; remove it at exit.
  static std::string to_remove;
  to_remove = dir_;
  std::atexit([] { std::filesystem::remove_all(to_remove); });
}

bool SoftHsm::InitToken(const std::string& label) {
  std::string command = "softhsm2-util --init-token --free --label '" + label +
                        "' --so-pin " + kSoPin + " --pin " + kUserPin +
                        " >/dev/null";
  int rc = std::system(command.c_str());
  EXPECT_EQ(rc, 0) << command;
  return rc == 0;
}

std::unique_ptr<DirectSession> DirectSession::Open(
    const std::string& token_label) {
  std::unique_ptr<DirectSession> s(new DirectSession);
  s->handle_ =
      ::dlopen(SoftHsm::Get().module_path().c_str(), RTLD_NOW | RTLD_LOCAL);
  if (s->handle_ == nullptr) {
    ADD_FAILURE() << "dlopen: " << ::dlerror();
    return nullptr;
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(
      ::dlsym(s->handle_, "C_GetFunctionList"));
  if (get_list == nullptr || get_list(&s->fn_) != CKR_OK) {
    ADD_FAILURE() << "C_GetFunctionList";
    return nullptr;
  }
  CK_RV rv = s->fn_->C_Initialize(nullptr);
  if (rv != CKR_OK) {
    ADD_FAILURE() << "C_Initialize: 0x" << std::hex << rv;
    return nullptr;
  }
  s->initialized_ = true;
  CK_SLOT_ID slots[16];
  CK_ULONG count = 16;
  if (s->fn_->C_GetSlotList(CK_TRUE, slots, &count) != CKR_OK) {
    ADD_FAILURE() << "C_GetSlotList";
    return nullptr;
  }
  for (CK_ULONG i = 0; i < count; ++i) {
    CK_TOKEN_INFO info;
    if (s->fn_->C_GetTokenInfo(slots[i], &info) != CKR_OK) continue;
    std::string label(reinterpret_cast<char*>(info.label), 32);
    label.erase(label.find_last_not_of(' ') + 1);
    if (label != token_label) continue;
    rv = s->fn_->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION,
                               nullptr, nullptr, &s->session_);
    if (rv != CKR_OK) {
      ADD_FAILURE() << "C_OpenSession: 0x" << std::hex << rv;
      return nullptr;
    }
    std::string pin = kUserPin;
    rv =
        s->fn_->C_Login(s->session_, CKU_USER,
                        reinterpret_cast<CK_UTF8CHAR*>(pin.data()), pin.size());
    if (rv != CKR_OK) {
      ADD_FAILURE() << "C_Login: 0x" << std::hex << rv;
      return nullptr;
    }
    s->logged_in_ = true;
    return s;
  }
  ADD_FAILURE() << "no token labelled " << token_label;
  return nullptr;
}

DirectSession::~DirectSession() {
  if (logged_in_) fn_->C_Logout(session_);
  if (session_ != CK_INVALID_HANDLE) fn_->C_CloseSession(session_);
  if (initialized_) fn_->C_Finalize(nullptr);
  if (handle_ != nullptr) ::dlclose(handle_);
}

std::vector<CK_OBJECT_HANDLE> DirectSession::FindSecretKeys(
    const std::string& label) {
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_ATTRIBUTE find[] = {
      {CKA_CLASS, &klass, sizeof(klass)},
      {CKA_LABEL, const_cast<char*>(label.data()), label.size()},
  };
  std::vector<CK_OBJECT_HANDLE> out;
  if (fn_->C_FindObjectsInit(session_, find, 2) != CKR_OK) {
    ADD_FAILURE() << "C_FindObjectsInit";
    return out;
  }
  CK_OBJECT_HANDLE handles[8];
  CK_ULONG count = 0;
  EXPECT_EQ(fn_->C_FindObjects(session_, handles, 8, &count), CKR_OK);
  EXPECT_EQ(fn_->C_FindObjectsFinal(session_), CKR_OK);
  out.assign(handles, handles + count);
  return out;
}

}  // namespace kms::testing
