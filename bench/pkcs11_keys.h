// Keys on a PKCS#11 token for the benchmark: generated as token objects
// with a label (and destroyed afterwards), or found by label when they were
// made elsewhere; and their public halves read back into OpenSSL.
#ifndef KMS_BENCH_PKCS11_KEYS_H_
#define KMS_BENCH_PKCS11_KEYS_H_

#include <p11-kit/pkcs11.h>

#include <string>

#include "bench/operations.h"
#include "bench/pkcs11_session.h"
#include "common/openssl_raii.h"
#include "common/status.h"

namespace kms::bench {

struct TokenKey {
  KeyType type = KeyType::kNone;
  std::string label;
  CK_OBJECT_HANDLE private_or_secret = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;  // asymmetric only
};

// C_GenerateKeyPair / C_GenerateKey with CKA_TOKEN=TRUE, sensitive and not
// extractable, usable for every operation of its type.
Result<TokenKey> GenerateTokenKey(Pkcs11Session& session, KeyType type,
                                  const std::string& label);

// The one private (or secret) key and, for asymmetric types, the one public
// key labelled label; kNotFound or kFailedPrecondition when not exactly one.
Result<TokenKey> FindTokenKey(Pkcs11Session& session, KeyType type,
                              const std::string& label);

// Destroys what GenerateTokenKey made (errors ignored: best effort).
void DestroyTokenKey(Pkcs11Session& session, const TokenKey& key);

// The public key as OpenSSL sees it, from CKA_MODULUS + CKA_PUBLIC_EXPONENT
// or CKA_EC_POINT of the public key object.
Result<EvpPkeyPtr> ReadPublicKey(Pkcs11Session& session, const TokenKey& key);

}  // namespace kms::bench

#endif  // KMS_BENCH_PKCS11_KEYS_H_
