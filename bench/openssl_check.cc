#include "bench/openssl_check.h"

#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <algorithm>

#include "common/openssl_raii.h"

namespace kms::bench {
namespace {

struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

Status OpenSslError(const std::string& what) {
  return Error(ErrorCode::kInternal, what + ": " + OpenSslErrorString());
}

Status Invalid(const std::string& what) {
  OpenSslErrorString();  // clears the queue
  return Error(ErrorCode::kSignatureInvalid, what + " does not verify");
}

// No label; the same hash for OAEP and MGF1.
bool SetOaepParams(EVP_PKEY_CTX* ctx, Scheme scheme) {
  return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(ctx, OaepMd(scheme)) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, OaepMd(scheme)) == 1;
}

}  // namespace

Result<Bytes> EcdsaRawToDer(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    return Error(ErrorCode::kInvalidArgument, "raw ECDSA signature length");
  }
  int half = static_cast<int>(raw.size() / 2);
  BIGNUM* r = BN_bin2bn(raw.data(), half, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, half, nullptr);
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || sig == nullptr ||
      ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return OpenSslError("ECDSA signature");
  }
  int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return OpenSslError("ECDSA signature encoding");
  Bytes der(static_cast<size_t>(length));
  unsigned char* out = der.data();
  i2d_ECDSA_SIG(sig.get(), &out);
  return der;
}

Result<Bytes> EcdsaDigest(KeyType key, ByteView message) {
  const EVP_MD* md = key == KeyType::kEcP384 ? EVP_sha384() : EVP_sha256();
  Bytes digest(static_cast<size_t>(EVP_MD_get_size(md)));
  unsigned int length = 0;
  if (EVP_Digest(message.data(), message.size(), digest.data(), &length, md,
                 nullptr) != 1) {
    return OpenSslError("digest");
  }
  return digest;
}

Status VerifySignature(EVP_PKEY* public_key, Scheme scheme,
                       ByteView signed_data, ByteView signature,
                       EcdsaEncoding encoding) {
  switch (scheme) {
    case Scheme::kEcdsaDigest: {
      Bytes der;
      if (encoding == EcdsaEncoding::kRaw) {
        KMS_ASSIGN_OR_RETURN(der, EcdsaRawToDer(signature));
      } else {
        der.assign(signature.begin(), signature.end());
      }
      EvpPkeyCtxPtr ctx(
          EVP_PKEY_CTX_new_from_pkey(nullptr, public_key, nullptr));
      if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) != 1) {
        return OpenSslError("ECDSA verify init");
      }
      if (EVP_PKEY_verify(ctx.get(), der.data(), der.size(), signed_data.data(),
                          signed_data.size()) != 1) {
        return Invalid("ECDSA signature");
      }
      return Status::Ok();
    }
    case Scheme::kRsaPkcs1Sha256:
    case Scheme::kRsaPssSha256:
    case Scheme::kEd25519: {
      EvpMdCtxPtr ctx(EVP_MD_CTX_new());
      EVP_PKEY_CTX* pctx = nullptr;
      const EVP_MD* md = scheme == Scheme::kEd25519 ? nullptr : EVP_sha256();
      if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr,
                                                 public_key) != 1) {
        return OpenSslError("verify init");
      }
      if (scheme == Scheme::kRsaPssSha256 &&
          (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)) {
        return OpenSslError("PSS parameters");
      }
      if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                           signed_data.data(), signed_data.size()) != 1) {
        return Invalid("signature");
      }
      return Status::Ok();
    }
    default:
      return Error(ErrorCode::kInvalidArgument, "not a signature scheme");
  }
}

const EVP_MD* OaepMd(Scheme scheme) {
  return scheme == Scheme::kRsaOaepSha1 ? EVP_sha1() : EVP_sha256();
}

Result<Bytes> RsaOaepEncrypt(EVP_PKEY* public_key, Scheme scheme,
                             ByteView plaintext) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, public_key, nullptr));
  if (ctx == nullptr || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      !SetOaepParams(ctx.get(), scheme)) {
    return OpenSslError("OAEP init");
  }
  size_t length = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &length, plaintext.data(),
                       plaintext.size()) != 1) {
    return OpenSslError("OAEP encrypt");
  }
  Bytes out(length);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &length, plaintext.data(),
                       plaintext.size()) != 1) {
    return OpenSslError("OAEP encrypt");
  }
  out.resize(length);
  return out;
}

Result<Bytes> RsaOaepDecrypt(EVP_PKEY* private_key, Scheme scheme,
                             ByteView ciphertext) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, private_key, nullptr));
  if (ctx == nullptr || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      !SetOaepParams(ctx.get(), scheme)) {
    return OpenSslError("OAEP init");
  }
  Bytes out(static_cast<size_t>(EVP_PKEY_get_size(private_key)));
  size_t length = out.size();
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &length, ciphertext.data(),
                       ciphertext.size()) != 1) {
    OpenSslErrorString();  // clears the queue
    return Error(ErrorCode::kSignatureInvalid,
                 "OAEP ciphertext does not decrypt");
  }
  out.resize(length);
  return out;
}

Bytes RandomBytes(size_t size) {
  Bytes out(size);
  if (size > 0 && RAND_bytes(out.data(), static_cast<int>(size)) != 1) {
    // The RNG failing is not something a benchmark can recover from.
    std::abort();
  }
  return out;
}

Status CheckOaepEncryptions(const Bytes& plaintext, const Bytes& decrypted,
                            ByteView first, ByteView second) {
  if (decrypted != plaintext) {
    return Error(ErrorCode::kInternal, "OAEP ciphertext decrypts wrongly");
  }
  if (std::equal(first.begin(), first.end(), second.begin(), second.end())) {
    return Error(ErrorCode::kInternal, "two OAEP ciphertexts are equal");
  }
  return Status::Ok();
}

std::string RandomHex(size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : RandomBytes(bytes)) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

}  // namespace kms::bench
