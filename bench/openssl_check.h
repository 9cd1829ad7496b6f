// Independent checks of results with OpenSSL: signature verification with
// the public key, and the helpers both engines need to make inputs (digests,
// OAEP ciphertexts, ECDSA signature encodings).
#ifndef KMS_BENCH_OPENSSL_CHECK_H_
#define KMS_BENCH_OPENSSL_CHECK_H_

#include <openssl/evp.h>

#include "bench/operations.h"
#include "common/secure_memory.h"
#include "common/status.h"

namespace kms::bench {

enum class EcdsaEncoding { kRaw, kDer };  // PKCS#11 r||s, or OpenSSL's DER

// Verifies signature over signed_data as op.scheme defines it (for
// kEcdsaDigest signed_data is the digest). kSignatureInvalid when it does
// not verify.
Status VerifySignature(EVP_PKEY* public_key, Scheme scheme,
                       ByteView signed_data, ByteView signature,
                       EcdsaEncoding encoding);

// SHA-256 (P-256) or SHA-384 (P-384) of message.
Result<Bytes> EcdsaDigest(KeyType key, ByteView message);

// r||s (each half the size) to a DER ECDSA-Sig-Value.
Result<Bytes> EcdsaRawToDer(ByteView raw);

// RSA-OAEP encryption (no label) with the hash of scheme for both OAEP and
// MGF1.
Result<Bytes> RsaOaepEncrypt(EVP_PKEY* public_key, Scheme scheme,
                             ByteView plaintext);

// RSA-OAEP decryption with the private key, the same parameters as
// RsaOaepEncrypt; kSignatureInvalid when the ciphertext does not decrypt.
Result<Bytes> RsaOaepDecrypt(EVP_PKEY* private_key, Scheme scheme,
                             ByteView ciphertext);

// Two OAEP encryptions of `plaintext`: the first, decrypted back, must give
// `plaintext`, and the second must differ from the first (OAEP is
// randomised). kInternal naming what failed.
Status CheckOaepEncryptions(const Bytes& plaintext, const Bytes& decrypted,
                            ByteView first, ByteView second);

// The hash of an RSA-OAEP scheme.
const EVP_MD* OaepMd(Scheme scheme);

// Bytes from OpenSSL's RNG (inputs of the benchmark, labels).
Bytes RandomBytes(size_t size);
std::string RandomHex(size_t bytes);

}  // namespace kms::bench

#endif  // KMS_BENCH_OPENSSL_CHECK_H_
