#include "tests/crypto/crypto_test_util.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "common/encoding.h"

namespace kms::testing {

const KeyMaterial& SharedKey(Algorithm algorithm) {
  static auto* keys = new std::map<Algorithm, KeyMaterial>();
  auto it = keys->find(algorithm);
  if (it == keys->end()) {
    Result<KeyMaterial> key = KeyMaterial::Generate(algorithm);
    if (!key.ok()) {
      ADD_FAILURE() << key.status().ToString();
      std::abort();
    }
    it = keys->emplace(algorithm, std::move(key).value()).first;
  }
  return it->second;
}

EvpPkeyPtr IndependentPublicKey(const KeyMaterial& key) {
  Result<Bytes> der = key.PublicKeyDer();
  if (!der.ok()) return nullptr;
  const unsigned char* p = der->data();
  return EvpPkeyPtr(d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size())));
}

EvpPkeyPtr IndependentPrivateKey(const KeyMaterial& key) {
  Result<SecureBytes> der = key.Serialize();
  if (!der.ok()) return nullptr;
  const unsigned char* p = der->data();
  return EvpPkeyPtr(
      d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der->size())));
}

Bytes RandomBytes(size_t size) {
  Bytes out(size);
  if (size > 0) {
    EXPECT_EQ(RAND_bytes(out.data(), static_cast<int>(size)), 1);
  }
  return out;
}

Bytes Digest(const EVP_MD* md, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  EXPECT_EQ(
      EVP_Digest(data.data(), data.size(), out.data(), &size, md, nullptr), 1);
  out.resize(size);
  return out;
}

Bytes ToBytes(const SecureBytes& secure) {
  return Bytes(secure.begin(), secure.end());
}

Bytes Hex(std::string_view hex) {
  Result<Bytes> bytes = HexDecode(hex);
  EXPECT_TRUE(bytes.ok()) << hex;
  return bytes.ok() ? bytes.value() : Bytes();
}

Bytes EcdsaRawToDer(ByteView raw) {
  const size_t half = raw.size() / 2;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  EXPECT_EQ(ECDSA_SIG_set0(sig, r, s), 1);
  unsigned char* der = nullptr;
  const int size = i2d_ECDSA_SIG(sig, &der);
  Bytes out(der, der + (size > 0 ? size : 0));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

}  // namespace kms::testing
