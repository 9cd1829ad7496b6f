// ECDSA with raw r||s signatures (PKCS#11 CKM_ECDSA and JOSE use this form;
// OpenSSL speaks DER, so both directions are converted here).
#include <openssl/ec.h>
#include <openssl/err.h>

#include <memory>
#include <string>

#include "common/openssl_raii.h"
#include "server/crypto/openssl_util.h"
#include "server/crypto/signature_internal.h"

namespace kms {
namespace {

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG_free>>;

// The longest digest we take (SHA-512); ECDSA uses only the leftmost
// field-size bits anyway.
constexpr size_t kMaxDigestSize = 64;

size_t FieldSize(Algorithm algorithm) { return KeySizeBytes(algorithm) / 2; }

Status CheckDigest(const SignParams& params, size_t size) {
  if (params.hash.has_value() && size != HashSize(*params.hash)) {
    return Error(ErrorCode::kDigestLengthInvalid,
                 "a " + std::string(HashName(*params.hash)) + " digest is " +
                     std::to_string(HashSize(*params.hash)) + " bytes");
  }
  if (size == 0 || size > kMaxDigestSize) {
    return Error(
        ErrorCode::kDigestLengthInvalid,
        "ECDSA digest must be 1.." + std::to_string(kMaxDigestSize) + " bytes");
  }
  return Status::Ok();
}

Result<Bytes> DerToRaw(ByteView der, size_t field_size) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (sig == nullptr) return OpenSslFailure("ECDSA signature decoding");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes raw(2 * field_size);
  const int n = static_cast<int>(field_size);
  if (BN_bn2binpad(r, raw.data(), n) != n ||
      BN_bn2binpad(s, raw.data() + field_size, n) != n) {
    return OpenSslFailure("ECDSA signature encoding");
  }
  return raw;
}

// Callers have checked raw.size() == 2 * field size.
Result<Bytes> RawToDer(ByteView raw) {
  const size_t half = raw.size() / 2;
  const int n = static_cast<int>(half);
  BignumPtr r(BN_bin2bn(raw.data(), n, nullptr));
  BignumPtr s(BN_bin2bn(raw.data() + half, n, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || sig == nullptr ||
      ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return OpenSslFailure("ECDSA signature encoding");
  }
  // ECDSA_SIG_set0 took ownership.
  (void)r.release();
  (void)s.release();
  const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) return OpenSslFailure("ECDSA signature encoding");
  Bytes der(static_cast<size_t>(size));
  unsigned char* out = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &out) != size) {
    return OpenSslFailure("ECDSA signature encoding");
  }
  return der;
}

}  // namespace

Result<Bytes> EcdsaSign(const KeyMaterial& key, const SignParams& params,
                        ByteView digest) {
  KMS_RETURN_IF_ERROR(CheckDigest(params, digest.size()));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
  if (ctx == nullptr || EVP_PKEY_sign_init(ctx.get()) <= 0) {
    return OpenSslFailure("ECDSA sign setup");
  }
  size_t size = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &size, digest.data(), digest.size()) <=
      0) {
    return OpenSslFailure("ECDSA sign");
  }
  Bytes der(size);
  if (EVP_PKEY_sign(ctx.get(), der.data(), &size, digest.data(),
                    digest.size()) <= 0) {
    return OpenSslFailure("ECDSA sign");
  }
  der.resize(size);
  return DerToRaw(View(der), FieldSize(key.algorithm()));
}

Status EcdsaVerify(const KeyMaterial& key, const SignParams& params,
                   ByteView digest, ByteView signature) {
  KMS_RETURN_IF_ERROR(CheckDigest(params, digest.size()));
  if (signature.size() != 2 * FieldSize(key.algorithm())) {
    return BadSignature();
  }
  KMS_ASSIGN_OR_RETURN(Bytes der, RawToDer(signature));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
  if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) <= 0) {
    return OpenSslFailure("ECDSA verify setup");
  }
  const int rc = EVP_PKEY_verify(ctx.get(), der.data(), der.size(),
                                 digest.data(), digest.size());
  ERR_clear_error();
  return rc == 1 ? Status::Ok() : BadSignature();
}

}  // namespace kms
