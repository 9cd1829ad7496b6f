// CKM_KMS_AES_GCM_ROTATING (module/include/kms/pkcs11_vendor.h): AES-GCM
// on kmsd whose output names the key version, so that decryption asks for
// that version and ciphertexts outlive rotation.
#include <cstring>

#include "module/include/kms/pkcs11_vendor.h"
#include "module/ops/cipher_operation.h"
#include "module/ops/remote_sign.h"

namespace kms::p11 {
namespace {

constexpr size_t kHeader = KMS_ROTATING_GCM_HEADER_LEN;
constexpr size_t kIv = KMS_ROTATING_GCM_IV_LEN;
constexpr size_t kTag = KMS_ROTATING_GCM_TAG_LEN;
constexpr size_t kOverhead = kHeader + kTag;
constexpr size_t kMaxAad = 65536;

class RotatingGcm : public CipherOperation {
 public:
  RotatingGcm(Bytes aad, std::shared_ptr<const P11Object> key, RingAuth* auth,
              bool encrypt)
      : aad_(std::move(aad)),
        key_(std::move(key)),
        auth_(auth),
        encrypt_(encrypt) {}

  CK_ULONG OutputLength(size_t n) const override {
    if (encrypt_) return n + kOverhead;
    return n >= kOverhead ? n - kOverhead : 0;
  }

  CkResult<Bytes> Final() override { return encrypt_ ? Encrypt() : Decrypt(); }

 private:
  CkResult<Bytes> Encrypt() {
    Json body = Json::Object();
    // A fixed-version object encrypts under its version (kmsd decides
    // whether it may); the primary-version object under the primary.
    SetVersion(body, *key_);
    body.Set("mode", "GCM");
    body.Set("tag_bits", static_cast<int64_t>(kTag * 8));
    if (!aad_.empty()) body.SetBase64("aad", View(aad_));
    body.SetBase64("plaintext", View(input_));
    CK_ASSIGN_OR_RETURN(
        Json reply,
        auth_->Call("POST", KeyActionPath(*auth_, *key_, "encrypt"), body));
    const cJSON* v = cJSON_GetObjectItemCaseSensitive(reply.get(), "version");
    if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
        v->valuedouble > 0xFFFFFFFF) {
      return CkError(CKR_DEVICE_ERROR, "encrypt reply without version");
    }
    const auto version = static_cast<uint32_t>(v->valuedouble);
    CK_ASSIGN_OR_RETURN(Bytes iv, ReplyBytes(reply, "iv"));
    CK_ASSIGN_OR_RETURN(Bytes ciphertext, ReplyBytes(reply, "ciphertext"));
    CK_ASSIGN_OR_RETURN(Bytes tag, ReplyBytes(reply, "tag"));
    if (iv.size() != kIv || tag.size() != kTag ||
        ciphertext.size() != input_.size()) {
      return CkError(CKR_DEVICE_ERROR, "GCM reply of unexpected sizes");
    }
    Bytes out;
    out.reserve(input_.size() + kOverhead);
    out.push_back(KMS_ROTATING_GCM_MAGIC);
    out.push_back(KMS_ROTATING_GCM_FORMAT);
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<uint8_t>(version >> shift));
    }
    out.insert(out.end(), iv.begin(), iv.end());
    out.insert(out.end(), ciphertext.begin(), ciphertext.end());
    out.insert(out.end(), tag.begin(), tag.end());
    return out;
  }

  CkResult<Bytes> Decrypt() {
    if (input_.size() < kOverhead) {
      return CkError(CKR_ENCRYPTED_DATA_LEN_RANGE, "shorter than the header");
    }
    if (input_[0] != KMS_ROTATING_GCM_MAGIC ||
        input_[1] != KMS_ROTATING_GCM_FORMAT) {
      return CkError(CKR_ENCRYPTED_DATA_INVALID, "not a rotating-GCM text");
    }
    uint32_t version = 0;
    for (size_t i = 2; i < 6; ++i) version = (version << 8) | input_[i];
    if (version == 0 || version > 0x7FFFFFFF) {
      return CkError(CKR_ENCRYPTED_DATA_INVALID, "bad key version");
    }
    ByteView all = View(input_);
    Json body = Json::Object();
    body.Set("version", static_cast<int64_t>(version));
    body.Set("mode", "GCM");
    body.SetBase64("iv", all.subspan(6, kIv));
    body.SetBase64("ciphertext",
                   all.subspan(kHeader, input_.size() - kOverhead));
    body.SetBase64("tag", all.subspan(input_.size() - kTag));
    body.Set("tag_bits", static_cast<int64_t>(kTag * 8));
    if (!aad_.empty()) body.SetBase64("aad", View(aad_));
    auto reply =
        auth_->Call("POST", KeyActionPath(*auth_, *key_, "decrypt"), body);
    if (!reply.ok()) {
      // A version the key never had cannot have made this ciphertext (the
      // key itself exists: its object was just resolved). kmsd's message
      // names the missing version.
      if (reply.status().rv() == CKR_KEY_HANDLE_INVALID &&
          reply.status().message().find("version ") != std::string::npos) {
        return CkError(CKR_ENCRYPTED_DATA_INVALID, reply.status().message());
      }
      return reply.status();
    }
    return ReplyBytes(*reply, "plaintext");
  }

  Bytes aad_;
  std::shared_ptr<const P11Object> key_;
  RingAuth* auth_;
  bool encrypt_;
};

}  // namespace

CkResult<std::unique_ptr<CipherOperation>> StartRotatingGcm(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth, bool encrypt) {
  if ((mechanism.pParameter == nullptr && mechanism.ulParameterLen != 0) ||
      mechanism.ulParameterLen > kMaxAad) {
    return CkError(CKR_MECHANISM_PARAM_INVALID,
                   "parameter: the AAD (at most 64 KiB) or NULL");
  }
  Bytes aad;
  if (mechanism.ulParameterLen > 0) {
    const auto* p = static_cast<const uint8_t*>(mechanism.pParameter);
    aad.assign(p, p + mechanism.ulParameterLen);
  }
  return std::unique_ptr<CipherOperation>(
      new RotatingGcm(std::move(aad), std::move(key), auth, encrypt));
}

}  // namespace kms::p11
