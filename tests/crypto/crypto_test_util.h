// Independent OpenSSL helpers for the crypto tests: results of the code
// under test are checked with these plain EVP calls, never with itself.
#ifndef KMS_TESTS_CRYPTO_CRYPTO_TEST_UTIL_H_
#define KMS_TESTS_CRYPTO_CRYPTO_TEST_UTIL_H_

#include <openssl/evp.h>

#include "common/openssl_raii.h"
#include "common/secure_memory.h"
#include "server/crypto/key_material.h"

namespace kms::testing {

// One key per algorithm for the whole test binary (RSA-4096 generation is
// slow, especially under sanitizers). Aborts the test on failure.
const KeyMaterial& SharedKey(Algorithm algorithm);

// d2i_PUBKEY of the key's PublicKeyDer(); nullptr on failure.
EvpPkeyPtr IndependentPublicKey(const KeyMaterial& key);
// d2i_PrivateKey of the key's Serialize() (PKCS#8).
EvpPkeyPtr IndependentPrivateKey(const KeyMaterial& key);

Bytes RandomBytes(size_t size);
Bytes Digest(const EVP_MD* md, ByteView data);
Bytes ToBytes(const SecureBytes& secure);
Bytes Hex(std::string_view hex);

// Raw r||s to DER with ECDSA_SIG, written here rather than reused.
Bytes EcdsaRawToDer(ByteView raw);

}  // namespace kms::testing

#endif  // KMS_TESTS_CRYPTO_CRYPTO_TEST_UTIL_H_
