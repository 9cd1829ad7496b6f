#include "server/crypto/algorithm.h"

#include <array>

namespace kms {
namespace {

struct AlgorithmInfo {
  Algorithm algorithm;
  std::string_view name;
  size_t size_bytes;
};

constexpr std::array kAlgorithms = {
    AlgorithmInfo{Algorithm::kAes128, "AES_128", 16},
    AlgorithmInfo{Algorithm::kAes256, "AES_256", 32},
    AlgorithmInfo{Algorithm::kHmacSha256, "HMAC_SHA256", 32},
    AlgorithmInfo{Algorithm::kRsa2048, "RSA_2048", 256},
    AlgorithmInfo{Algorithm::kRsa3072, "RSA_3072", 384},
    AlgorithmInfo{Algorithm::kRsa4096, "RSA_4096", 512},
    AlgorithmInfo{Algorithm::kEcP256, "EC_P256", 64},
    AlgorithmInfo{Algorithm::kEcP384, "EC_P384", 96},
    AlgorithmInfo{Algorithm::kEd25519, "ED25519", 64},
};

struct UsageInfo {
  Usage usage;
  std::string_view name;
};

constexpr std::array kUsages = {
    UsageInfo{kUsageSign, "sign"},       UsageInfo{kUsageVerify, "verify"},
    UsageInfo{kUsageEncrypt, "encrypt"}, UsageInfo{kUsageDecrypt, "decrypt"},
    UsageInfo{kUsageWrap, "wrap"},       UsageInfo{kUsageUnwrap, "unwrap"},
};

const AlgorithmInfo& Info(Algorithm algorithm) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.algorithm == algorithm) return info;
  }
  return kAlgorithms[0];  // unreachable for valid enum values
}

}  // namespace

std::string_view AlgorithmName(Algorithm algorithm) {
  return Info(algorithm).name;
}

Result<Algorithm> ParseAlgorithm(std::string_view name) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.name == name) return info.algorithm;
  }
  return Error(ErrorCode::kUnsupportedAlgorithm,
               "unknown algorithm \"" + std::string(name) + "\"");
}

bool IsSymmetric(Algorithm algorithm) {
  return algorithm == Algorithm::kAes128 || algorithm == Algorithm::kAes256 ||
         algorithm == Algorithm::kHmacSha256;
}

bool IsRsa(Algorithm algorithm) {
  return algorithm == Algorithm::kRsa2048 || algorithm == Algorithm::kRsa3072 ||
         algorithm == Algorithm::kRsa4096;
}

bool IsEc(Algorithm algorithm) {
  return algorithm == Algorithm::kEcP256 || algorithm == Algorithm::kEcP384;
}

size_t KeySizeBytes(Algorithm algorithm) { return Info(algorithm).size_bytes; }

Result<uint32_t> ParseUsages(const std::vector<std::string>& names) {
  uint32_t usages = 0;
  for (const std::string& name : names) {
    bool found = false;
    for (const UsageInfo& info : kUsages) {
      if (info.name == name) {
        usages |= info.usage;
        found = true;
      }
    }
    if (!found) {
      return Error(ErrorCode::kInvalidArgument,
                   "unknown usage \"" + name + "\"");
    }
  }
  return usages;
}

std::vector<std::string> UsageNames(uint32_t usages) {
  std::vector<std::string> names;
  for (const UsageInfo& info : kUsages) {
    if ((usages & info.usage) != 0) names.emplace_back(info.name);
  }
  return names;
}

uint32_t PossibleUsages(Algorithm algorithm) {
  constexpr uint32_t kSignVerify = kUsageSign | kUsageVerify;
  constexpr uint32_t kCipher =
      kUsageEncrypt | kUsageDecrypt | kUsageWrap | kUsageUnwrap;
  switch (algorithm) {
    case Algorithm::kAes128:
    case Algorithm::kAes256:
      return kCipher;
    case Algorithm::kRsa2048:
    case Algorithm::kRsa3072:
    case Algorithm::kRsa4096:
      return kSignVerify | kCipher;
    case Algorithm::kHmacSha256:
    case Algorithm::kEcP256:
    case Algorithm::kEcP384:
    case Algorithm::kEd25519:
      return kSignVerify;
  }
  return 0;
}

// docs/api.md: "usages defaults to what the algorithm can do".
uint32_t DefaultUsages(Algorithm algorithm) {
  return PossibleUsages(algorithm);
}

}  // namespace kms
