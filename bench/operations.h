// The catalogue of benchmark operations: what each one does, with which key
// and which mechanism, on how many bytes. Engines interpret these specs.
#ifndef KMS_BENCH_OPERATIONS_H_
#define KMS_BENCH_OPERATIONS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kms::bench {

enum class OpKind {
  kSign,
  kVerify,
  kEncrypt,
  kDecrypt,
  kRandom,
  kFind,
  kKeygen
};

enum class KeyType {
  kNone,
  kRsa2048,
  kRsa3072,
  kEcP256,
  kEcP384,
  kEd25519,
  kAes256
};

// The cryptographic scheme of an operation, independent of the engine.
enum class Scheme {
  kNone,
  kRsaPkcs1Sha256,  // CKM_SHA256_RSA_PKCS: the token hashes the message
  kRsaPssSha256,    // CKM_SHA256_RSA_PKCS_PSS, MGF1-SHA256, salt 32
  kEcdsaDigest,     // CKM_ECDSA over a SHA-256 (P-256) or SHA-384 digest
  kEd25519,         // CKM_EDDSA, pure Ed25519
  kAesGcm,          // CKM_AES_GCM, 96-bit IV, 128-bit tag, no AAD
  kRsaOaepSha256,   // CKM_RSA_PKCS_OAEP, SHA-256, MGF1-SHA256, no label
  kRsaOaepSha1,     // the same with SHA-1 (all SoftHSMv2 2.6 accepts)
};

struct OpSpec {
  std::string name;
  OpKind kind = OpKind::kRandom;
  KeyType key = KeyType::kNone;
  Scheme scheme = Scheme::kNone;
  // Message, plaintext or random bytes per operation (for ECDSA: the size
  // of the message whose digest is signed).
  size_t data_size = 0;
};

// Every operation kms-bench knows, in a stable order.
const std::vector<OpSpec>& AllOps();

// A comma-separated list of names ("all" for every operation) in the order
// given; kInvalidArgument naming an unknown operation or a duplicate.
Result<std::vector<OpSpec>> ParseOps(std::string_view list);

// "rsa2048", "ec-p256", ... ; used in key labels.
std::string_view KeyTypeName(KeyType key);

// Bytes of the digest signed by kEcdsaDigest for this curve (32 or 48).
size_t EcdsaDigestSize(KeyType key);

bool IsRsaOaep(Scheme scheme);

}  // namespace kms::bench

#endif  // KMS_BENCH_OPERATIONS_H_
