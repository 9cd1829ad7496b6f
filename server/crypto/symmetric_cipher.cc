#include <openssl/err.h>
#include <openssl/rand.h>

#include <array>
#include <string>

#include "common/openssl_raii.h"
#include "server/crypto/openssl_util.h"
#include "server/crypto/operations.h"

namespace kms {
namespace {

constexpr size_t kBlockSize = 16;
constexpr size_t kGcmDefaultIvSize = 12;
constexpr size_t kGcmMaxIvSize = 128;

struct ModeInfo {
  CipherMode mode;
  std::string_view name;
};

constexpr std::array kModes = {
    ModeInfo{CipherMode::kGcm, "GCM"},
    ModeInfo{CipherMode::kCbcPad, "CBC_PAD"},
    ModeInfo{CipherMode::kCbc, "CBC"},
    ModeInfo{CipherMode::kCtr, "CTR"},
};

bool IsAes(Algorithm algorithm) {
  return algorithm == Algorithm::kAes128 || algorithm == Algorithm::kAes256;
}

const EVP_CIPHER* Cipher(Algorithm algorithm, CipherMode mode) {
  const bool aes128 = algorithm == Algorithm::kAes128;
  switch (mode) {
    case CipherMode::kGcm:
      return aes128 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    case CipherMode::kCbcPad:
    case CipherMode::kCbc:
      return aes128 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
    case CipherMode::kCtr:
      return aes128 ? EVP_aes_128_ctr() : EVP_aes_256_ctr();
  }
  return nullptr;
}

// Checks everything that does not depend on the data.
Status CheckParams(const KeyMaterial& key, const CipherParams& params,
                   size_t iv_size) {
  if (!IsAes(key.algorithm())) {
    return Error(ErrorCode::kUsageNotAllowed,
                 "symmetric encryption needs an AES key, not " +
                     std::string(AlgorithmName(key.algorithm())));
  }
  if (params.mode != CipherMode::kGcm) {
    if (iv_size != kBlockSize) {
      return Error(ErrorCode::kInvalidArgument,
                   "CBC and CTR need a 16-byte IV");
    }
    if (!params.aad.empty()) {
      return Error(ErrorCode::kInvalidArgument, "AAD applies to GCM only");
    }
    return Status::Ok();
  }
  if (iv_size == 0 || iv_size > kGcmMaxIvSize) {
    return Error(ErrorCode::kInvalidArgument, "GCM IV must be 1..128 bytes");
  }
  // SP 800-38D allows 32 and 64 too, but only with strict usage limits.
  if (params.tag_bits < 96 || params.tag_bits > 128 ||
      params.tag_bits % 8 != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "GCM tag_bits must be 96..128 in steps of 8");
  }
  if (params.aad.size() > kMaxCipherInput) {
    return Error(ErrorCode::kDataInvalid, "AAD too long");
  }
  return Status::Ok();
}

Status CheckDataSize(CipherMode mode, size_t size, bool decrypt) {
  if (size > kMaxCipherInput) {
    return Error(ErrorCode::kDataInvalid, "input too long");
  }
  const bool whole_blocks =
      mode == CipherMode::kCbc || (decrypt && mode == CipherMode::kCbcPad);
  if (whole_blocks && size % kBlockSize != 0) {
    return Error(ErrorCode::kDataInvalid,
                 "CBC data must be a multiple of 16 bytes");
  }
  if (decrypt && mode == CipherMode::kCbcPad && size == 0) {
    return Error(ErrorCode::kDataInvalid,
                 "CBC_PAD ciphertext holds at least one block");
  }
  return Status::Ok();
}

// Sets up `ctx` for one operation with key and IV.
Status Init(EVP_CIPHER_CTX* ctx, const KeyMaterial& key, CipherMode mode,
            ByteView iv, bool encrypt) {
  const EVP_CIPHER* cipher = Cipher(key.algorithm(), mode);
  const int enc = encrypt ? 1 : 0;
  if (EVP_CipherInit_ex(ctx, cipher, nullptr, nullptr, nullptr, enc) != 1) {
    return OpenSslFailure("cipher setup");
  }
  if (mode == CipherMode::kGcm &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
                          static_cast<int>(iv.size()), nullptr) != 1) {
    return OpenSslFailure("GCM IV length");
  }
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, key.secret().data(), iv.data(),
                        enc) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx, mode == CipherMode::kCbcPad ? 1 : 0) !=
          1) {
    return OpenSslFailure("cipher setup");
  }
  return Status::Ok();
}

Status AddAad(EVP_CIPHER_CTX* ctx, ByteView aad) {
  int unused = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &unused, aad.data(),
                                       static_cast<int>(aad.size())) != 1) {
    return OpenSslFailure("GCM AAD");
  }
  return Status::Ok();
}

}  // namespace

Result<CipherMode> ParseCipherMode(std::string_view name) {
  for (const ModeInfo& info : kModes) {
    if (info.name == name) return info.mode;
  }
  return Error(ErrorCode::kUnsupportedAlgorithm,
               "unknown cipher mode \"" + std::string(name) + "\"");
}

Result<CipherOutput> SymmetricEncrypt(const KeyMaterial& key,
                                      const CipherParams& params,
                                      ByteView plaintext) {
  CipherOutput output;
  output.iv = params.iv;
  if (output.iv.empty()) {
    output.iv.resize(params.mode == CipherMode::kGcm ? kGcmDefaultIvSize
                                                     : kBlockSize);
    if (RAND_bytes(output.iv.data(), static_cast<int>(output.iv.size())) != 1) {
      return OpenSslFailure("IV generation");
    }
  }
  KMS_RETURN_IF_ERROR(CheckParams(key, params, output.iv.size()));
  KMS_RETURN_IF_ERROR(CheckDataSize(params.mode, plaintext.size(), false));

  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return OpenSslFailure("cipher context");
  KMS_RETURN_IF_ERROR(
      Init(ctx.get(), key, params.mode, View(output.iv), /*encrypt=*/true));
  if (params.mode == CipherMode::kGcm) {
    KMS_RETURN_IF_ERROR(AddAad(ctx.get(), View(params.aad)));
  }
  output.ciphertext.resize(plaintext.size() + kBlockSize);
  int size = 0;
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), output.ciphertext.data(), &size,
                        plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1) {
    return OpenSslFailure("encrypt");
  }
  int final_size = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), output.ciphertext.data() + size,
                          &final_size) != 1) {
    return OpenSslFailure("encrypt final");
  }
  output.ciphertext.resize(static_cast<size_t>(size + final_size));
  if (params.mode == CipherMode::kGcm) {
    output.tag.resize(static_cast<size_t>(params.tag_bits / 8));
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG,
                            static_cast<int>(output.tag.size()),
                            output.tag.data()) != 1) {
      return OpenSslFailure("GCM tag");
    }
  }
  return output;
}

Result<SecureBytes> SymmetricDecrypt(const KeyMaterial& key,
                                     const CipherParams& params,
                                     ByteView ciphertext, ByteView tag) {
  KMS_RETURN_IF_ERROR(CheckParams(key, params, params.iv.size()));
  KMS_RETURN_IF_ERROR(CheckDataSize(params.mode, ciphertext.size(), true));
  const Status failed(ErrorCode::kDecryptFailed, "decryption failed");
  if (params.mode == CipherMode::kGcm) {
    // A missing or cut tag is a ciphertext that does not verify.
    if (tag.size() != static_cast<size_t>(params.tag_bits / 8)) return failed;
  } else if (!tag.empty()) {
    return Error(ErrorCode::kInvalidArgument, "a tag applies to GCM only");
  }

  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return OpenSslFailure("cipher context");
  KMS_RETURN_IF_ERROR(
      Init(ctx.get(), key, params.mode, View(params.iv), /*encrypt=*/false));
  if (params.mode == CipherMode::kGcm) {
    KMS_RETURN_IF_ERROR(AddAad(ctx.get(), View(params.aad)));
    // The ctrl interface wants a mutable buffer.
    Bytes expected_tag(tag.begin(), tag.end());
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG,
                            static_cast<int>(expected_tag.size()),
                            expected_tag.data()) != 1) {
      return OpenSslFailure("GCM tag");
    }
  }
  // Wiped on every exit, including when the tag turns out to be bad.
  SecureBytes plaintext(ciphertext.size() + kBlockSize);
  int size = 0;
  if (!ciphertext.empty() &&
      EVP_DecryptUpdate(ctx.get(), plaintext.data(), &size, ciphertext.data(),
                        static_cast<int>(ciphertext.size())) != 1) {
    return OpenSslFailure("decrypt");
  }
  int final_size = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + size, &final_size) !=
      1) {
    // Bad GCM tag or bad CBC padding: one answer for both.
    ERR_clear_error();
    return failed;
  }
  plaintext.resize(static_cast<size_t>(size + final_size));
  return plaintext;
}

}  // namespace kms
