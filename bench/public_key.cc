#include "bench/public_key.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>

namespace kms::bench {
namespace {

struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

Status OpenSslError(const std::string& what) {
  return Error(ErrorCode::kInternal, what + ": " + OpenSslErrorString());
}

Result<EvpPkeyPtr> FromData(const char* type, OSSL_PARAM* params) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return OpenSslError(std::string("public key import (") + type + ")");
  }
  EvpPkeyPtr key(raw);
  // Rejects points off the curve and bad RSA moduli.
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return OpenSslError(std::string("public key check (") + type + ")");
  }
  return key;
}

}  // namespace

Result<Bytes> UnwrapOctetString(ByteView der) {
  if (der.size() < 2 || der[0] != 0x04) {
    return Error(ErrorCode::kInvalidArgument, "not a DER OCTET STRING");
  }
  size_t length = der[1];
  size_t header = 2;
  if (length & 0x80) {
    size_t bytes = length & 0x7f;
    if (bytes == 0 || bytes > 3 || der.size() < 2 + bytes) {
      return Error(ErrorCode::kInvalidArgument, "bad DER length");
    }
    length = 0;
    for (size_t i = 0; i < bytes; ++i) length = (length << 8) | der[2 + i];
    header += bytes;
  }
  if (der.size() != header + length) {
    return Error(ErrorCode::kInvalidArgument, "DER length mismatch");
  }
  return Bytes(der.begin() + static_cast<ptrdiff_t>(header), der.end());
}

Result<EvpPkeyPtr> RsaPublicKey(ByteView modulus, ByteView exponent) {
  BignumPtr n(
      BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  BignumPtr e(
      BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (n == nullptr || e == nullptr || bld == nullptr ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return OpenSslError("RSA parameters");
  }
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(
      OSSL_PARAM_BLD_to_param(bld.get()));
  if (params == nullptr) return OpenSslError("RSA parameters");
  return FromData("RSA", params.get());
}

Result<EvpPkeyPtr> EcPublicKey(KeyType key, ByteView ec_point) {
  // A bare uncompressed point also starts with 0x04 and may read as an
  // OCTET STRING header (when its second byte is the remaining length), so
  // a value of exactly the bare size is taken as bare.
  const size_t bare_size = key == KeyType::kEd25519  ? 32
                           : key == KeyType::kEcP384 ? 97
                                                     : 65;
  Bytes point;
  Result<Bytes> unwrapped = UnwrapOctetString(ec_point);
  if (unwrapped.ok() && ec_point.size() != bare_size) {
    point = std::move(unwrapped).value();
  } else {
    point.assign(ec_point.begin(), ec_point.end());
  }
  if (key == KeyType::kEd25519) {
    if (point.size() != 32) {
      return Error(ErrorCode::kInvalidArgument, "Ed25519 key is not 32 bytes");
    }
    EvpPkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                point.data(), point.size()));
    if (pkey == nullptr) return OpenSslError("Ed25519 public key");
    return pkey;
  }
  const char* group = key == KeyType::kEcP384 ? "P-384" : "P-256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                       const_cast<char*>(group), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size()),
      OSSL_PARAM_construct_end(),
  };
  return FromData("EC", params);
}

Result<EvpPkeyPtr> GenerateKeyPair(KeyType key) {
  EVP_PKEY* raw = nullptr;
  switch (key) {
    case KeyType::kRsa2048:
    case KeyType::kRsa3072:
      raw = EVP_PKEY_Q_keygen(
          nullptr, nullptr, "RSA",
          static_cast<size_t>(key == KeyType::kRsa2048 ? 2048 : 3072));
      break;
    case KeyType::kEcP256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyType::kEcP384:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case KeyType::kEd25519:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    default:
      return Error(ErrorCode::kInvalidArgument, "not an asymmetric key type");
  }
  if (raw == nullptr) return OpenSslError("key generation");
  return EvpPkeyPtr(raw);
}

}  // namespace kms::bench
