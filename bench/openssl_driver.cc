#include "bench/openssl_driver.h"

#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstring>

#include "bench/openssl_check.h"
#include "bench/public_key.h"
#include "common/openssl_raii.h"

namespace kms::bench {
namespace {

constexpr size_t kGcmIvSize = 12;
constexpr size_t kGcmTagSize = 16;

Status OpenSslError(const std::string& what) {
  return Error(ErrorCode::kInternal, what + ": " + OpenSslErrorString());
}

struct KeyMaterial {
  EvpPkeyPtr pair;     // asymmetric operations
  SecureBytes secret;  // AES-256
};

class SignWorker : public Worker {
 public:
  SignWorker(const OpSpec& op, const KeyMaterial& key)
      : op_(op), key_(key), message_(RandomBytes(op.data_size)) {}

  Status Init() {
    if (op_.scheme == Scheme::kEcdsaDigest) {
      KMS_ASSIGN_OR_RETURN(digest_, EcdsaDigest(op_.key, message_));
      pkey_ctx_.reset(
          EVP_PKEY_CTX_new_from_pkey(nullptr, key_.pair.get(), nullptr));
      if (pkey_ctx_ == nullptr || EVP_PKEY_sign_init(pkey_ctx_.get()) != 1) {
        return OpenSslError("ECDSA sign init");
      }
    } else {
      md_ctx_.reset(EVP_MD_CTX_new());
      if (md_ctx_ == nullptr) return OpenSslError("EVP_MD_CTX_new");
    }
    signature_.resize(static_cast<size_t>(EVP_PKEY_get_size(key_.pair.get())));
    return Status::Ok();
  }

  Status Run() override {
    size_t length = signature_.size();
    if (op_.scheme == Scheme::kEcdsaDigest) {
      if (EVP_PKEY_sign(pkey_ctx_.get(), signature_.data(), &length,
                        digest_.data(), digest_.size()) != 1) {
        return OpenSslError("ECDSA sign");
      }
    } else {
      EVP_PKEY_CTX* pctx = nullptr;
      const EVP_MD* md =
          op_.scheme == Scheme::kEd25519 ? nullptr : EVP_sha256();
      if (EVP_DigestSignInit(md_ctx_.get(), &pctx, md, nullptr,
                             key_.pair.get()) != 1) {
        return OpenSslError("sign init");
      }
      if (op_.scheme == Scheme::kRsaPssSha256 &&
          (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)) {
        return OpenSslError("PSS parameters");
      }
      if (EVP_DigestSign(md_ctx_.get(), signature_.data(), &length,
                         message_.data(), message_.size()) != 1) {
        return OpenSslError("sign");
      }
    }
    last_size_ = length;
    return Status::Ok();
  }

  Status Check() override {
    ByteView signed_data = op_.scheme == Scheme::kEcdsaDigest
                               ? ByteView(digest_)
                               : ByteView(message_);
    return VerifySignature(key_.pair.get(), op_.scheme, signed_data,
                           ByteView(signature_.data(), last_size_),
                           EcdsaEncoding::kDer);
  }

 private:
  const OpSpec& op_;
  const KeyMaterial& key_;
  Bytes message_;
  Bytes digest_;
  EvpPkeyCtxPtr pkey_ctx_;
  EvpMdCtxPtr md_ctx_;
  Bytes signature_;
  size_t last_size_ = 0;
};

class VerifyWorker : public Worker {
 public:
  VerifyWorker(const OpSpec& op, const KeyMaterial& key) : op_(op), key_(key) {}

  Status Init() {
    KMS_ASSIGN_OR_RETURN(digest_,
                         EcdsaDigest(op_.key, RandomBytes(op_.data_size)));
    EvpPkeyCtxPtr sign(
        EVP_PKEY_CTX_new_from_pkey(nullptr, key_.pair.get(), nullptr));
    size_t length = static_cast<size_t>(EVP_PKEY_get_size(key_.pair.get()));
    signature_.resize(length);
    if (sign == nullptr || EVP_PKEY_sign_init(sign.get()) != 1 ||
        EVP_PKEY_sign(sign.get(), signature_.data(), &length, digest_.data(),
                      digest_.size()) != 1) {
      return OpenSslError("ECDSA sign");
    }
    signature_.resize(length);
    ctx_.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.pair.get(), nullptr));
    if (ctx_ == nullptr || EVP_PKEY_verify_init(ctx_.get()) != 1) {
      return OpenSslError("ECDSA verify init");
    }
    return Status::Ok();
  }

  Status Run() override {
    if (EVP_PKEY_verify(ctx_.get(), signature_.data(), signature_.size(),
                        digest_.data(), digest_.size()) != 1) {
      OpenSslErrorString();
      return Error(ErrorCode::kSignatureInvalid, "ECDSA verify failed");
    }
    return Status::Ok();
  }

  Status Check() override {
    // A corrupted signature must be refused.
    Bytes bad = signature_;
    bad[bad.size() / 2] ^= 0x01;
    if (EVP_PKEY_verify(ctx_.get(), bad.data(), bad.size(), digest_.data(),
                        digest_.size()) == 1) {
      return Error(ErrorCode::kInternal, "a corrupted signature verified");
    }
    OpenSslErrorString();
    return VerifySignature(key_.pair.get(), op_.scheme, digest_, signature_,
                           EcdsaEncoding::kDer);
  }

 private:
  const OpSpec& op_;
  const KeyMaterial& key_;
  Bytes digest_;
  Bytes signature_;
  EvpPkeyCtxPtr ctx_;
};

class GcmWorker : public Worker {
 public:
  GcmWorker(const OpSpec& op, const KeyMaterial& key, int index)
      : op_(op), key_(key), plaintext_(RandomBytes(op.data_size)) {
    iv_.assign(kGcmIvSize, 0);
    uint32_t id = static_cast<uint32_t>(index);
    std::memcpy(iv_.data(), &id, sizeof(id));
  }

  Status Init() {
    ctx_.reset(EVP_CIPHER_CTX_new());
    if (ctx_ == nullptr) return OpenSslError("EVP_CIPHER_CTX_new");
    output_.resize(plaintext_.size() + kGcmTagSize);
    if (op_.kind == OpKind::kDecrypt) {
      // One ciphertext, decrypted over and over.
      KMS_RETURN_IF_ERROR(Encrypt(plaintext_, iv_, ciphertext_));
    }
    return Status::Ok();
  }

  Status Run() override {
    if (op_.kind == OpKind::kEncrypt) {
      NextIv();
      return Encrypt(plaintext_, iv_, output_);
    }
    return Decrypt(ciphertext_, iv_, output_);
  }

  Status Check() override {
    if (op_.kind == OpKind::kEncrypt) {
      Bytes decrypted(plaintext_.size());
      KMS_RETURN_IF_ERROR(Decrypt(output_, iv_, decrypted));
      if (decrypted != plaintext_) {
        return Error(ErrorCode::kInternal, "GCM round trip differs");
      }
      return Status::Ok();
    }
    if (!std::equal(plaintext_.begin(), plaintext_.end(), output_.begin())) {
      return Error(ErrorCode::kInternal, "GCM decryption differs");
    }
    return Status::Ok();
  }

 private:
  void NextIv() {
    ++counter_;
    std::memcpy(iv_.data() + 4, &counter_, sizeof(counter_));
  }

  // out: ciphertext || tag.
  Status Encrypt(const Bytes& in, const Bytes& iv, Bytes& out) {
    out.resize(in.size() + kGcmTagSize);
    int length = 0;
    int final_length = 0;
    if (EVP_EncryptInit_ex(ctx_.get(), EVP_aes_256_gcm(), nullptr,
                           key_.secret.data(), iv.data()) != 1 ||
        EVP_EncryptUpdate(ctx_.get(), out.data(), &length, in.data(),
                          static_cast<int>(in.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx_.get(), out.data() + length, &final_length) !=
            1 ||
        EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize,
                            out.data() + in.size()) != 1) {
      return OpenSslError("GCM encrypt");
    }
    return Status::Ok();
  }

  Status Decrypt(const Bytes& in, const Bytes& iv, Bytes& out) {
    if (in.size() < kGcmTagSize) return Error(ErrorCode::kInternal, "short");
    size_t size = in.size() - kGcmTagSize;
    if (out.size() < size) out.resize(size);
    int length = 0;
    int final_length = 0;
    if (EVP_DecryptInit_ex(ctx_.get(), EVP_aes_256_gcm(), nullptr,
                           key_.secret.data(), iv.data()) != 1 ||
        EVP_DecryptUpdate(ctx_.get(), out.data(), &length, in.data(),
                          static_cast<int>(size)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize,
                            const_cast<uint8_t*>(in.data() + size)) != 1 ||
        EVP_DecryptFinal_ex(ctx_.get(), out.data() + length, &final_length) !=
            1) {
      return OpenSslError("GCM decrypt");
    }
    return Status::Ok();
  }

  const OpSpec& op_;
  const KeyMaterial& key_;
  Bytes plaintext_;
  Bytes ciphertext_;
  Bytes iv_;
  Bytes output_;
  uint64_t counter_ = 0;
  EvpCipherCtxPtr ctx_;
};

class OaepDecryptWorker : public Worker {
 public:
  OaepDecryptWorker(const OpSpec& op, const KeyMaterial& key)
      : op_(op), key_(key), plaintext_(RandomBytes(op.data_size)) {}

  Status Init() {
    KMS_ASSIGN_OR_RETURN(
        ciphertext_, RsaOaepEncrypt(key_.pair.get(), op_.scheme, plaintext_));
    const EVP_MD* md = OaepMd(op_.scheme);
    ctx_.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.pair.get(), nullptr));
    if (ctx_ == nullptr || EVP_PKEY_decrypt_init(ctx_.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx_.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx_.get(), md) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx_.get(), md) != 1) {
      return OpenSslError("OAEP init");
    }
    output_.resize(ciphertext_.size());
    return Status::Ok();
  }

  Status Run() override {
    output_size_ = output_.size();
    if (EVP_PKEY_decrypt(ctx_.get(), output_.data(), &output_size_,
                         ciphertext_.data(), ciphertext_.size()) != 1) {
      return OpenSslError("OAEP decrypt");
    }
    return Status::Ok();
  }

  Status Check() override {
    if (output_size_ != plaintext_.size() ||
        !std::equal(plaintext_.begin(), plaintext_.end(), output_.begin())) {
      return Error(ErrorCode::kInternal, "OAEP decryption differs");
    }
    return Status::Ok();
  }

 private:
  const OpSpec& op_;
  const KeyMaterial& key_;
  Bytes plaintext_;
  Bytes ciphertext_;
  Bytes output_;
  size_t output_size_ = 0;
  EvpPkeyCtxPtr ctx_;
};

// The public-key side of OAEP: what a module does locally, without kmsd.
class OaepEncryptWorker : public Worker {
 public:
  OaepEncryptWorker(const OpSpec& op, const KeyMaterial& key)
      : op_(op), key_(key), plaintext_(RandomBytes(op.data_size)) {}

  Status Init() {
    ctx_.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.pair.get(), nullptr));
    const EVP_MD* md = OaepMd(op_.scheme);
    if (ctx_ == nullptr || EVP_PKEY_encrypt_init(ctx_.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx_.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx_.get(), md) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx_.get(), md) != 1) {
      return OpenSslError("OAEP init");
    }
    output_.resize(static_cast<size_t>(EVP_PKEY_get_size(key_.pair.get())));
    return Status::Ok();
  }

  Status Run() override {
    output_size_ = output_.size();
    if (EVP_PKEY_encrypt(ctx_.get(), output_.data(), &output_size_,
                         plaintext_.data(), plaintext_.size()) != 1) {
      return OpenSslError("OAEP encrypt");
    }
    return Status::Ok();
  }

  Status Check() override {
    // Decrypted with the private key; and, OAEP being randomised, the next
    // encryption of the same plaintext differs.
    Bytes first(output_.begin(), output_.begin() + output_size_);
    KMS_ASSIGN_OR_RETURN(Bytes decrypted,
                         RsaOaepDecrypt(key_.pair.get(), op_.scheme, first));
    KMS_RETURN_IF_ERROR(Run());
    return CheckOaepEncryptions(plaintext_, decrypted, first,
                                {output_.data(), output_size_});
  }

 private:
  const OpSpec& op_;
  const KeyMaterial& key_;
  Bytes plaintext_;
  Bytes output_;
  size_t output_size_ = 0;
  EvpPkeyCtxPtr ctx_;
};

class RandomWorker : public Worker {
 public:
  explicit RandomWorker(const OpSpec& op) : output_(op.data_size) {}

  Status Run() override {
    previous_ = output_;
    if (RAND_bytes(output_.data(), static_cast<int>(output_.size())) != 1) {
      return OpenSslError("RAND_bytes");
    }
    return Status::Ok();
  }

  Status Check() override {
    KMS_RETURN_IF_ERROR(Run());
    if (output_ == previous_) {
      return Error(ErrorCode::kInternal, "two random outputs are equal");
    }
    return Status::Ok();
  }

 private:
  Bytes output_;
  Bytes previous_;
};

class KeygenWorker : public Worker {
 public:
  Status Run() override {
    EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (raw == nullptr) return OpenSslError("EC key generation");
    last_.reset(raw);
    return Status::Ok();
  }

  Status Check() override {
    EvpPkeyCtxPtr ctx(
        EVP_PKEY_CTX_new_from_pkey(nullptr, last_.get(), nullptr));
    if (ctx == nullptr || EVP_PKEY_check(ctx.get()) != 1) {
      return OpenSslError("generated key check");
    }
    return Status::Ok();
  }

 private:
  EvpPkeyPtr last_;
};

template <typename W>
Result<std::unique_ptr<Worker>> Initialized(std::unique_ptr<W> worker) {
  KMS_RETURN_IF_ERROR(worker->Init());
  return std::unique_ptr<Worker>(std::move(worker));
}

class OpenSslFixture : public OpFixture {
 public:
  OpenSslFixture(const OpSpec& op, KeyMaterial key)
      : op_(op), key_(std::move(key)) {}

  Result<std::unique_ptr<Worker>> NewWorker(int index) override {
    switch (op_.kind) {
      case OpKind::kSign:
        return Initialized(std::make_unique<SignWorker>(op_, key_));
      case OpKind::kVerify:
        return Initialized(std::make_unique<VerifyWorker>(op_, key_));
      case OpKind::kEncrypt:
      case OpKind::kDecrypt:
        if (IsRsaOaep(op_.scheme) && op_.kind == OpKind::kEncrypt) {
          return Initialized(std::make_unique<OaepEncryptWorker>(op_, key_));
        }
        if (IsRsaOaep(op_.scheme)) {
          return Initialized(std::make_unique<OaepDecryptWorker>(op_, key_));
        }
        return Initialized(std::make_unique<GcmWorker>(op_, key_, index));
      case OpKind::kRandom:
        return std::unique_ptr<Worker>(std::make_unique<RandomWorker>(op_));
      case OpKind::kKeygen:
        return std::unique_ptr<Worker>(std::make_unique<KeygenWorker>());
      case OpKind::kFind:
        break;
    }
    return Error(ErrorCode::kUnsupportedAlgorithm, "not an OpenSSL operation");
  }

 private:
  OpSpec op_;
  KeyMaterial key_;
};

class OpenSslEngine : public Engine {
 public:
  std::string name() const override { return "openssl"; }
  std::string module() const override { return ""; }

  Result<std::unique_ptr<OpFixture>> Prepare(const OpSpec& op) override {
    if (op.kind == OpKind::kFind) {
      return Error(ErrorCode::kUnsupportedAlgorithm,
                   "no object store in-process");
    }
    KeyMaterial key;
    if (op.key == KeyType::kAes256) {
      Bytes secret = RandomBytes(32);
      key.secret.assign(secret.begin(), secret.end());
    } else if (op.key != KeyType::kNone && op.kind != OpKind::kKeygen) {
      KMS_ASSIGN_OR_RETURN(key.pair, GenerateKeyPair(op.key));
    }
    return std::unique_ptr<OpFixture>(
        std::make_unique<OpenSslFixture>(op, std::move(key)));
  }
};

}  // namespace

std::unique_ptr<Engine> NewOpenSslEngine() {
  return std::make_unique<OpenSslEngine>();
}

}  // namespace kms::bench
