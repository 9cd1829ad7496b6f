// Key algorithms and usages of the key model (DESIGN.md, "Key model").
#ifndef KMS_SERVER_CRYPTO_ALGORITHM_H_
#define KMS_SERVER_CRYPTO_ALGORITHM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kms {

enum class Algorithm {
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

// Wire names: "AES_128", "AES_256", "HMAC_SHA256", "RSA_2048", "RSA_3072",
// "RSA_4096", "EC_P256", "EC_P384", "ED25519".
std::string_view AlgorithmName(Algorithm algorithm);
// kUnsupportedAlgorithm for anything else.
Result<Algorithm> ParseAlgorithm(std::string_view name);

bool IsSymmetric(Algorithm algorithm);  // AES and HMAC
bool IsRsa(Algorithm algorithm);
bool IsEc(Algorithm algorithm);         // P-256, P-384
// Signature size for asymmetric keys, key length in bytes for symmetric.
size_t KeySizeBytes(Algorithm algorithm);

// Usage bits; stored as a bitmask.
enum Usage : uint32_t {
  kUsageSign = 1u << 0,
  kUsageVerify = 1u << 1,
  kUsageEncrypt = 1u << 2,
  kUsageDecrypt = 1u << 3,
  kUsageWrap = 1u << 4,
  kUsageUnwrap = 1u << 5,
};

// "sign", "verify", "encrypt", "decrypt", "wrap", "unwrap".
Result<uint32_t> ParseUsages(const std::vector<std::string>& names);
std::vector<std::string> UsageNames(uint32_t usages);
// The usages an algorithm can have at all (e.g. no "encrypt" for Ed25519).
uint32_t PossibleUsages(Algorithm algorithm);
// Default usages when a create request names none.
uint32_t DefaultUsages(Algorithm algorithm);

}  // namespace kms

#endif  // KMS_SERVER_CRYPTO_ALGORITHM_H_
