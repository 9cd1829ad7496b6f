#include "server/crypto/key_material.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "server/crypto/openssl_util.h"

namespace kms {
namespace {

using Pkcs8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO,
                                 OpenSslDeleter<PKCS8_PRIV_KEY_INFO_free>>;

// Generous bound for a PKCS#8 RSA-4096 key; keeps the length within `long`.
constexpr size_t kMaxPkcs8Size = 16 * 1024;

const char* KeyTypeName(Algorithm algorithm) {
  if (IsRsa(algorithm)) return "RSA";
  if (IsEc(algorithm)) return "EC";
  return "ED25519";
}

int RsaBits(Algorithm algorithm) {
  return static_cast<int>(KeySizeBytes(algorithm)) * 8;
}

const char* CurveName(Algorithm algorithm) {
  return algorithm == Algorithm::kEcP256 ? "P-256" : "P-384";
}

int CurveNid(Algorithm algorithm) {
  return algorithm == Algorithm::kEcP256 ? NID_X9_62_prime256v1 : NID_secp384r1;
}

Result<EvpPkeyPtr> GenerateAsymmetric(Algorithm algorithm) {
  EvpPkeyCtxPtr ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, KeyTypeName(algorithm), nullptr));
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) <= 0) {
    return OpenSslFailure("key generation setup");
  }
  if (IsRsa(algorithm)) {
    BignumPtr exponent(BN_new());
    if (exponent == nullptr || BN_set_word(exponent.get(), 65537) != 1 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), RsaBits(algorithm)) <= 0 ||
        EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), exponent.get()) <= 0) {
      return OpenSslFailure("RSA key generation parameters");
    }
  } else if (IsEc(algorithm)) {
    if (EVP_PKEY_CTX_set_group_name(ctx.get(), CurveName(algorithm)) <= 0) {
      return OpenSslFailure("EC key generation parameters");
    }
  }
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &pkey) <= 0) {
    return OpenSslFailure("key generation");
  }
  return EvpPkeyPtr(pkey);
}

// Serialised material can come from an import or an unwrap, so its type
// and size are checked against what the key record claims.
Status CheckMatches(Algorithm algorithm, EVP_PKEY* pkey) {
  const std::string expected(AlgorithmName(algorithm));
  if (EVP_PKEY_is_a(pkey, KeyTypeName(algorithm)) != 1) {
    return Error(ErrorCode::kDataInvalid,
                 "key material is not a " + expected + " key");
  }
  if (IsRsa(algorithm) && EVP_PKEY_get_bits(pkey) != RsaBits(algorithm)) {
    return Error(ErrorCode::kDataInvalid,
                 "RSA modulus size does not match " + expected);
  }
  if (IsEc(algorithm)) {
    char group[64] = {};
    size_t group_len = 0;
    // Keys with explicit curve parameters have no group name: refused.
    if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &group_len) != 1 ||
        OBJ_sn2nid(group) != CurveNid(algorithm)) {
      ERR_clear_error();
      return Error(ErrorCode::kDataInvalid,
                   "EC curve does not match " + expected);
    }
  }
  return Status::Ok();
}

Result<EvpPkeyPtr> ParsePkcs8(Algorithm algorithm, ByteView der) {
  const Status malformed(ErrorCode::kDataInvalid,
                         "key material is not a PKCS#8 PrivateKeyInfo");
  if (der.empty() || der.size() > kMaxPkcs8Size) return malformed;
  const unsigned char* p = der.data();
  Pkcs8Ptr p8(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  // Trailing bytes would make two different encodings load as one key.
  if (p8 == nullptr || p != der.data() + der.size()) {
    ERR_clear_error();
    return malformed;
  }
  EvpPkeyPtr pkey(EVP_PKCS82PKEY(p8.get()));
  if (pkey == nullptr) {
    ERR_clear_error();
    return malformed;
  }
  KMS_RETURN_IF_ERROR(CheckMatches(algorithm, pkey.get()));
  return pkey;
}

}  // namespace

Result<KeyMaterial> KeyMaterial::Generate(Algorithm algorithm) {
  if (IsSymmetric(algorithm)) {
    SecureBytes secret(KeySizeBytes(algorithm));
    if (RAND_priv_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
      return OpenSslFailure("random key generation");
    }
    return KeyMaterial(algorithm, nullptr, std::move(secret));
  }
  KMS_ASSIGN_OR_RETURN(EvpPkeyPtr pkey, GenerateAsymmetric(algorithm));
  return KeyMaterial(algorithm, std::move(pkey), SecureBytes());
}

Result<KeyMaterial> KeyMaterial::Deserialize(Algorithm algorithm,
                                             ByteView serialized) {
  if (IsSymmetric(algorithm)) {
    if (serialized.size() != KeySizeBytes(algorithm)) {
      return Error(ErrorCode::kDataInvalid,
                   std::string(AlgorithmName(algorithm)) + " needs a " +
                       std::to_string(KeySizeBytes(algorithm)) + "-byte key");
    }
    return KeyMaterial(algorithm, nullptr, ToSecure(serialized));
  }
  KMS_ASSIGN_OR_RETURN(EvpPkeyPtr pkey, ParsePkcs8(algorithm, serialized));
  return KeyMaterial(algorithm, std::move(pkey), SecureBytes());
}

Result<SecureBytes> KeyMaterial::Serialize() const {
  if (IsSymmetric(algorithm_)) return secret_;
  Pkcs8Ptr p8(EVP_PKEY2PKCS8(pkey_.get()));
  if (p8 == nullptr) return OpenSslFailure("PKCS#8 encoding");
  const int size = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr);
  if (size <= 0) return OpenSslFailure("PKCS#8 encoding");
  // Encoded straight into wiped memory: no OpenSSL-owned copy to clean up.
  SecureBytes der(static_cast<size_t>(size));
  unsigned char* out = der.data();
  if (i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &out) != size) {
    return OpenSslFailure("PKCS#8 encoding");
  }
  return der;
}

Result<Bytes> KeyMaterial::PublicKeyDer() const {
  if (IsSymmetric(algorithm_)) {
    return Error(ErrorCode::kFailedPrecondition,
                 "symmetric keys have no public key");
  }
  const int size = i2d_PUBKEY(pkey_.get(), nullptr);
  if (size <= 0) return OpenSslFailure("public key encoding");
  Bytes der(static_cast<size_t>(size));
  unsigned char* out = der.data();
  if (i2d_PUBKEY(pkey_.get(), &out) != size) {
    return OpenSslFailure("public key encoding");
  }
  return der;
}

}  // namespace kms
