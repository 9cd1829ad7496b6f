#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "module/ops/verify_operations.h"

namespace kms::p11 {
namespace {

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG_free>>;

// r||s (each `half` bytes) to the DER ECDSA-Sig-Value OpenSSL verifies.
CkResult<Bytes> RawToDer(ByteView raw) {
  size_t half = raw.size() / 2;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return CkError(CKR_HOST_MEMORY, "ECDSA signature conversion");
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return CkError(CKR_GENERAL_ERROR, "ECDSA signature encoding");
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return der;
}

class LocalVerify : public VerifyOperation {
 public:
  LocalVerify(std::unique_ptr<SignSpec> spec,
              std::shared_ptr<const P11Object> key, MessageAccumulator input)
      : spec_(std::move(spec)),
        key_(std::move(key)),
        input_(std::move(input)) {}

  CK_ULONG SignatureLength() const override { return spec_->signature_length; }
  CkStatus Update(ByteView data) override { return input_.Update(data); }

  CkStatus Final(ByteView signature) override {
    CK_ASSIGN_OR_RETURN(Bytes data, input_.Finish());
    if (signature.size() != spec_->signature_length) {
      return CkError(CKR_SIGNATURE_LEN_RANGE);
    }
    ERR_clear_error();
    int rc = spec_->scheme == "ED25519" ? VerifyMessage(data, signature)
                                        : VerifyDigest(data, signature);
    ERR_clear_error();
    if (rc == 1) return CkStatus::Ok();
    if (rc == 0) return CkError(CKR_SIGNATURE_INVALID);
    return CkError(CKR_GENERAL_ERROR, "local verification failed");
  }

 private:
  int VerifyMessage(const Bytes& message, ByteView signature) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (ctx == nullptr ||
        EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr,
                             key_->public_key()) != 1) {
      return -1;
    }
    int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                              message.data(), message.size());
    return rc == 1 ? 1 : 0;
  }

  int VerifyDigest(const Bytes& digest, ByteView signature) {
    Bytes der;
    ByteView sig = signature;
    if (spec_->scheme == "ECDSA") {
      auto converted = RawToDer(signature);
      if (!converted.ok()) return -1;
      der = std::move(converted).value();
      sig = View(der);
    }
    PkeyContextPool::Lease ctx = key_->contexts()->Take(
        VerifyConfig(), [this](EVP_PKEY_CTX* c) { return SetUpVerify(c); });
    if (!ctx) return -1;
    int rc = EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), digest.data(),
                             digest.size());
    // A refused signature (0) leaves the context as it was; an error (< 0)
    // may not.
    if (rc >= 0) ctx.Reusable();
    return rc == 1 ? 1 : 0;
  }

  // Everything SetUpVerify configures.
  std::string VerifyConfig() const {
    std::string config = "verify " + spec_->scheme;
    if (spec_->wire_hash != nullptr) {
      config += std::string(" ") + spec_->wire_hash->wire_name;
    }
    if (spec_->scheme == "RSA_PSS") {
      config += std::string(" ") + spec_->mgf1_hash->wire_name + " " +
                std::to_string(*spec_->salt_length);
    }
    return config;
  }

  bool SetUpVerify(EVP_PKEY_CTX* ctx) const {
    if (EVP_PKEY_verify_init(ctx) != 1) return false;
    if (spec_->scheme == "RSA_PKCS1") {
      return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
             (spec_->wire_hash == nullptr ||
              EVP_PKEY_CTX_set_signature_md(ctx, spec_->wire_hash->md()) == 1);
    }
    if (spec_->scheme == "RSA_PSS") {
      return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, spec_->wire_hash->md()) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, spec_->mgf1_hash->md()) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(
                 ctx, static_cast<int>(*spec_->salt_length)) == 1;
    }
    return true;
  }

  std::unique_ptr<SignSpec> spec_;
  std::shared_ptr<const P11Object> key_;
  MessageAccumulator input_;
};

}  // namespace

CkResult<std::unique_ptr<VerifyOperation>> StartLocalVerify(
    std::unique_ptr<SignSpec> spec, std::shared_ptr<const P11Object> key) {
  if (key->public_key() == nullptr) {
    return CkError(CKR_KEY_TYPE_INCONSISTENT, "no public key");
  }
  CK_ASSIGN_OR_RETURN(MessageAccumulator input,
                      MessageAccumulator::Start(*spec));
  return std::unique_ptr<VerifyOperation>(
      new LocalVerify(std::move(spec), std::move(key), std::move(input)));
}

}  // namespace kms::p11
