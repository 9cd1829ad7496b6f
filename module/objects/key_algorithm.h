// kmsd's key algorithms as PKCS#11 sees them: key type, sizes, curve.
#ifndef KMS_MODULE_OBJECTS_KEY_ALGORITHM_H_
#define KMS_MODULE_OBJECTS_KEY_ALGORITHM_H_

#include <optional>
#include <string>
#include <string_view>

#include "common/secure_memory.h"
#include "module/base/pkcs11.h"

namespace kms::p11 {

enum class KeyAlgorithm {
  kAes128,
  kAes256,
  kHmacSha256,
  kRsa2048,
  kRsa3072,
  kRsa4096,
  kEcP256,
  kEcP384,
  kEd25519,
};

std::optional<KeyAlgorithm> ParseKeyAlgorithm(std::string_view wire_name);
std::string_view KeyAlgorithmName(KeyAlgorithm algorithm);

bool IsSymmetric(KeyAlgorithm a);
bool IsRsa(KeyAlgorithm a);
// The RSA algorithm of a modulus size kmsd offers (2048, 3072, 4096 bits).
std::optional<KeyAlgorithm> RsaAlgorithmForBits(CK_ULONG bits);
bool IsEc(KeyAlgorithm a);  // ECDSA curves (not Ed25519)
CK_KEY_TYPE CkKeyType(KeyAlgorithm a);
// Secret key length in bytes (symmetric keys).
CK_ULONG SecretKeyBytes(KeyAlgorithm a);
// Modulus length in bytes (RSA).
CK_ULONG ModulusBytes(KeyAlgorithm a);
// Field size in bytes (EC P-256/P-384, Ed25519): ECDSA signatures are twice
// this long.
CK_ULONG FieldBytes(KeyAlgorithm a);
// DER of the curve: an OID for ECDSA curves, for Ed25519 the OID 1.3.101.112.
Bytes EcParamsDer(KeyAlgorithm a);
// The EC algorithm named by a CKA_EC_PARAMS value (OID or printable name).
std::optional<KeyAlgorithm> EcAlgorithmFromParams(ByteView der);

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_KEY_ALGORITHM_H_
