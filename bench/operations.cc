#include "bench/operations.h"

#include <set>

namespace kms::bench {
namespace {

constexpr size_t kSignMessageSize = 64;

std::vector<OpSpec> BuildCatalogue() {
  std::vector<OpSpec> ops = {
      {"rsa2048-pkcs1-sign", OpKind::kSign, KeyType::kRsa2048,
       Scheme::kRsaPkcs1Sha256, kSignMessageSize},
      {"rsa2048-pss-sign", OpKind::kSign, KeyType::kRsa2048,
       Scheme::kRsaPssSha256, kSignMessageSize},
      {"rsa3072-pkcs1-sign", OpKind::kSign, KeyType::kRsa3072,
       Scheme::kRsaPkcs1Sha256, kSignMessageSize},
      {"ecdsa-p256-sign", OpKind::kSign, KeyType::kEcP256, Scheme::kEcdsaDigest,
       kSignMessageSize},
      {"ecdsa-p384-sign", OpKind::kSign, KeyType::kEcP384, Scheme::kEcdsaDigest,
       kSignMessageSize},
      {"ed25519-sign", OpKind::kSign, KeyType::kEd25519, Scheme::kEd25519,
       kSignMessageSize},
  };
  const std::pair<const char*, size_t> sizes[] = {
      {"64", 64}, {"1k", 1024}, {"64k", 64 * 1024}, {"1m", 1024 * 1024}};
  for (const char* direction : {"encrypt", "decrypt"}) {
    for (const auto& [suffix, size] : sizes) {
      ops.push_back({std::string("aes256-gcm-") + direction + "-" + suffix,
                     direction[0] == 'e' ? OpKind::kEncrypt : OpKind::kDecrypt,
                     KeyType::kAes256, Scheme::kAesGcm, size});
    }
  }
  ops.push_back({"rsa2048-oaep-encrypt", OpKind::kEncrypt, KeyType::kRsa2048,
                 Scheme::kRsaOaepSha256, 32});
  ops.push_back({"rsa2048-oaep-sha1-encrypt", OpKind::kEncrypt,
                 KeyType::kRsa2048, Scheme::kRsaOaepSha1, 32});
  ops.push_back({"rsa2048-oaep-decrypt", OpKind::kDecrypt, KeyType::kRsa2048,
                 Scheme::kRsaOaepSha256, 32});
  ops.push_back({"rsa2048-oaep-sha1-decrypt", OpKind::kDecrypt,
                 KeyType::kRsa2048, Scheme::kRsaOaepSha1, 32});
  ops.push_back({"ecdsa-p256-verify", OpKind::kVerify, KeyType::kEcP256,
                 Scheme::kEcdsaDigest, kSignMessageSize});
  ops.push_back(
      {"random-32", OpKind::kRandom, KeyType::kNone, Scheme::kNone, 32});
  ops.push_back(
      {"find-by-label", OpKind::kFind, KeyType::kAes256, Scheme::kNone, 0});
  ops.push_back(
      {"ec-p256-keygen", OpKind::kKeygen, KeyType::kEcP256, Scheme::kNone, 0});
  return ops;
}

}  // namespace

const std::vector<OpSpec>& AllOps() {
  static const std::vector<OpSpec>* ops =
      new std::vector<OpSpec>(BuildCatalogue());
  return *ops;
}

Result<std::vector<OpSpec>> ParseOps(std::string_view list) {
  if (list == "all") return AllOps();
  std::vector<OpSpec> out;
  std::set<std::string, std::less<>> seen;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view name = list.substr(start, end - start);
    start = end + 1;
    if (name.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "empty operation name in --ops");
    }
    const OpSpec* found = nullptr;
    for (const OpSpec& op : AllOps()) {
      if (op.name == name) found = &op;
    }
    if (found == nullptr) {
      return Error(ErrorCode::kInvalidArgument,
                   "unknown operation '" + std::string(name) +
                       "' (kms-bench --list-ops shows them)");
    }
    if (!seen.insert(found->name).second) {
      return Error(ErrorCode::kInvalidArgument,
                   "operation '" + found->name + "' listed twice");
    }
    out.push_back(*found);
  }
  return out;
}

std::string_view KeyTypeName(KeyType key) {
  switch (key) {
    case KeyType::kNone:
      return "none";
    case KeyType::kRsa2048:
      return "rsa2048";
    case KeyType::kRsa3072:
      return "rsa3072";
    case KeyType::kEcP256:
      return "ec-p256";
    case KeyType::kEcP384:
      return "ec-p384";
    case KeyType::kEd25519:
      return "ed25519";
    case KeyType::kAes256:
      return "aes256";
  }
  return "unknown";
}

size_t EcdsaDigestSize(KeyType key) {
  return key == KeyType::kEcP384 ? 48 : 32;
}

bool IsRsaOaep(Scheme scheme) {
  return scheme == Scheme::kRsaOaepSha256 || scheme == Scheme::kRsaOaepSha1;
}

}  // namespace kms::bench
