// OpenSSL public keys from the attribute values a PKCS#11 token exposes
// (CKA_MODULUS + CKA_PUBLIC_EXPONENT, CKA_EC_POINT), and the reverse for
// keys the openssl engine made.
#ifndef KMS_BENCH_PUBLIC_KEY_H_
#define KMS_BENCH_PUBLIC_KEY_H_

#include "bench/operations.h"
#include "common/openssl_raii.h"
#include "common/secure_memory.h"
#include "common/status.h"

namespace kms::bench {

// RSA from big-endian modulus and public exponent.
Result<EvpPkeyPtr> RsaPublicKey(ByteView modulus, ByteView exponent);

// EC P-256/P-384 or Ed25519 from CKA_EC_POINT: a DER OCTET STRING holding
// the uncompressed point (or the 32-byte Ed25519 key); a bare point is
// accepted too, as some tokens return one. The point is checked to be on
// the curve.
Result<EvpPkeyPtr> EcPublicKey(KeyType key, ByteView ec_point);

// The contents of a DER OCTET STRING (short or long form length);
// kInvalidArgument if ec_point is not exactly one.
Result<Bytes> UnwrapOctetString(ByteView der);

// A fresh key pair in memory (the openssl engine's keys).
Result<EvpPkeyPtr> GenerateKeyPair(KeyType key);

}  // namespace kms::bench

#endif  // KMS_BENCH_PUBLIC_KEY_H_
