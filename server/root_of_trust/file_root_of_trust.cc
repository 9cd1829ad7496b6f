// The file backend: both keys live in process memory (locked, wiped on
// release). Meant for the embedded demo; reported as not HSM-backed.
#include <memory>
#include <string>
#include <utility>

#include "common/logging.h"
#include "server/root_of_trust/root_key_file.h"
#include "server/root_of_trust/root_of_trust.h"
#include "server/root_of_trust/software_crypto.h"

namespace kms {
namespace {

class FileRootOfTrust : public RootOfTrust {
 public:
  FileRootOfTrust(std::string path, rot_internal::RootKeys keys)
      : path_(std::move(path)), keys_(std::move(keys)) {}

  std::string backend() const override { return "file"; }
  bool hsm_backed() const override { return false; }
  std::string description() const override {
    return "root key file '" + path_ + "' (not HSM-backed)";
  }

  Result<Bytes> Seal(ByteView plaintext, ByteView aad) override {
    return rot_internal::SoftwareSeal(View(keys_.root_key), plaintext, aad);
  }
  Result<SecureBytes> Unseal(ByteView sealed, ByteView aad) override {
    return rot_internal::SoftwareUnseal(View(keys_.root_key), sealed, aad);
  }
  Result<Bytes> AuditMac(ByteView data) override {
    return rot_internal::SoftwareHmacSha256(View(keys_.audit_key), data);
  }
  Result<Bytes> Random(size_t length) override {
    return rot_internal::SoftwareRandom(length);
  }

 private:
  const std::string path_;
  const rot_internal::RootKeys keys_;
};

}  // namespace

Result<std::unique_ptr<RootOfTrust>> OpenFileRootOfTrust(
    const std::string& path, bool create) {
  auto keys = rot_internal::ReadRootKeyFile(path);
  if (!keys.ok() && keys.status().code() == ErrorCode::kNotFound && create) {
    Status created = rot_internal::CreateRootKeyFile(path);
    // Another process may have created it first; reading decides.
    if (!created.ok() && created.code() != ErrorCode::kAlreadyExists) {
      return created;
    }
    if (created.ok()) {
      KMS_LOG(kWarning) << "created root key file '" << path
                        << "'; keys are not HSM-backed";
    }
    keys = rot_internal::ReadRootKeyFile(path);
  }
  if (!keys.ok()) return keys.status();
  return std::unique_ptr<RootOfTrust>(
      std::make_unique<FileRootOfTrust>(path, std::move(keys).value()));
}

}  // namespace kms
