#include "bench/pkcs11_driver.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "bench/openssl_check.h"
#include "bench/pkcs11_keys.h"
#include "bench/pkcs11_session.h"

namespace kms::bench {
namespace {

constexpr size_t kGcmIvSize = 12;
constexpr size_t kGcmTagSize = 16;
constexpr size_t kMaxSignature = 1024;

// Keys of one operation, made (or found) in a setup session that stays
// open and logged in for the operation's lifetime.
class Pkcs11Fixture : public OpFixture {
 public:
  Pkcs11Fixture(const OpSpec& op, Pkcs11Library& lib, CK_SLOT_ID slot,
                const Pkcs11Options& options,
                std::unique_ptr<Pkcs11Session> setup)
      : op_(op),
        lib_(lib),
        slot_(slot),
        options_(options),
        setup_(std::move(setup)) {}

  ~Pkcs11Fixture() override {
    if (owned_) DestroyTokenKey(*setup_, key_);
  }

  // Makes or finds the key, then runs the operation once so that an
  // operation the module cannot do is skipped rather than counted as errors.
  Status Init() {
    KMS_RETURN_IF_ERROR(InitKey());
    Result<std::unique_ptr<Worker>> probe = NewWorker(0);
    Status status = probe.ok() ? (*probe)->Run() : probe.status();
    if (status.code() == ErrorCode::kUnsupportedAlgorithm) return status;
    return Status::Ok();  // other failures show in the points' errors
  }

  Status InitKey() {
    if (op_.key == KeyType::kNone || op_.kind == OpKind::kKeygen) {
      return Status::Ok();
    }
    if (!options_.existing_keys.empty()) {
      KMS_ASSIGN_OR_RETURN(key_,
                           FindTokenKey(*setup_, op_.key,
                                        options_.existing_keys + "-" +
                                            std::string(KeyTypeName(op_.key))));
    } else {
      KMS_ASSIGN_OR_RETURN(
          key_, GenerateTokenKey(*setup_, op_.key,
                                 options_.label_prefix + "-" + op_.name + "-" +
                                     RandomHex(6)));
      owned_ = true;
    }
    if (key_.public_key != CK_INVALID_HANDLE) {
      KMS_ASSIGN_OR_RETURN(public_key_, ReadPublicKey(*setup_, key_));
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<Worker>> NewWorker(int index) override;

  const OpSpec& op() const { return op_; }
  const TokenKey& key() const { return key_; }
  EVP_PKEY* public_key() const { return public_key_.get(); }
  const Pkcs11Options& options() const { return options_; }

 private:
  OpSpec op_;
  Pkcs11Library& lib_;
  CK_SLOT_ID slot_;
  const Pkcs11Options& options_;
  std::unique_ptr<Pkcs11Session> setup_;
  TokenKey key_;
  bool owned_ = false;
  EvpPkeyPtr public_key_;
};

// Shared by the workers: the session and the fixture's key.
class Pkcs11Worker : public Worker {
 public:
  Pkcs11Worker(Pkcs11Fixture& fixture, std::unique_ptr<Pkcs11Session> session)
      : fixture_(fixture), session_(std::move(session)) {}

 protected:
  CK_FUNCTION_LIST* fn() const { return session_->fn(); }
  CK_SESSION_HANDLE sh() const { return session_->handle(); }
  const OpSpec& op() const { return fixture_.op(); }
  CK_OBJECT_HANDLE key() const { return fixture_.key().private_or_secret; }

  Pkcs11Fixture& fixture_;
  std::unique_ptr<Pkcs11Session> session_;
};

class SignWorker : public Pkcs11Worker {
 public:
  using Pkcs11Worker::Pkcs11Worker;

  Status Init() {
    message_ = RandomBytes(op().data_size);
    signature_.resize(kMaxSignature);
    mechanism_ = {CKM_SHA256_RSA_PKCS, nullptr, 0};
    switch (op().scheme) {
      case Scheme::kRsaPkcs1Sha256:
        break;
      case Scheme::kRsaPssSha256:
        pss_ = {CKM_SHA256, CKG_MGF1_SHA256, 32};
        mechanism_ = {CKM_SHA256_RSA_PKCS_PSS, &pss_, sizeof(pss_)};
        break;
      case Scheme::kEcdsaDigest: {
        mechanism_ = {CKM_ECDSA, nullptr, 0};
        KMS_ASSIGN_OR_RETURN(message_, EcdsaDigest(op().key, message_));
        break;
      }
      case Scheme::kEd25519:
        mechanism_ = {CKM_EDDSA, nullptr, 0};
        break;
      default:
        return Error(ErrorCode::kInvalidArgument, "not a signature scheme");
    }
    return Status::Ok();
  }

  Status Run() override {
    KMS_RETURN_IF_ERROR(
        CkStatus("C_SignInit", fn()->C_SignInit(sh(), &mechanism_, key())));
    CK_ULONG length = static_cast<CK_ULONG>(signature_.size());
    KMS_RETURN_IF_ERROR(
        CkStatus("C_Sign", fn()->C_Sign(sh(), message_.data(),
                                        static_cast<CK_ULONG>(message_.size()),
                                        signature_.data(), &length)));
    last_size_ = length;
    return Status::Ok();
  }

  Status Check() override {
    return VerifySignature(fixture_.public_key(), op().scheme, message_,
                           ByteView(signature_.data(), last_size_),
                           EcdsaEncoding::kRaw);
  }

 private:
  Bytes message_;  // for ECDSA, the digest
  Bytes signature_;
  size_t last_size_ = 0;
  CK_RSA_PKCS_PSS_PARAMS pss_{};
  CK_MECHANISM mechanism_{};
};

class VerifyWorker : public Pkcs11Worker {
 public:
  using Pkcs11Worker::Pkcs11Worker;

  Status Init() {
    KMS_ASSIGN_OR_RETURN(digest_,
                         EcdsaDigest(op().key, RandomBytes(op().data_size)));
    signature_.resize(kMaxSignature);
    CK_ULONG length = static_cast<CK_ULONG>(signature_.size());
    KMS_RETURN_IF_ERROR(
        CkStatus("C_SignInit", fn()->C_SignInit(sh(), &mechanism_, key())));
    KMS_RETURN_IF_ERROR(
        CkStatus("C_Sign", fn()->C_Sign(sh(), digest_.data(),
                                        static_cast<CK_ULONG>(digest_.size()),
                                        signature_.data(), &length)));
    signature_.resize(length);
    return Status::Ok();
  }

  Status Run() override { return Verify(signature_); }

  Status Check() override {
    // OpenSSL agrees with the signature the token accepted, and the token
    // refuses a corrupted one.
    KMS_RETURN_IF_ERROR(VerifySignature(fixture_.public_key(), op().scheme,
                                        digest_, signature_,
                                        EcdsaEncoding::kRaw));
    Bytes bad = signature_;
    bad[bad.size() / 2] ^= 0x01;
    Status refused = Verify(bad);
    if (refused.ok()) {
      return Error(ErrorCode::kInternal, "the token accepted a bad signature");
    }
    return Status::Ok();
  }

 private:
  Status Verify(Bytes& signature) {
    KMS_RETURN_IF_ERROR(CkStatus(
        "C_VerifyInit",
        fn()->C_VerifyInit(sh(), &mechanism_, fixture_.key().public_key)));
    return CkStatus(
        "C_Verify",
        fn()->C_Verify(sh(), digest_.data(),
                       static_cast<CK_ULONG>(digest_.size()), signature.data(),
                       static_cast<CK_ULONG>(signature.size())));
  }

  CK_MECHANISM mechanism_ = {CKM_ECDSA, nullptr, 0};
  Bytes digest_;
  Bytes signature_;
};

class GcmWorker : public Pkcs11Worker {
 public:
  GcmWorker(Pkcs11Fixture& fixture, std::unique_ptr<Pkcs11Session> session,
            int index)
      : Pkcs11Worker(fixture, std::move(session)) {
    iv_.assign(kGcmIvSize, 0);
    uint32_t id = static_cast<uint32_t>(index);
    std::memcpy(iv_.data(), &id, sizeof(id));
  }

  Status Init() {
    plaintext_ = RandomBytes(op().data_size);
    output_.resize(plaintext_.size() + kGcmTagSize);
    if (op().kind == OpKind::kDecrypt) {
      // One ciphertext made by the token, decrypted over and over.
      KMS_RETURN_IF_ERROR(Crypt(true, plaintext_, ciphertext_));
    }
    return Status::Ok();
  }

  Status Run() override {
    if (op().kind == OpKind::kEncrypt) {
      ++counter_;
      std::memcpy(iv_.data() + 4, &counter_, sizeof(counter_));
      return Crypt(true, plaintext_, output_);
    }
    return Crypt(false, ciphertext_, output_);
  }

  Status Check() override {
    Bytes decrypted;
    if (op().kind == OpKind::kEncrypt) {
      // Back through the token.
      KMS_RETURN_IF_ERROR(Crypt(false, output_, decrypted));
    } else {
      decrypted = output_;
    }
    if (decrypted != plaintext_) {
      return Error(ErrorCode::kInternal, "GCM round trip differs");
    }
    return Status::Ok();
  }

 private:
  // out is resized to the exact result.
  Status Crypt(bool encrypt, const Bytes& in, Bytes& out) {
    CK_GCM_PARAMS params{};
    params.pIv = iv_.data();
    params.ulIvLen = static_cast<CK_ULONG>(iv_.size());
    params.ulIvBits = static_cast<CK_ULONG>(iv_.size() * 8);
    params.pAAD = nullptr;
    params.ulAADLen = 0;
    params.ulTagBits = kGcmTagSize * 8;
    CK_MECHANISM mechanism = {CKM_AES_GCM, &params, sizeof(params)};
    out.resize(in.size() + kGcmTagSize);
    CK_ULONG length = static_cast<CK_ULONG>(out.size());
    if (encrypt) {
      KMS_RETURN_IF_ERROR(CkStatus(
          "C_EncryptInit", fn()->C_EncryptInit(sh(), &mechanism, key())));
      KMS_RETURN_IF_ERROR(CkStatus(
          "C_Encrypt", fn()->C_Encrypt(sh(), const_cast<CK_BYTE*>(in.data()),
                                       static_cast<CK_ULONG>(in.size()),
                                       out.data(), &length)));
    } else {
      KMS_RETURN_IF_ERROR(CkStatus(
          "C_DecryptInit", fn()->C_DecryptInit(sh(), &mechanism, key())));
      KMS_RETURN_IF_ERROR(CkStatus(
          "C_Decrypt", fn()->C_Decrypt(sh(), const_cast<CK_BYTE*>(in.data()),
                                       static_cast<CK_ULONG>(in.size()),
                                       out.data(), &length)));
    }
    out.resize(length);
    return Status::Ok();
  }

  Bytes plaintext_;
  Bytes ciphertext_;
  Bytes iv_;
  Bytes output_;
  uint64_t counter_ = 0;
};

// No label; the same hash for OAEP and MGF1.
CK_RSA_PKCS_OAEP_PARAMS OaepParams(Scheme scheme) {
  bool sha1 = scheme == Scheme::kRsaOaepSha1;
  return {sha1 ? CKM_SHA_1 : CKM_SHA256, sha1 ? CKG_MGF1_SHA1 : CKG_MGF1_SHA256,
          CKZ_DATA_SPECIFIED, nullptr, 0};
}

// The result of C_EncryptInit / C_DecryptInit with OAEP parameters.
Status OaepInitStatus(const char* function, CK_RV rv) {
  if (rv == CKR_ARGUMENTS_BAD || rv == CKR_MECHANISM_PARAM_INVALID) {
    // SoftHSMv2 2.6 accepts only SHA-1 OAEP, and says so this way.
    return Error(ErrorCode::kUnsupportedAlgorithm,
                 std::string(function) + ": " + CkRvName(rv) +
                     " (the module refuses these OAEP parameters)");
  }
  return CkStatus(function, rv);
}

// C_Encrypt with the public key object: done locally by modules that cache
// the public key (kms), inside the token by others.
class OaepEncryptWorker : public Pkcs11Worker {
 public:
  using Pkcs11Worker::Pkcs11Worker;

  Status Init() {
    plaintext_ = RandomBytes(op().data_size);
    params_ = OaepParams(op().scheme);
    modulus_size_ =
        static_cast<size_t>(EVP_PKEY_get_size(fixture_.public_key()));
    output_.resize(modulus_size_);
    return Status::Ok();
  }

  Status Run() override {
    CK_MECHANISM mechanism = {CKM_RSA_PKCS_OAEP, &params_, sizeof(params_)};
    KMS_RETURN_IF_ERROR(OaepInitStatus(
        "C_EncryptInit",
        fn()->C_EncryptInit(sh(), &mechanism, fixture_.key().public_key)));
    CK_ULONG length = static_cast<CK_ULONG>(output_.size());
    KMS_RETURN_IF_ERROR(CkStatus(
        "C_Encrypt", fn()->C_Encrypt(sh(), plaintext_.data(),
                                     static_cast<CK_ULONG>(plaintext_.size()),
                                     output_.data(), &length)));
    output_size_ = length;
    return Status::Ok();
  }

  Status Check() override {
    // OpenSSL has no private key here: the token decrypts (C_Decrypt with
    // the private key object); and, OAEP being randomised, the next
    // encryption of the same plaintext differs.
    if (output_size_ != modulus_size_) {
      return Error(ErrorCode::kInternal, "OAEP ciphertext of " +
                                             std::to_string(output_size_) +
                                             " bytes, not the modulus size");
    }
    Bytes first(output_.begin(), output_.begin() + output_size_);
    CK_MECHANISM mechanism = {CKM_RSA_PKCS_OAEP, &params_, sizeof(params_)};
    KMS_RETURN_IF_ERROR(CkStatus("C_DecryptInit",
                                 fn()->C_DecryptInit(sh(), &mechanism, key())));
    Bytes decrypted(modulus_size_);
    CK_ULONG length = static_cast<CK_ULONG>(decrypted.size());
    KMS_RETURN_IF_ERROR(CkStatus(
        "C_Decrypt",
        fn()->C_Decrypt(sh(), first.data(), static_cast<CK_ULONG>(first.size()),
                        decrypted.data(), &length)));
    decrypted.resize(length);
    KMS_RETURN_IF_ERROR(Run());
    return CheckOaepEncryptions(plaintext_, decrypted, first,
                                {output_.data(), output_size_});
  }

 private:
  CK_RSA_PKCS_OAEP_PARAMS params_{};
  Bytes plaintext_;
  Bytes output_;
  size_t modulus_size_ = 0;
  size_t output_size_ = 0;
};

class OaepDecryptWorker : public Pkcs11Worker {
 public:
  using Pkcs11Worker::Pkcs11Worker;

  Status Init() {
    plaintext_ = RandomBytes(op().data_size);
    // Encrypted by OpenSSL with the public key read from the token.
    KMS_ASSIGN_OR_RETURN(ciphertext_, RsaOaepEncrypt(fixture_.public_key(),
                                                     op().scheme, plaintext_));
    params_ = OaepParams(op().scheme);
    output_.resize(ciphertext_.size());
    return Status::Ok();
  }

  Status Run() override {
    CK_MECHANISM mechanism = {CKM_RSA_PKCS_OAEP, &params_, sizeof(params_)};
    KMS_RETURN_IF_ERROR(OaepInitStatus(
        "C_DecryptInit", fn()->C_DecryptInit(sh(), &mechanism, key())));
    CK_ULONG length = static_cast<CK_ULONG>(output_.size());
    KMS_RETURN_IF_ERROR(CkStatus(
        "C_Decrypt", fn()->C_Decrypt(sh(), ciphertext_.data(),
                                     static_cast<CK_ULONG>(ciphertext_.size()),
                                     output_.data(), &length)));
    output_size_ = length;
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
  CK_RSA_PKCS_OAEP_PARAMS params_{};
  Bytes plaintext_;
  Bytes ciphertext_;
  Bytes output_;
  size_t output_size_ = 0;
};

class RandomWorker : public Pkcs11Worker {
 public:
  using Pkcs11Worker::Pkcs11Worker;

  Status Init() {
    output_.resize(op().data_size);
    return Status::Ok();
  }

  Status Run() override {
    return CkStatus(
        "C_GenerateRandom",
        fn()->C_GenerateRandom(sh(), output_.data(),
                               static_cast<CK_ULONG>(output_.size())));
  }

  Status Check() override {
    Bytes first = output_;
    KMS_RETURN_IF_ERROR(Run());
    if (first == output_) {
      return Error(ErrorCode::kInternal, "two random outputs are equal");
    }
    return Status::Ok();
  }

 private:
  Bytes output_;
};

class FindWorker : public Pkcs11Worker {
 public:
  using Pkcs11Worker::Pkcs11Worker;

  Status Init() { return Status::Ok(); }

  Status Run() override {
    const std::string& label = fixture_.key().label;
    CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
    CK_ATTRIBUTE query[] = {
        {CKA_CLASS, &klass, sizeof(klass)},
        {CKA_LABEL, const_cast<char*>(label.data()),
         static_cast<CK_ULONG>(label.size())},
    };
    KMS_RETURN_IF_ERROR(
        CkStatus("C_FindObjectsInit", fn()->C_FindObjectsInit(sh(), query, 2)));
    CK_OBJECT_HANDLE found[2];
    CK_ULONG count = 0;
    CK_RV rv = fn()->C_FindObjects(sh(), found, 2, &count);
    CK_RV final_rv = fn()->C_FindObjectsFinal(sh());
    KMS_RETURN_IF_ERROR(CkStatus("C_FindObjects", rv));
    KMS_RETURN_IF_ERROR(CkStatus("C_FindObjectsFinal", final_rv));
    if (count != 1) {
      return Error(ErrorCode::kInternal,
                   "found " + std::to_string(count) + " objects, expected 1");
    }
    last_ = found[0];
    return Status::Ok();
  }

  Status Check() override {
    if (last_ != fixture_.key().private_or_secret) {
      return Error(ErrorCode::kInternal, "found another object than the key");
    }
    return Status::Ok();
  }

 private:
  CK_OBJECT_HANDLE last_ = CK_INVALID_HANDLE;
};

// Generates token key pairs; they are destroyed with the worker, outside
// the timed window.
class KeygenWorker : public Pkcs11Worker {
 public:
  using Pkcs11Worker::Pkcs11Worker;

  ~KeygenWorker() override {
    for (const TokenKey& key : made_) DestroyTokenKey(*session_, key);
  }

  Status Init() {
    prefix_ = fixture_.options().label_prefix + "-keygen-" + RandomHex(6) + "-";
    return Status::Ok();
  }

  Status Run() override {
    KMS_ASSIGN_OR_RETURN(
        TokenKey key, GenerateTokenKey(*session_, KeyType::kEcP256,
                                       prefix_ + std::to_string(made_.size())));
    made_.push_back(key);
    return Status::Ok();
  }

  Status Check() override {
    if (made_.empty()) return Error(ErrorCode::kInternal, "no key made");
    KMS_ASSIGN_OR_RETURN(EvpPkeyPtr key,
                         ReadPublicKey(*session_, made_.back()));
    return Status::Ok();
  }

 private:
  std::string prefix_;
  std::vector<TokenKey> made_;
};

template <typename W>
Result<std::unique_ptr<Worker>> Initialized(std::unique_ptr<W> worker) {
  KMS_RETURN_IF_ERROR(worker->Init());
  return std::unique_ptr<Worker>(std::move(worker));
}

Result<std::unique_ptr<Worker>> Pkcs11Fixture::NewWorker(int index) {
  KMS_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Session> session,
                       Pkcs11Session::Open(lib_.fn(), slot_, options_.pin));
  switch (op_.kind) {
    case OpKind::kSign:
      return Initialized(
          std::make_unique<SignWorker>(*this, std::move(session)));
    case OpKind::kVerify:
      return Initialized(
          std::make_unique<VerifyWorker>(*this, std::move(session)));
    case OpKind::kEncrypt:
    case OpKind::kDecrypt:
      if (IsRsaOaep(op_.scheme) && op_.kind == OpKind::kEncrypt) {
        return Initialized(
            std::make_unique<OaepEncryptWorker>(*this, std::move(session)));
      }
      if (IsRsaOaep(op_.scheme)) {
        return Initialized(
            std::make_unique<OaepDecryptWorker>(*this, std::move(session)));
      }
      return Initialized(
          std::make_unique<GcmWorker>(*this, std::move(session), index));
    case OpKind::kRandom:
      return Initialized(
          std::make_unique<RandomWorker>(*this, std::move(session)));
    case OpKind::kFind:
      return Initialized(
          std::make_unique<FindWorker>(*this, std::move(session)));
    case OpKind::kKeygen:
      return Initialized(
          std::make_unique<KeygenWorker>(*this, std::move(session)));
  }
  return Error(ErrorCode::kInvalidArgument, "unknown operation kind");
}

class Pkcs11Engine : public Engine {
 public:
  Pkcs11Engine(Pkcs11Options options, std::unique_ptr<Pkcs11Library> lib,
               CK_SLOT_ID slot)
      : options_(std::move(options)), lib_(std::move(lib)), slot_(slot) {}

  std::string name() const override { return "pkcs11"; }
  std::string module() const override { return options_.module_path; }

  Result<std::unique_ptr<OpFixture>> Prepare(const OpSpec& op) override {
    KMS_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Session> setup,
                         Pkcs11Session::Open(lib_->fn(), slot_, options_.pin));
    auto fixture = std::make_unique<Pkcs11Fixture>(op, *lib_, slot_, options_,
                                                   std::move(setup));
    KMS_RETURN_IF_ERROR(fixture->Init());
    return std::unique_ptr<OpFixture>(std::move(fixture));
  }

 private:
  Pkcs11Options options_;
  std::unique_ptr<Pkcs11Library> lib_;
  CK_SLOT_ID slot_;
};

}  // namespace

Result<std::unique_ptr<Engine>> NewPkcs11Engine(const Pkcs11Options& options) {
  KMS_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Library> lib,
                       Pkcs11Library::Load(options.module_path));
  KMS_ASSIGN_OR_RETURN(CK_SLOT_ID slot, lib->FindSlot(options.token_label));
  return std::unique_ptr<Engine>(
      std::make_unique<Pkcs11Engine>(options, std::move(lib), slot));
}

}  // namespace kms::bench
