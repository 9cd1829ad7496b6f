// CKM_RSA_PKCS_OAEP and CKM_RSA_PKCS: encryption locally with OpenSSL from
// the cached public key, decryption on kmsd.
#include <openssl/rsa.h>

#include <string>

#include "common/encoding.h"
#include "module/ops/cipher_operation.h"
#include "module/ops/hashes.h"
#include "module/ops/remote_sign.h"

namespace kms::p11 {
namespace {

struct RsaParams {
  const HashInfo* hash = nullptr;  // nullptr: PKCS#1 v1.5
  const HashInfo* mgf1 = nullptr;
  Bytes label;
};

CkResult<RsaParams> ParseParams(const CK_MECHANISM& m) {
  RsaParams p;
  if (m.mechanism == CKM_RSA_PKCS) {
    if (m.pParameter != nullptr || m.ulParameterLen != 0) {
      return CkError(CKR_MECHANISM_PARAM_INVALID, "CKM_RSA_PKCS takes none");
    }
    return p;
  }
  if (m.pParameter == nullptr ||
      m.ulParameterLen != sizeof(CK_RSA_PKCS_OAEP_PARAMS)) {
    return CkError(CKR_MECHANISM_PARAM_INVALID,
                   "CK_RSA_PKCS_OAEP_PARAMS required");
  }
  const auto* o = static_cast<const CK_RSA_PKCS_OAEP_PARAMS*>(m.pParameter);
  p.hash = HashByMechanism(o->hashAlg);
  p.mgf1 = HashByMgf(o->mgf);
  if (p.hash == nullptr || p.mgf1 == nullptr) {
    return CkError(CKR_MECHANISM_PARAM_INVALID,
                   "OAEP needs a SHA-1 or SHA-2 hash and MGF1 hash");
  }
  if (o->source != 0 && o->source != CKZ_DATA_SPECIFIED) {
    return CkError(CKR_MECHANISM_PARAM_INVALID, "bad OAEP source");
  }
  if (o->pSourceData == nullptr && o->ulSourceDataLen > 0) {
    return CkError(CKR_MECHANISM_PARAM_INVALID, "OAEP label is NULL");
  }
  if (o->ulSourceDataLen > 0) {
    const auto* l = static_cast<const uint8_t*>(o->pSourceData);
    p.label.assign(l, l + o->ulSourceDataLen);
  }
  return p;
}

class RsaCipher : public CipherOperation {
 public:
  RsaCipher(RsaParams params, std::shared_ptr<const P11Object> key,
            RingAuth* auth, bool encrypt)
      : params_(std::move(params)),
        key_(std::move(key)),
        auth_(auth),
        encrypt_(encrypt) {}

  CK_ULONG OutputLength(size_t) const override {
    return ModulusBytes(key_->algorithm());  // decrypt: an upper bound
  }

  CkResult<Bytes> Final() override { return encrypt_ ? Encrypt() : Decrypt(); }

 private:
  size_t MaxPlaintext() const {
    size_t k = ModulusBytes(key_->algorithm());
    return params_.hash == nullptr ? k - 11 : k - 2 * params_.hash->size - 2;
  }

  CkResult<Bytes> Encrypt() {
    if (input_.size() > MaxPlaintext()) {
      return CkError(CKR_DATA_LEN_RANGE, "message too long for the key");
    }
    if (key_->contexts() == nullptr) {
      return CkError(CKR_FUNCTION_FAILED, "no public key to encrypt with");
    }
    PkeyContextPool::Lease ctx = key_->contexts()->Take(
        EncryptConfig(), [this](EVP_PKEY_CTX* c) { return SetUpEncrypt(c); });
    if (!ctx) return CkError(CKR_FUNCTION_FAILED, "RSA encrypt init failed");
    Bytes out(ModulusBytes(key_->algorithm()));
    size_t len = out.size();
    if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, input_.data(),
                         input_.size()) != 1) {
      return CkError(CKR_FUNCTION_FAILED, "RSA encryption failed");
    }
    ctx.Reusable();
    out.resize(len);
    return out;
  }

  // Everything SetUpEncrypt configures.
  std::string EncryptConfig() const {
    if (params_.hash == nullptr) return "encrypt PKCS1";
    return std::string("encrypt OAEP ") + params_.hash->wire_name + " " +
           params_.mgf1->wire_name + " " + HexEncode(View(params_.label));
  }

  bool SetUpEncrypt(EVP_PKEY_CTX* ctx) const {
    if (EVP_PKEY_encrypt_init(ctx) != 1) return false;
    if (params_.hash == nullptr) {
      return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
    }
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx, params_.hash->md()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, params_.mgf1->md()) != 1) {
      return false;
    }
    if (params_.label.empty()) return true;
    void* label = OPENSSL_memdup(params_.label.data(), params_.label.size());
    if (label != nullptr &&
        EVP_PKEY_CTX_set0_rsa_oaep_label(
            ctx, label, static_cast<int>(params_.label.size())) == 1) {
      return true;
    }
    OPENSSL_free(label);
    return false;
  }

  CkResult<Bytes> Decrypt() {
    if (input_.size() != ModulusBytes(key_->algorithm())) {
      return CkError(CKR_ENCRYPTED_DATA_LEN_RANGE, "not the modulus size");
    }
    Json body = Json::Object();
    SetVersion(body, *key_);
    if (params_.hash == nullptr) {
      body.Set("mode", "RSA_PKCS1");
    } else {
      body.Set("mode", "RSA_OAEP");
      body.Set("hash", params_.hash->wire_name);
      body.Set("mgf1_hash", params_.mgf1->wire_name);
      if (!params_.label.empty()) body.SetBase64("label", View(params_.label));
    }
    body.SetBase64("ciphertext", View(input_));
    CK_ASSIGN_OR_RETURN(
        Json reply,
        auth_->Call("POST", KeyActionPath(*auth_, *key_, "decrypt"), body));
    return ReplyBytes(reply, "plaintext");
  }

  RsaParams params_;
  std::shared_ptr<const P11Object> key_;
  RingAuth* auth_;
  bool encrypt_;
};

}  // namespace

CkResult<std::unique_ptr<CipherOperation>> StartRsaCipher(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth, bool encrypt) {
  CK_ASSIGN_OR_RETURN(RsaParams params, ParseParams(mechanism));
  if (encrypt && key->public_key() == nullptr) {
    return CkError(CKR_KEY_TYPE_INCONSISTENT, "no public key");
  }
  return std::unique_ptr<CipherOperation>(
      new RsaCipher(std::move(params), std::move(key), auth, encrypt));
}

}  // namespace kms::p11
