#include <array>

#include "server/crypto/openssl_util.h"
#include "server/crypto/operations.h"

namespace kms {
namespace {

struct HashInfo {
  HashAlgorithm hash;
  std::string_view name;
  size_t size;
};

constexpr std::array kHashes = {
    HashInfo{HashAlgorithm::kSha1, "SHA1", 20},
    HashInfo{HashAlgorithm::kSha224, "SHA224", 28},
    HashInfo{HashAlgorithm::kSha256, "SHA256", 32},
    HashInfo{HashAlgorithm::kSha384, "SHA384", 48},
    HashInfo{HashAlgorithm::kSha512, "SHA512", 64},
};

const HashInfo& Info(HashAlgorithm hash) {
  for (const HashInfo& info : kHashes) {
    if (info.hash == hash) return info;
  }
  return kHashes[2];  // unreachable for valid enum values
}

}  // namespace

Result<HashAlgorithm> ParseHash(std::string_view name) {
  for (const HashInfo& info : kHashes) {
    if (info.name == name) return info.hash;
  }
  return Error(ErrorCode::kUnsupportedAlgorithm,
               "unknown hash \"" + std::string(name) + "\"");
}

std::string_view HashName(HashAlgorithm hash) { return Info(hash).name; }

size_t HashSize(HashAlgorithm hash) { return Info(hash).size; }

const EVP_MD* HashMd(HashAlgorithm hash) {
  switch (hash) {
    case HashAlgorithm::kSha1:
      return EVP_sha1();
    case HashAlgorithm::kSha224:
      return EVP_sha224();
    case HashAlgorithm::kSha256:
      return EVP_sha256();
    case HashAlgorithm::kSha384:
      return EVP_sha384();
    case HashAlgorithm::kSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

}  // namespace kms
