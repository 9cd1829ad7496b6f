#include "tests/integration/openssl_check.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

namespace kms::testing {
namespace {

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG_free>>;
using X509SigPtr = std::unique_ptr<X509_SIG, OpenSslDeleter<X509_SIG_free>>;
using Pkcs8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO,
                                 OpenSslDeleter<PKCS8_PRIV_KEY_INFO_free>>;

template <typename T, typename Fn>
Bytes ToDer(T* object, Fn encode) {
  int size = encode(object, nullptr);
  if (size <= 0) return {};
  Bytes der(static_cast<size_t>(size));
  unsigned char* out = der.data();
  if (encode(object, &out) != size) return {};
  return der;
}

EvpPkeyPtr Generate(const char* type, int rsa_bits, const char* curve) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) <= 0) return nullptr;
  if (rsa_bits > 0 &&
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), rsa_bits) <= 0) {
    return nullptr;
  }
  if (curve != nullptr && EVP_PKEY_CTX_set_group_name(ctx.get(), curve) <= 0) {
    return nullptr;
  }
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &key) <= 0) return nullptr;
  return EvpPkeyPtr(key);
}

const EVP_CIPHER* AesCipher(std::string_view mode, size_t key_size) {
  const bool small = key_size == 16;
  if (key_size != 16 && key_size != 32) return nullptr;
  if (mode == "GCM") return small ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
  if (mode == "CBC" || mode == "CBC_PAD") {
    return small ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
  }
  if (mode == "CTR") return small ? EVP_aes_128_ctr() : EVP_aes_256_ctr();
  return nullptr;
}

std::optional<Bytes> AesCrypt(bool encrypt, std::string_view mode, ByteView key,
                              ByteView iv, ByteView aad, ByteView input,
                              Bytes* tag_out, ByteView tag_in) {
  const EVP_CIPHER* cipher = AesCipher(mode, key.size());
  if (cipher == nullptr) return std::nullopt;
  const bool gcm = mode == "GCM";
  const int enc = encrypt ? 1 : 0;
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (EVP_CipherInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr, enc) !=
      1) {
    return std::nullopt;
  }
  if (gcm && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN,
                                 static_cast<int>(iv.size()), nullptr) != 1) {
    return std::nullopt;
  }
  if (EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data(),
                        enc) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), mode == "CBC_PAD" ? 1 : 0) != 1) {
    return std::nullopt;
  }
  int len = 0;
  if (gcm && !aad.empty() &&
      EVP_CipherUpdate(ctx.get(), nullptr, &len, aad.data(),
                       static_cast<int>(aad.size())) != 1) {
    return std::nullopt;
  }
  if (gcm && !encrypt) {
    Bytes tag(tag_in.begin(), tag_in.end());
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG,
                            static_cast<int>(tag.size()), tag.data()) != 1) {
      return std::nullopt;
    }
  }
  Bytes out(input.size() + 32);
  int size = 0;
  if (!input.empty() &&
      EVP_CipherUpdate(ctx.get(), out.data(), &size, input.data(),
                       static_cast<int>(input.size())) != 1) {
    return std::nullopt;
  }
  int final_size = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + size, &final_size) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(size + final_size));
  if (gcm && encrypt) {
    tag_out->assign(16, 0);
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16,
                            tag_out->data()) != 1) {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<Bytes> AesWrapCrypt(bool encrypt, ByteView kek, bool pad,
                                  ByteView input) {
  const EVP_CIPHER* cipher = nullptr;
  if (kek.size() == 16) {
    cipher = pad ? EVP_aes_128_wrap_pad() : EVP_aes_128_wrap();
  } else if (kek.size() == 32) {
    cipher = pad ? EVP_aes_256_wrap_pad() : EVP_aes_256_wrap();
  } else {
    return std::nullopt;
  }
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_CipherInit_ex(ctx.get(), cipher, nullptr, kek.data(), nullptr,
                        encrypt ? 1 : 0) != 1) {
    return std::nullopt;
  }
  Bytes out(input.size() + 16);
  int size = 0;
  int final_size = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &size, input.data(),
                       static_cast<int>(input.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + size, &final_size) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(size + final_size));
  return out;
}

std::optional<Bytes> RsaCrypt(bool encrypt, EVP_PKEY* key,
                              const EVP_MD* oaep_md, ByteView label,
                              ByteView input) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (ctx == nullptr) return std::nullopt;
  int rc = encrypt ? EVP_PKEY_encrypt_init(ctx.get())
                   : EVP_PKEY_decrypt_init(ctx.get());
  if (rc <= 0) return std::nullopt;
  if (oaep_md == nullptr) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0) {
      return std::nullopt;
    }
  } else {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), oaep_md) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), oaep_md) <= 0) {
      return std::nullopt;
    }
    if (!label.empty()) {
      void* copy = OPENSSL_memdup(label.data(), label.size());
      if (EVP_PKEY_CTX_set0_rsa_oaep_label(
              ctx.get(), copy, static_cast<int>(label.size())) <= 0) {
        OPENSSL_free(copy);
        return std::nullopt;
      }
    }
  }
  size_t size = 0;
  rc = encrypt ? EVP_PKEY_encrypt(ctx.get(), nullptr, &size, input.data(),
                                  input.size())
               : EVP_PKEY_decrypt(ctx.get(), nullptr, &size, input.data(),
                                  input.size());
  if (rc <= 0) return std::nullopt;
  Bytes out(size);
  rc = encrypt ? EVP_PKEY_encrypt(ctx.get(), out.data(), &size, input.data(),
                                  input.size())
               : EVP_PKEY_decrypt(ctx.get(), out.data(), &size, input.data(),
                                  input.size());
  if (rc <= 0) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(size);
  return out;
}

}  // namespace

const EVP_MD* MdByName(std::string_view name) {
  if (name == "SHA1") return EVP_sha1();
  if (name == "SHA224") return EVP_sha224();
  if (name == "SHA256") return EVP_sha256();
  if (name == "SHA384") return EVP_sha384();
  if (name == "SHA512") return EVP_sha512();
  return nullptr;
}

Bytes Digest(const EVP_MD* md, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) !=
      1) {
    return {};
  }
  out.resize(len);
  return out;
}

Bytes RandomBytes(size_t size) {
  Bytes out(size);
  if (RAND_bytes(out.data(), static_cast<int>(size)) != 1) return {};
  return out;
}

EvpPkeyPtr PublicKeyFromDer(ByteView der) {
  const unsigned char* p = der.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (key == nullptr || p != der.data() + der.size()) return nullptr;
  return key;
}

EvpPkeyPtr GenerateRsa(int bits) { return Generate("RSA", bits, nullptr); }
EvpPkeyPtr GenerateEc(const char* curve) { return Generate("EC", 0, curve); }
EvpPkeyPtr GenerateEd25519() { return Generate("ED25519", 0, nullptr); }

Bytes PrivateKeyPkcs8(EVP_PKEY* key) {
  Pkcs8Ptr p8(EVP_PKEY2PKCS8(key));
  if (p8 == nullptr) return {};
  return ToDer(p8.get(), i2d_PKCS8_PRIV_KEY_INFO);
}

Bytes PublicKeySpki(EVP_PKEY* key) {
  return ToDer(
      key, [](EVP_PKEY* k, unsigned char** out) { return i2d_PUBKEY(k, out); });
}

Bytes SelfSignedCertificate(EVP_PKEY* key, const std::string& cn) {
  X509Ptr cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), 2) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 4711) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return {};
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 ||
      X509_sign(cert.get(), key, EVP_sha256()) <= 0) {
    return {};
  }
  return ToDer(cert.get(), i2d_X509);
}

bool VerifyRsaPkcs1(EVP_PKEY* key, const EVP_MD* md, ByteView digest,
                    ByteView signature) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0) {
    return false;
  }
  if (md != nullptr && EVP_PKEY_CTX_set_signature_md(ctx.get(), md) <= 0) {
    return false;
  }
  int rc = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(),
                           digest.data(), digest.size());
  ERR_clear_error();
  return rc == 1;
}

bool VerifyRsaPss(EVP_PKEY* key, const EVP_MD* md, const EVP_MD* mgf1_md,
                  int salt_length, ByteView digest, ByteView signature) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), md) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), mgf1_md) <= 0 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), salt_length) <= 0) {
    return false;
  }
  int rc = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(),
                           digest.data(), digest.size());
  ERR_clear_error();
  return rc == 1;
}

bool VerifyEcdsaRaw(EVP_PKEY* key, ByteView digest, ByteView raw) {
  const int field = (EVP_PKEY_get_bits(key) + 7) / 8;
  if (raw.size() != 2 * static_cast<size_t>(field)) return false;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), field, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + field, field, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  Bytes der = ToDer(sig.get(), i2d_ECDSA_SIG);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (der.empty() || ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) <= 0) {
    return false;
  }
  int rc = EVP_PKEY_verify(ctx.get(), der.data(), der.size(), digest.data(),
                           digest.size());
  ERR_clear_error();
  return rc == 1;
}

bool VerifyEd25519(EVP_PKEY* key, ByteView message, ByteView signature) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) {
    return false;
  }
  int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                            message.data(), message.size());
  ERR_clear_error();
  return rc == 1;
}

Bytes DigestInfo(const EVP_MD* md, ByteView digest) {
  X509SigPtr sig(X509_SIG_new());
  if (sig == nullptr) return {};
  X509_ALGOR* algorithm = nullptr;
  ASN1_OCTET_STRING* octets = nullptr;
  X509_SIG_getm(sig.get(), &algorithm, &octets);
  if (X509_ALGOR_set0(algorithm, OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_NULL,
                      nullptr) != 1 ||
      ASN1_OCTET_STRING_set(octets, digest.data(),
                            static_cast<int>(digest.size())) != 1) {
    return {};
  }
  return ToDer(sig.get(), i2d_X509_SIG);
}

Bytes HmacSha256(ByteView key, ByteView message) {
  EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  EvpMacCtxPtr ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
  if (ctx == nullptr) return {};
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  Bytes out(32);
  size_t len = 0;
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), message.data(), message.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1) {
    return {};
  }
  out.resize(len);
  return out;
}

std::optional<Bytes> RsaEncrypt(EVP_PKEY* key, const EVP_MD* oaep_md,
                                ByteView label, ByteView plaintext) {
  return RsaCrypt(true, key, oaep_md, label, plaintext);
}

std::optional<Bytes> RsaDecrypt(EVP_PKEY* key, const EVP_MD* oaep_md,
                                ByteView label, ByteView ciphertext) {
  return RsaCrypt(false, key, oaep_md, label, ciphertext);
}

std::optional<Bytes> AesEncrypt(std::string_view mode, ByteView key,
                                ByteView iv, ByteView aad, ByteView plaintext,
                                Bytes* tag) {
  Bytes unused;
  return AesCrypt(true, mode, key, iv, aad, plaintext,
                  tag != nullptr ? tag : &unused, {});
}

std::optional<Bytes> AesDecrypt(std::string_view mode, ByteView key,
                                ByteView iv, ByteView aad, ByteView ciphertext,
                                ByteView tag) {
  return AesCrypt(false, mode, key, iv, aad, ciphertext, nullptr, tag);
}

std::optional<Bytes> AesKeyWrap(ByteView kek, bool pad, ByteView secret) {
  return AesWrapCrypt(true, kek, pad, secret);
}

std::optional<Bytes> AesKeyUnwrap(ByteView kek, bool pad, ByteView wrapped) {
  return AesWrapCrypt(false, kek, pad, wrapped);
}

}  // namespace kms::testing
