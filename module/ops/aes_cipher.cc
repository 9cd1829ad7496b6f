// CKM_AES_GCM, CKM_AES_CBC, CKM_AES_CBC_PAD, CKM_AES_CTR on kmsd
// (POST .../encrypt and .../decrypt). PKCS#11 GCM ciphertext is ct || tag.
#include "module/ops/cipher_operation.h"
#include "module/ops/remote_sign.h"

namespace kms::p11 {
namespace {

constexpr size_t kBlock = 16;

struct AesParams {
  const char* mode = "GCM";
  Bytes iv;
  Bytes aad;
  size_t tag_bytes = 0;  // GCM only
};

CkResult<AesParams> ParseParams(const CK_MECHANISM& m) {
  AesParams p;
  switch (m.mechanism) {
    case CKM_AES_GCM: {
      if (m.pParameter == nullptr || m.ulParameterLen != sizeof(CK_GCM_PARAMS)) {
        return CkError(CKR_MECHANISM_PARAM_INVALID, "CK_GCM_PARAMS required");
      }
      const auto* g = static_cast<const CK_GCM_PARAMS*>(m.pParameter);
      if (g->pIv == nullptr || g->ulIvLen < 1 || g->ulIvLen > 256 ||
          (g->pAAD == nullptr && g->ulAADLen > 0) || g->ulAADLen > 65536 ||
          g->ulTagBits < 96 || g->ulTagBits > 128 || g->ulTagBits % 8 != 0) {
        return CkError(CKR_MECHANISM_PARAM_INVALID, "bad CK_GCM_PARAMS");
      }
      p.iv.assign(g->pIv, g->pIv + g->ulIvLen);
      if (g->ulAADLen > 0) p.aad.assign(g->pAAD, g->pAAD + g->ulAADLen);
      p.tag_bytes = g->ulTagBits / 8;
      return p;
    }
    case CKM_AES_CBC:
    case CKM_AES_CBC_PAD: {
      if (m.pParameter == nullptr || m.ulParameterLen != kBlock) {
        return CkError(CKR_MECHANISM_PARAM_INVALID, "a 16-byte IV required");
      }
      const auto* iv = static_cast<const uint8_t*>(m.pParameter);
      p.iv.assign(iv, iv + kBlock);
      p.mode = m.mechanism == CKM_AES_CBC ? "CBC" : "CBC_PAD";
      return p;
    }
    case CKM_AES_CTR: {
      if (m.pParameter == nullptr ||
          m.ulParameterLen != sizeof(CK_AES_CTR_PARAMS)) {
        return CkError(CKR_MECHANISM_PARAM_INVALID,
                       "CK_AES_CTR_PARAMS required");
      }
      const auto* c = static_cast<const CK_AES_CTR_PARAMS*>(m.pParameter);
      if (c->ulCounterBits != 128) {
        return CkError(CKR_MECHANISM_PARAM_INVALID,
                       "only a 128-bit counter is offered");
      }
      p.iv.assign(c->cb, c->cb + kBlock);
      p.mode = "CTR";
      return p;
    }
    default:
      return CkError(CKR_MECHANISM_INVALID);
  }
}

class AesCipher : public CipherOperation {
 public:
  AesCipher(AesParams params, std::shared_ptr<const P11Object> key,
            RingAuth* auth, bool encrypt)
      : params_(std::move(params)),
        key_(std::move(key)),
        auth_(auth),
        encrypt_(encrypt) {}

  CK_ULONG OutputLength(size_t n) const override {
    std::string mode = params_.mode;
    if (mode == "GCM") {
      if (encrypt_) return n + params_.tag_bytes;
      return n >= params_.tag_bytes ? n - params_.tag_bytes : 0;
    }
    if (mode == "CBC_PAD" && encrypt_) return (n / kBlock + 1) * kBlock;
    return n;  // CBC, CTR; CBC_PAD decrypt: an upper bound
  }

  CkResult<Bytes> Final() override {
    std::string mode = params_.mode;
    if ((mode == "CBC" || (mode == "CBC_PAD" && !encrypt_)) &&
        input_.size() % kBlock != 0) {
      return CkError(encrypt_ ? CKR_DATA_LEN_RANGE
                              : CKR_ENCRYPTED_DATA_LEN_RANGE,
                     "not a whole number of blocks");
    }
    if (mode == "CBC_PAD" && !encrypt_ && input_.empty()) {
      return CkError(CKR_ENCRYPTED_DATA_LEN_RANGE, "empty ciphertext");
    }
    Json body = Json::Object();
    SetVersion(body, *key_);
    body.Set("mode", params_.mode);
    body.SetBase64("iv", View(params_.iv));
    if (mode == "GCM") {
      if (!params_.aad.empty()) body.SetBase64("aad", View(params_.aad));
      body.Set("tag_bits", static_cast<int64_t>(params_.tag_bytes * 8));
    }
    if (encrypt_) {
      body.SetBase64("plaintext", View(input_));
      CK_ASSIGN_OR_RETURN(Json reply, auth_->Call("POST",
                                                  KeyActionPath(*auth_, *key_,
                                                                "encrypt"),
                                                  body));
      CK_ASSIGN_OR_RETURN(Bytes out, ReplyBytes(reply, "ciphertext"));
      if (mode == "GCM") {
        CK_ASSIGN_OR_RETURN(Bytes tag, ReplyBytes(reply, "tag"));
        if (tag.size() != params_.tag_bytes) {
          return CkError(CKR_DEVICE_ERROR, "server sent a tag of wrong size");
        }
        out.insert(out.end(), tag.begin(), tag.end());
      }
      if (out.size() != OutputLength(input_.size())) {
        return CkError(CKR_DEVICE_ERROR, "ciphertext of unexpected length");
      }
      return out;
    }
    Bytes ciphertext = input_;
    if (mode == "GCM") {
      if (ciphertext.size() < params_.tag_bytes) {
        return CkError(CKR_ENCRYPTED_DATA_LEN_RANGE, "shorter than the tag");
      }
      Bytes tag(ciphertext.end() - params_.tag_bytes, ciphertext.end());
      ciphertext.resize(ciphertext.size() - params_.tag_bytes);
      body.SetBase64("tag", View(tag));
    }
    body.SetBase64("ciphertext", View(ciphertext));
    CK_ASSIGN_OR_RETURN(
        Json reply,
        auth_->Call("POST", KeyActionPath(*auth_, *key_, "decrypt"), body));
    return ReplyBytes(reply, "plaintext");
  }

 private:
  AesParams params_;
  std::shared_ptr<const P11Object> key_;
  RingAuth* auth_;
  bool encrypt_;
};

}  // namespace

CkResult<std::unique_ptr<CipherOperation>> StartAesCipher(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth, bool encrypt) {
  CK_ASSIGN_OR_RETURN(AesParams params, ParseParams(mechanism));
  return std::unique_ptr<CipherOperation>(
      new AesCipher(std::move(params), std::move(key), auth, encrypt));
}

}  // namespace kms::p11
