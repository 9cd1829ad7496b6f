#include "server/crypto/key_material.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "tests/crypto/crypto_test_util.h"

namespace kms {
namespace {

using testing::IndependentPrivateKey;
using testing::IndependentPublicKey;
using testing::SharedKey;

struct Expectation {
  Algorithm algorithm;
  const char* type;   // EVP key type, empty for symmetric
  int bits;           // RSA modulus / EC field bits
  const char* group;  // EC group name
};

constexpr Expectation kExpectations[] = {
    {Algorithm::kAes128, "", 0, ""},
    {Algorithm::kAes256, "", 0, ""},
    {Algorithm::kHmacSha256, "", 0, ""},
    {Algorithm::kRsa2048, "RSA", 2048, ""},
    {Algorithm::kRsa3072, "RSA", 3072, ""},
    {Algorithm::kRsa4096, "RSA", 4096, ""},
    {Algorithm::kEcP256, "EC", 256, "prime256v1"},
    {Algorithm::kEcP384, "EC", 384, "secp384r1"},
    {Algorithm::kEd25519, "ED25519", 256, ""},
};

void PrintTo(const Expectation& e, std::ostream* os) {
  *os << AlgorithmName(e.algorithm);
}

class KeyMaterialTest : public ::testing::TestWithParam<Expectation> {};

TEST_P(KeyMaterialTest, GenerateSerializeDeserialize) {
  const Expectation& e = GetParam();
  Result<KeyMaterial> key = KeyMaterial::Generate(e.algorithm);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->algorithm(), e.algorithm);
  Result<SecureBytes> serialized = key->Serialize();
  ASSERT_TRUE(serialized.ok());

  if (IsSymmetric(e.algorithm)) {
    EXPECT_EQ(key->pkey(), nullptr);
    EXPECT_EQ(serialized->size(), KeySizeBytes(e.algorithm));
    EXPECT_EQ(key->PublicKeyDer().status().code(),
              ErrorCode::kFailedPrecondition);
    // Two fresh keys differ (the DRBG is actually used).
    Result<KeyMaterial> other = KeyMaterial::Generate(e.algorithm);
    ASSERT_TRUE(other.ok());
    EXPECT_NE(other->secret(), key->secret());
  } else {
    EXPECT_TRUE(key->secret().empty());
    // The serialised form is PKCS#8 by an independent parse.
    const unsigned char* p = serialized->data();
    PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(
        nullptr, &p, static_cast<long>(serialized->size()));
    ASSERT_NE(p8, nullptr);
    EXPECT_EQ(p, serialized->data() + serialized->size());
    EvpPkeyPtr independent(EVP_PKCS82PKEY(p8));
    PKCS8_PRIV_KEY_INFO_free(p8);
    ASSERT_NE(independent, nullptr);
    EXPECT_TRUE(EVP_PKEY_is_a(independent.get(), e.type));
    EXPECT_EQ(EVP_PKEY_get_bits(independent.get()), e.bits);
    if (*e.group != '\0') {
      char group[64] = {};
      size_t len = 0;
      ASSERT_EQ(EVP_PKEY_get_group_name(independent.get(), group, sizeof(group),
                                        &len),
                1);
      EXPECT_STREQ(group, e.group);
    }
    if (IsRsa(e.algorithm)) {
      BIGNUM* exponent = nullptr;
      ASSERT_EQ(EVP_PKEY_get_bn_param(independent.get(), OSSL_PKEY_PARAM_RSA_E,
                                      &exponent),
                1);
      EXPECT_TRUE(BN_is_word(exponent, 65537));
      BN_free(exponent);
    }
    // The public key parses with d2i_PUBKEY and matches the private key.
    EvpPkeyPtr pub = IndependentPublicKey(*key);
    ASSERT_NE(pub, nullptr);
    EXPECT_EQ(EVP_PKEY_eq(pub.get(), independent.get()), 1);
  }

  Result<KeyMaterial> restored =
      KeyMaterial::Deserialize(e.algorithm, View(*serialized));
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->algorithm(), e.algorithm);
  Result<SecureBytes> again = restored->Serialize();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *serialized);
  if (!IsSymmetric(e.algorithm)) {
    EXPECT_EQ(EVP_PKEY_eq(restored->pkey(), key->pkey()), 1);
    EXPECT_EQ(*restored->PublicKeyDer(), *key->PublicKeyDer());
  }
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, KeyMaterialTest,
                         ::testing::ValuesIn(kExpectations),
                         [](const ::testing::TestParamInfo<Expectation>& info) {
                           return std::string(
                               AlgorithmName(info.param.algorithm));
                         });

ErrorCode DeserializeCode(Algorithm algorithm, ByteView data) {
  return KeyMaterial::Deserialize(algorithm, data).status().code();
}

SecureBytes SerializedShared(Algorithm algorithm) {
  Result<SecureBytes> s = SharedKey(algorithm).Serialize();
  EXPECT_TRUE(s.ok());
  return s.ok() ? s.value() : SecureBytes();
}

TEST(KeyMaterialDeserializeTest, RefusesWrongSizeSymmetricKeys) {
  const Bytes k16(16, 1), k24(24, 1), k32(32, 1);
  EXPECT_EQ(DeserializeCode(Algorithm::kAes128, View(k32)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kAes256, View(k16)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kAes256, View(k24)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kHmacSha256, View(k16)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kAes128, ByteView()),
            ErrorCode::kDataInvalid);
  Result<KeyMaterial> ok =
      KeyMaterial::Deserialize(Algorithm::kAes128, View(k16));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->secret(), ToSecure(View(k16)));
}

TEST(KeyMaterialDeserializeTest, RefusesGarbageAndTrailingBytes) {
  const Bytes garbage = testing::RandomBytes(300);
  EXPECT_EQ(DeserializeCode(Algorithm::kRsa2048, View(garbage)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kEd25519, ByteView()),
            ErrorCode::kDataInvalid);
  SecureBytes der = SerializedShared(Algorithm::kEcP256);
  SecureBytes trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(DeserializeCode(Algorithm::kEcP256, View(trailing)),
            ErrorCode::kDataInvalid);
  SecureBytes truncated(der.begin(), der.end() - 5);
  EXPECT_EQ(DeserializeCode(Algorithm::kEcP256, View(truncated)),
            ErrorCode::kDataInvalid);
  // The public key is not a private key.
  Result<Bytes> spki = SharedKey(Algorithm::kEcP256).PublicKeyDer();
  ASSERT_TRUE(spki.ok());
  EXPECT_EQ(DeserializeCode(Algorithm::kEcP256, View(*spki)),
            ErrorCode::kDataInvalid);
}

TEST(KeyMaterialDeserializeTest, RefusesMismatchedAlgorithm) {
  const SecureBytes rsa2048 = SerializedShared(Algorithm::kRsa2048);
  const SecureBytes p256 = SerializedShared(Algorithm::kEcP256);
  const SecureBytes p384 = SerializedShared(Algorithm::kEcP384);
  const SecureBytes ed = SerializedShared(Algorithm::kEd25519);
  EXPECT_EQ(DeserializeCode(Algorithm::kRsa3072, View(rsa2048)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kRsa4096, View(rsa2048)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kEcP256, View(rsa2048)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kEcP384, View(p256)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kEcP256, View(p384)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kEd25519, View(p256)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kEcP256, View(ed)),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(DeserializeCode(Algorithm::kRsa2048, View(ed)),
            ErrorCode::kDataInvalid);
}

TEST(KeyMaterialDeserializeTest, RefusesOtherCurvesAndKeyTypes) {
  // secp256k1 is an EC key of the right size on the wrong curve.
  EvpPkeyPtr k1(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
  ASSERT_NE(k1, nullptr);
  unsigned char* der = nullptr;
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(k1.get());
  ASSERT_NE(p8, nullptr);
  const int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
  PKCS8_PRIV_KEY_INFO_free(p8);
  ASSERT_GT(len, 0);
  const Bytes k1_der(der, der + len);
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  EXPECT_EQ(DeserializeCode(Algorithm::kEcP256, View(k1_der)),
            ErrorCode::kDataInvalid);

  // X25519 is not Ed25519.
  EvpPkeyPtr x(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  ASSERT_NE(x, nullptr);
  p8 = EVP_PKEY2PKCS8(x.get());
  der = nullptr;
  const int xlen = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
  PKCS8_PRIV_KEY_INFO_free(p8);
  ASSERT_GT(xlen, 0);
  const Bytes x_der(der, der + xlen);
  OPENSSL_clear_free(der, static_cast<size_t>(xlen));
  EXPECT_EQ(DeserializeCode(Algorithm::kEd25519, View(x_der)),
            ErrorCode::kDataInvalid);
}

TEST(KeyMaterialDeserializeTest, AcceptsIndependentlyGeneratedKey) {
  EvpPkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_NE(pkey, nullptr);
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(pkey.get());
  unsigned char* der = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
  PKCS8_PRIV_KEY_INFO_free(p8);
  ASSERT_GT(len, 0);
  const Bytes bytes(der, der + len);
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  Result<KeyMaterial> key =
      KeyMaterial::Deserialize(Algorithm::kEcP384, View(bytes));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(EVP_PKEY_eq(key->pkey(), pkey.get()), 1);
}

}  // namespace
}  // namespace kms
