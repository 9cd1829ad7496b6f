// The HSM backend: both keys are non-extractable token objects, and every
// operation on them runs inside the token.
#include <memory>
#include <string>
#include <utility>

#include "common/logging.h"
#include "server/root_of_trust/pkcs11_error.h"
#include "server/root_of_trust/pkcs11_keys.h"
#include "server/root_of_trust/pkcs11_module.h"
#include "server/root_of_trust/pkcs11_session_pool.h"
#include "server/root_of_trust/root_of_trust.h"
#include "server/root_of_trust/sealed_layout.h"

namespace kms {
namespace {

using rot_internal::kAuditMacSize;
using rot_internal::kSealIvSize;
using rot_internal::kSealOverhead;
using rot_internal::kSealTagSize;
using rot_internal::Pkcs11Error;
using rot_internal::Pkcs11Module;
using rot_internal::Pkcs11SessionPool;

// Enough for the server's request threads to rarely wait on one another,
// and well under typical HSM per-application session limits.
constexpr size_t kSessionPoolSize = 4;

// Cryptoki rejects a null data pointer even for zero-length input.
CK_BYTE_PTR DataPointer(ByteView data) {
  static CK_BYTE empty = 0;
  return data.empty() ? &empty : const_cast<CK_BYTE_PTR>(data.data());
}

class Pkcs11RootOfTrust : public RootOfTrust {
 public:
  Pkcs11RootOfTrust(std::unique_ptr<Pkcs11SessionPool> pool,
                    CK_OBJECT_HANDLE kek, CK_OBJECT_HANDLE audit_key,
                    std::string description)
      : pool_(std::move(pool)),
        kek_(kek),
        audit_key_(audit_key),
        description_(std::move(description)) {}

  std::string backend() const override { return "pkcs11"; }
  bool hsm_backed() const override { return true; }
  std::string description() const override { return description_; }

  Result<Bytes> Seal(ByteView plaintext, ByteView aad) override;
  Result<SecureBytes> Unseal(ByteView sealed, ByteView aad) override;
  Result<Bytes> AuditMac(ByteView data) override;
  Result<Bytes> Random(size_t length) override;

 private:
  Status GenerateRandom(CK_SESSION_HANDLE session, uint8_t* out, size_t length);

  const std::unique_ptr<Pkcs11SessionPool> pool_;
  const CK_OBJECT_HANDLE kek_;
  const CK_OBJECT_HANDLE audit_key_;
  const std::string description_;
};

CK_GCM_PARAMS GcmParams(const uint8_t* iv, ByteView aad) {
  CK_GCM_PARAMS params;
  params.pIv = const_cast<CK_BYTE_PTR>(iv);
  params.ulIvLen = kSealIvSize;
  params.ulIvBits = kSealIvSize * 8;
  params.pAAD = aad.empty() ? nullptr : const_cast<CK_BYTE_PTR>(aad.data());
  params.ulAADLen = aad.size();
  params.ulTagBits = kSealTagSize * 8;
  return params;
}

Status Pkcs11RootOfTrust::GenerateRandom(CK_SESSION_HANDLE session,
                                         uint8_t* out, size_t length) {
  CK_RV rv = pool_->fn()->C_GenerateRandom(session, out, length);
  if (rv != CKR_OK) return Pkcs11Error("C_GenerateRandom", rv);
  return Status::Ok();
}

Result<Bytes> Pkcs11RootOfTrust::Seal(ByteView plaintext, ByteView aad) {
  KMS_RETURN_IF_ERROR(rot_internal::CheckSealInput(plaintext, aad));
  Bytes out(kSealOverhead + plaintext.size());
  auto session = pool_->Acquire();
  KMS_RETURN_IF_ERROR(GenerateRandom(session.get(), out.data(), kSealIvSize));
  CK_GCM_PARAMS params = GcmParams(out.data(), aad);
  CK_MECHANISM mechanism = {CKM_AES_GCM, &params, sizeof(params)};
  CK_FUNCTION_LIST* fn = pool_->fn();
  CK_RV rv = fn->C_EncryptInit(session.get(), &mechanism, kek_);
  if (rv != CKR_OK) return Pkcs11Error("C_EncryptInit", rv);
  CK_ULONG out_len = out.size() - kSealIvSize;
  // The buffer is sized exactly, so the call always ends the operation and
  // the session goes back to the pool clean.
  rv = fn->C_Encrypt(session.get(), DataPointer(plaintext), plaintext.size(),
                     out.data() + kSealIvSize, &out_len);
  if (rv != CKR_OK) return Pkcs11Error("C_Encrypt", rv);
  if (out_len != out.size() - kSealIvSize) {
    return Error(ErrorCode::kInternal,
                 "C_Encrypt(CKM_AES_GCM) returned an unexpected length");
  }
  return out;
}

Result<SecureBytes> Pkcs11RootOfTrust::Unseal(ByteView sealed, ByteView aad) {
  KMS_RETURN_IF_ERROR(rot_internal::CheckSealedInput(sealed, aad));
  ByteView body = sealed.subspan(kSealIvSize);  // ct || tag
  // Room for ct||tag: some tokens want the whole input length available.
  SecureBytes out(body.size());
  CK_GCM_PARAMS params = GcmParams(sealed.data(), aad);
  CK_MECHANISM mechanism = {CKM_AES_GCM, &params, sizeof(params)};
  CK_FUNCTION_LIST* fn = pool_->fn();
  auto session = pool_->Acquire();
  CK_RV rv = fn->C_DecryptInit(session.get(), &mechanism, kek_);
  if (rv != CKR_OK) return Pkcs11Error("C_DecryptInit", rv);
  CK_ULONG out_len = out.size();
  rv = fn->C_Decrypt(session.get(), DataPointer(body), body.size(), out.data(),
                     &out_len);
  // A tag mismatch is CKR_ENCRYPTED_DATA_INVALID per PKCS#11 3.0, but
  // SoftHSM 2.6 and some HSMs report it as CKR_GENERAL_ERROR or
  // CKR_FUNCTION_FAILED. Once C_DecryptInit has accepted the key and the
  // parameters, those are treated as a failed verification as well.
  if (rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE ||
      rv == CKR_GENERAL_ERROR || rv == CKR_FUNCTION_FAILED) {
    return Error(ErrorCode::kDecryptFailed,
                 "sealed data does not verify under this root of trust "
                 "(wrong context, tampered, or sealed by another root): "
                 "C_Decrypt: " +
                     rot_internal::CkrName(rv));
  }
  if (rv != CKR_OK) return Pkcs11Error("C_Decrypt", rv);
  if (out_len != body.size() - kSealTagSize) {
    return Error(ErrorCode::kInternal,
                 "C_Decrypt(CKM_AES_GCM) returned an unexpected length");
  }
  out.resize(out_len);
  return out;
}

Result<Bytes> Pkcs11RootOfTrust::AuditMac(ByteView data) {
  CK_MECHANISM mechanism = {CKM_SHA256_HMAC, nullptr, 0};
  CK_FUNCTION_LIST* fn = pool_->fn();
  auto session = pool_->Acquire();
  CK_RV rv = fn->C_SignInit(session.get(), &mechanism, audit_key_);
  if (rv != CKR_OK) return Pkcs11Error("C_SignInit", rv);
  Bytes mac(kAuditMacSize);
  CK_ULONG mac_len = mac.size();
  rv = fn->C_Sign(session.get(), DataPointer(data), data.size(), mac.data(),
                  &mac_len);
  if (rv != CKR_OK) return Pkcs11Error("C_Sign", rv);
  if (mac_len != kAuditMacSize) {
    return Error(ErrorCode::kInternal,
                 "C_Sign(CKM_SHA256_HMAC) returned an unexpected length");
  }
  return mac;
}

Result<Bytes> Pkcs11RootOfTrust::Random(size_t length) {
  KMS_RETURN_IF_ERROR(rot_internal::CheckRandomLength(length));
  Bytes out(length);
  if (length == 0) return out;
  auto session = pool_->Acquire();
  KMS_RETURN_IF_ERROR(GenerateRandom(session.get(), out.data(), length));
  return out;
}

Status CheckConfig(const Pkcs11RootConfig& config) {
  if (config.module_path.empty()) {
    return Error(ErrorCode::kInvalidArgument, "PKCS#11 module path is empty");
  }
  if (config.kek_label.empty() || config.audit_key_label.empty()) {
    return Error(ErrorCode::kInvalidArgument, "PKCS#11 key labels are empty");
  }
  if (config.kek_label == config.audit_key_label) {
    return Error(ErrorCode::kInvalidArgument,
                 "the KEK and the audit key need different labels");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<RootOfTrust>> OpenPkcs11RootOfTrust(
    Pkcs11RootConfig config) {
  KMS_RETURN_IF_ERROR(CheckConfig(config));
  KMS_ASSIGN_OR_RETURN(std::shared_ptr<Pkcs11Module> module,
                       Pkcs11Module::Load(config.module_path));
  KMS_ASSIGN_OR_RETURN(CK_SLOT_ID slot,
                       module->FindSlotByTokenLabel(config.token_label));
  auto pool =
      Pkcs11SessionPool::Open(module, slot, kSessionPoolSize, config.pin);
  if (!pool.ok()) {
    return Error(pool.status().code(), "PKCS#11 token '" + config.token_label +
                                           "': " + pool.status().message());
  }
  CK_OBJECT_HANDLE keys[2];
  {
    auto session = (*pool)->Acquire();
    const rot_internal::RootKeyRole roles[2] = {
        rot_internal::RootKeyRole::kKek, rot_internal::RootKeyRole::kAuditKey};
    const std::string* labels[2] = {&config.kek_label, &config.audit_key_label};
    for (int i = 0; i < 2; ++i) {
      bool created = false;
      auto key = rot_internal::FindOrCreateRootKey(
          (*pool)->fn(), session.get(), roles[i], *labels[i], &created);
      if (!key.ok()) {
        return Error(key.status().code(), "PKCS#11 token '" +
                                              config.token_label +
                                              "': " + key.status().message());
      }
      if (created) {
        KMS_LOG(kInfo) << "generated root-of-trust key '" << *labels[i]
                       << "' on PKCS#11 token '" << config.token_label << "'";
      }
      keys[i] = *key;
    }
  }
  std::string description = "PKCS#11 token '" + config.token_label +
                            "' via module '" + config.module_path +
                            "' (key-encryption key '" + config.kek_label +
                            "', audit key '" + config.audit_key_label +
                            "'; HSM-backed, non-extractable)";
  return std::unique_ptr<RootOfTrust>(std::make_unique<Pkcs11RootOfTrust>(
      std::move(pool).value(), keys[0], keys[1], std::move(description)));
}

}  // namespace kms
