#include <openssl/err.h>

#include <array>
#include <string>

#include "common/openssl_raii.h"
#include "server/crypto/openssl_util.h"
#include "server/crypto/operations.h"

namespace kms {
namespace {

constexpr size_t kSemiblock = 8;

struct MechanismInfo {
  WrapMechanism mechanism;
  std::string_view name;
};

constexpr std::array kMechanisms = {
    MechanismInfo{WrapMechanism::kAesKeyWrap, "AES_KEY_WRAP"},
    MechanismInfo{WrapMechanism::kAesKeyWrapPad, "AES_KEY_WRAP_PAD"},
    MechanismInfo{WrapMechanism::kRsaOaep, "RSA_OAEP"},
};

const EVP_CIPHER* WrapCipher(Algorithm algorithm, bool pad) {
  if (algorithm == Algorithm::kAes128) {
    return pad ? EVP_aes_128_wrap_pad() : EVP_aes_128_wrap();
  }
  return pad ? EVP_aes_256_wrap_pad() : EVP_aes_256_wrap();
}

Status CheckKey(const KeyMaterial& key, const WrapParams& params) {
  const bool rsa = params.mechanism == WrapMechanism::kRsaOaep;
  const bool aes = key.algorithm() == Algorithm::kAes128 ||
                   key.algorithm() == Algorithm::kAes256;
  if (rsa ? !IsRsa(key.algorithm()) : !aes) {
    return Error(ErrorCode::kUsageNotAllowed,
                 std::string(rsa ? "RSA_OAEP needs an RSA key"
                                 : "AES key wrap needs an AES key") +
                     ", not " + std::string(AlgorithmName(key.algorithm())));
  }
  if (!rsa && !params.label.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "a label applies to RSA_OAEP only");
  }
  return Status::Ok();
}

RsaDecryptParams OaepParams(const WrapParams& params) {
  RsaDecryptParams oaep;
  oaep.padding = RsaPadding::kOaep;
  oaep.oaep_hash = params.oaep_hash;
  oaep.mgf1_hash = params.mgf1_hash;
  oaep.label = params.label;
  return oaep;
}

// The EVP wrap ciphers do the whole wrap in a single update call.
Result<Bytes> AesWrap(const KeyMaterial& kek, bool pad, ByteView secret) {
  // RFC 3394 wraps whole semiblocks, at least two; RFC 5649 anything
  // non-empty.
  if (pad ? secret.empty()
          : (secret.size() < 2 * kSemiblock || secret.size() % kSemiblock)) {
    return Error(ErrorCode::kDataInvalid,
                 pad ? "AES_KEY_WRAP_PAD cannot wrap nothing"
                     : "AES_KEY_WRAP needs a multiple of 8 bytes, at least 16 "
                       "(use AES_KEY_WRAP_PAD)");
  }
  if (secret.size() > kMaxCipherInput) {
    return Error(ErrorCode::kDataInvalid, "key to wrap too long");
  }
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return OpenSslFailure("key wrap context");
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_EncryptInit_ex(ctx.get(), WrapCipher(kek.algorithm(), pad), nullptr,
                         kek.secret().data(), nullptr) != 1) {
    return OpenSslFailure("key wrap setup");
  }
  // Padding to a semiblock plus the integrity block: at most 15 more bytes.
  Bytes wrapped(secret.size() + 2 * kSemiblock);
  int size = 0;
  if (EVP_EncryptUpdate(ctx.get(), wrapped.data(), &size, secret.data(),
                        static_cast<int>(secret.size())) != 1) {
    return OpenSslFailure("key wrap");
  }
  int final_size = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), wrapped.data() + size, &final_size) != 1) {
    return OpenSslFailure("key wrap final");
  }
  wrapped.resize(static_cast<size_t>(size + final_size));
  return wrapped;
}

Result<SecureBytes> AesUnwrap(const KeyMaterial& kek, bool pad,
                              ByteView wrapped) {
  const size_t min_size = pad ? 2 * kSemiblock : 3 * kSemiblock;
  if (wrapped.size() < min_size || wrapped.size() % kSemiblock != 0 ||
      wrapped.size() > kMaxCipherInput) {
    return Error(ErrorCode::kDataInvalid,
                 "wrapped key must be a multiple of 8 bytes, at least " +
                     std::to_string(min_size));
  }
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return OpenSslFailure("key unwrap context");
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_DecryptInit_ex(ctx.get(), WrapCipher(kek.algorithm(), pad), nullptr,
                         kek.secret().data(), nullptr) != 1) {
    return OpenSslFailure("key unwrap setup");
  }
  SecureBytes secret(wrapped.size());
  int size = 0;
  int final_size = 0;
  if (EVP_DecryptUpdate(ctx.get(), secret.data(), &size, wrapped.data(),
                        static_cast<int>(wrapped.size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), secret.data() + size, &final_size) != 1) {
    // Integrity check or padding check failed.
    ERR_clear_error();
    return Error(ErrorCode::kDecryptFailed, "unwrapping failed");
  }
  secret.resize(static_cast<size_t>(size + final_size));
  return secret;
}

}  // namespace

Result<WrapMechanism> ParseWrapMechanism(std::string_view name) {
  for (const MechanismInfo& info : kMechanisms) {
    if (info.name == name) return info.mechanism;
  }
  return Error(ErrorCode::kUnsupportedAlgorithm,
               "unknown wrap mechanism \"" + std::string(name) + "\"");
}

Result<Bytes> WrapSecret(const KeyMaterial& wrapping_key,
                         const WrapParams& params, ByteView secret) {
  KMS_RETURN_IF_ERROR(CheckKey(wrapping_key, params));
  switch (params.mechanism) {
    case WrapMechanism::kAesKeyWrap:
      return AesWrap(wrapping_key, /*pad=*/false, secret);
    case WrapMechanism::kAesKeyWrapPad:
      return AesWrap(wrapping_key, /*pad=*/true, secret);
    case WrapMechanism::kRsaOaep:
      return RsaEncrypt(wrapping_key, OaepParams(params), secret);
  }
  return Error(ErrorCode::kInternal, "unhandled wrap mechanism");
}

Result<SecureBytes> UnwrapSecret(const KeyMaterial& unwrapping_key,
                                 const WrapParams& params, ByteView wrapped) {
  KMS_RETURN_IF_ERROR(CheckKey(unwrapping_key, params));
  switch (params.mechanism) {
    case WrapMechanism::kAesKeyWrap:
      return AesUnwrap(unwrapping_key, /*pad=*/false, wrapped);
    case WrapMechanism::kAesKeyWrapPad:
      return AesUnwrap(unwrapping_key, /*pad=*/true, wrapped);
    case WrapMechanism::kRsaOaep:
      return RsaDecrypt(unwrapping_key, OaepParams(params), wrapped);
  }
  return Error(ErrorCode::kInternal, "unhandled wrap mechanism");
}

Result<Bytes> WrapKey(const KeyMaterial& wrapping_key, const WrapParams& params,
                      const KeyMaterial& target) {
  KMS_ASSIGN_OR_RETURN(SecureBytes serialized, target.Serialize());
  return WrapSecret(wrapping_key, params, View(serialized));
}

Result<KeyMaterial> UnwrapKey(const KeyMaterial& unwrapping_key,
                              const WrapParams& params, ByteView wrapped,
                              Algorithm target_algorithm) {
  KMS_ASSIGN_OR_RETURN(SecureBytes serialized,
                       UnwrapSecret(unwrapping_key, params, wrapped));
  return KeyMaterial::Deserialize(target_algorithm, View(serialized));
}

}  // namespace kms
