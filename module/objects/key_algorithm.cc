#include "module/objects/key_algorithm.h"

#include <array>

namespace kms::p11 {
namespace {

struct AlgorithmInfo {
  KeyAlgorithm algorithm;
  std::string_view name;
};

constexpr std::array kAlgorithms = {
    AlgorithmInfo{KeyAlgorithm::kAes128, "AES_128"},
    AlgorithmInfo{KeyAlgorithm::kAes256, "AES_256"},
    AlgorithmInfo{KeyAlgorithm::kHmacSha256, "HMAC_SHA256"},
    AlgorithmInfo{KeyAlgorithm::kRsa2048, "RSA_2048"},
    AlgorithmInfo{KeyAlgorithm::kRsa3072, "RSA_3072"},
    AlgorithmInfo{KeyAlgorithm::kRsa4096, "RSA_4096"},
    AlgorithmInfo{KeyAlgorithm::kEcP256, "EC_P256"},
    AlgorithmInfo{KeyAlgorithm::kEcP384, "EC_P384"},
    AlgorithmInfo{KeyAlgorithm::kEd25519, "ED25519"},
};

// DER OBJECT IDENTIFIERs.
const Bytes kP256Oid = {0x06, 0x08, 0x2a, 0x86, 0x48,
                        0xce, 0x3d, 0x03, 0x01, 0x07};
const Bytes kP384Oid = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
const Bytes kEd25519Oid = {0x06, 0x03, 0x2b, 0x65, 0x70};
// PrintableString "edwards25519", which some applications send.
const Bytes kEd25519Name = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r',
                            'd',  's',  '2', '5', '5', '1', '9'};

bool Equals(ByteView a, const Bytes& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

std::optional<KeyAlgorithm> ParseKeyAlgorithm(std::string_view wire_name) {
  for (const auto& info : kAlgorithms) {
    if (info.name == wire_name) return info.algorithm;
  }
  return std::nullopt;
}

std::string_view KeyAlgorithmName(KeyAlgorithm algorithm) {
  for (const auto& info : kAlgorithms) {
    if (info.algorithm == algorithm) return info.name;
  }
  return "?";
}

bool IsSymmetric(KeyAlgorithm a) {
  return a == KeyAlgorithm::kAes128 || a == KeyAlgorithm::kAes256 ||
         a == KeyAlgorithm::kHmacSha256;
}

std::optional<KeyAlgorithm> RsaAlgorithmForBits(CK_ULONG bits) {
  switch (bits) {
    case 2048:
      return KeyAlgorithm::kRsa2048;
    case 3072:
      return KeyAlgorithm::kRsa3072;
    case 4096:
      return KeyAlgorithm::kRsa4096;
    default:
      return std::nullopt;
  }
}

bool IsRsa(KeyAlgorithm a) {
  return a == KeyAlgorithm::kRsa2048 || a == KeyAlgorithm::kRsa3072 ||
         a == KeyAlgorithm::kRsa4096;
}

bool IsEc(KeyAlgorithm a) {
  return a == KeyAlgorithm::kEcP256 || a == KeyAlgorithm::kEcP384;
}

CK_KEY_TYPE CkKeyType(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kAes128:
    case KeyAlgorithm::kAes256:
      return CKK_AES;
    case KeyAlgorithm::kHmacSha256:
      return CKK_GENERIC_SECRET;
    case KeyAlgorithm::kRsa2048:
    case KeyAlgorithm::kRsa3072:
    case KeyAlgorithm::kRsa4096:
      return CKK_RSA;
    case KeyAlgorithm::kEcP256:
    case KeyAlgorithm::kEcP384:
      return CKK_EC;
    case KeyAlgorithm::kEd25519:
      return CKK_EC_EDWARDS;
  }
  return CKK_GENERIC_SECRET;
}

CK_ULONG SecretKeyBytes(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kAes128:
      return 16;
    case KeyAlgorithm::kAes256:
    case KeyAlgorithm::kHmacSha256:
      return 32;
    default:
      return 0;
  }
}

CK_ULONG ModulusBytes(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kRsa2048:
      return 256;
    case KeyAlgorithm::kRsa3072:
      return 384;
    case KeyAlgorithm::kRsa4096:
      return 512;
    default:
      return 0;
  }
}

CK_ULONG FieldBytes(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kEcP256:
    case KeyAlgorithm::kEd25519:
      return 32;
    case KeyAlgorithm::kEcP384:
      return 48;
    default:
      return 0;
  }
}

Bytes EcParamsDer(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kEcP256:
      return kP256Oid;
    case KeyAlgorithm::kEcP384:
      return kP384Oid;
    case KeyAlgorithm::kEd25519:
      return kEd25519Oid;
    default:
      return {};
  }
}

std::optional<KeyAlgorithm> EcAlgorithmFromParams(ByteView der) {
  if (Equals(der, kP256Oid)) return KeyAlgorithm::kEcP256;
  if (Equals(der, kP384Oid)) return KeyAlgorithm::kEcP384;
  if (Equals(der, kEd25519Oid) || Equals(der, kEd25519Name)) {
    return KeyAlgorithm::kEd25519;
  }
  return std::nullopt;
}

}  // namespace kms::p11
