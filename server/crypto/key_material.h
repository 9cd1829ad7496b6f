// A key version's material in usable form. Asymmetric keys are parsed once
// into an EVP_PKEY (OpenSSL keeps private components in its secure heap,
// which kmsd initialises at start-up); symmetric keys are raw bytes in
// locked, wiped memory.
#ifndef KMS_SERVER_CRYPTO_KEY_MATERIAL_H_
#define KMS_SERVER_CRYPTO_KEY_MATERIAL_H_

#include "common/openssl_raii.h"
#include "common/secure_memory.h"
#include "common/status.h"
#include "server/crypto/algorithm.h"

namespace kms {

class KeyMaterial {
 public:
  // Fresh material from OpenSSL's DRBG (RSA exponent 65537).
  static Result<KeyMaterial> Generate(Algorithm algorithm);
  // From the serialised form produced by Serialize(): PKCS#8 DER for
  // asymmetric keys, raw bytes for symmetric ones. Checks that the material
  // matches the algorithm (type, size, curve): kDataInvalid for material
  // that does not parse as PKCS#8 (or has trailing bytes), for another key
  // type, RSA modulus size or curve, and for a symmetric key of the wrong
  // length.
  static Result<KeyMaterial> Deserialize(Algorithm algorithm,
                                         ByteView serialized);

  Algorithm algorithm() const { return algorithm_; }
  // Asymmetric keys only (nullptr otherwise).
  EVP_PKEY* pkey() const { return pkey_.get(); }
  // Symmetric keys only (empty otherwise).
  const SecureBytes& secret() const { return secret_; }

  Result<SecureBytes> Serialize() const;
  // DER SubjectPublicKeyInfo; kFailedPrecondition for symmetric keys.
  Result<Bytes> PublicKeyDer() const;

 private:
  KeyMaterial(Algorithm algorithm, EvpPkeyPtr pkey, SecureBytes secret)
      : algorithm_(algorithm),
        pkey_(std::move(pkey)),
        secret_(std::move(secret)) {}

  Algorithm algorithm_;
  EvpPkeyPtr pkey_;
  SecureBytes secret_;
};

}  // namespace kms

#endif  // KMS_SERVER_CRYPTO_KEY_MATERIAL_H_
