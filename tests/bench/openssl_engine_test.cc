// Every operation through the in-process OpenSSL engine and the runner,
// briefly: each point must count operations, no errors, and pass its check.
// The checks themselves are tested against bad input too.
#include <openssl/evp.h>

#include "bench/openssl_check.h"
#include "bench/openssl_driver.h"
#include "bench/public_key.h"
#include "bench/runner.h"
#include "gtest/gtest.h"

namespace kms::bench {
namespace {

class OpenSslEngineTest : public ::testing::TestWithParam<OpSpec> {};

TEST_P(OpenSslEngineTest, RunsAndChecks) {
  const OpSpec& op = GetParam();
  std::unique_ptr<Engine> engine = NewOpenSslEngine();
  Result<std::unique_ptr<OpFixture>> fixture = engine->Prepare(op);
  if (op.kind == OpKind::kFind) {
    ASSERT_FALSE(fixture.ok());
    EXPECT_EQ(fixture.status().code(), ErrorCode::kUnsupportedAlgorithm);
    return;
  }
  ASSERT_TRUE(fixture.ok()) << fixture.status().ToString();
  PointConfig config;
  config.threads = 2;
  config.warmup_seconds = 0;
  config.duration_seconds = 0.05;
  PointResult r = RunPoint(op, **fixture, config);
  EXPECT_EQ(r.errors, 0u) << r.first_error;
  EXPECT_TRUE(r.checked);
  EXPECT_GT(r.ops, 0u);
  EXPECT_EQ(r.latency.count(), r.ops);
  EXPECT_GT(r.ops_per_sec(), 0);
  EXPECT_GE(r.seconds, 0.05);
}

INSTANTIATE_TEST_SUITE_P(AllOps, OpenSslEngineTest,
                         ::testing::ValuesIn(AllOps()),
                         [](const ::testing::TestParamInfo<OpSpec>& info) {
                           std::string name;
                           for (char c : info.param.name) {
                             if (std::isalnum(static_cast<unsigned char>(c))) {
                               name += c;
                             }
                           }
                           return name;
                         });

TEST(OpenSslCheckTest, RefusesAWrongSignature) {
  Result<EvpPkeyPtr> key = GenerateKeyPair(KeyType::kEd25519);
  ASSERT_TRUE(key.ok());
  Bytes message = RandomBytes(64);
  Bytes signature(64, 0x5a);
  Status status = VerifySignature(key->get(), Scheme::kEd25519, message,
                                  signature, EcdsaEncoding::kDer);
  EXPECT_EQ(status.code(), ErrorCode::kSignatureInvalid);
}

TEST(OpenSslCheckTest, RawEcdsaSignaturesVerifyAfterConversion) {
  Result<EvpPkeyPtr> key = GenerateKeyPair(KeyType::kEcP256);
  ASSERT_TRUE(key.ok());
  Result<Bytes> digest = EcdsaDigest(KeyType::kEcP256, RandomBytes(64));
  ASSERT_TRUE(digest.ok());
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr));
  ASSERT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
  Bytes der(128);
  size_t length = der.size();
  ASSERT_EQ(EVP_PKEY_sign(ctx.get(), der.data(), &length, digest->data(),
                          digest->size()),
            1);
  der.resize(length);
  // DER -> r||s by hand, then back through EcdsaRawToDer.
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(sig, nullptr);
  Bytes raw(64);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + 32, 32);
  ECDSA_SIG_free(sig);
  EXPECT_TRUE(VerifySignature(key->get(), Scheme::kEcdsaDigest, *digest, raw,
                              EcdsaEncoding::kRaw)
                  .ok());
  raw[5] ^= 1;
  EXPECT_FALSE(VerifySignature(key->get(), Scheme::kEcdsaDigest, *digest, raw,
                               EcdsaEncoding::kRaw)
                   .ok());
  EXPECT_FALSE(EcdsaRawToDer(Bytes(63)).ok());
}

TEST(OpenSslCheckTest, OaepDecryptsOnlyWhatWasEncryptedThatWay) {
  Result<EvpPkeyPtr> key = GenerateKeyPair(KeyType::kRsa2048);
  ASSERT_TRUE(key.ok());
  Bytes plaintext = RandomBytes(32);
  Result<Bytes> ciphertext =
      RsaOaepEncrypt(key->get(), Scheme::kRsaOaepSha1, plaintext);
  ASSERT_TRUE(ciphertext.ok()) << ciphertext.status().ToString();
  Result<Bytes> decrypted =
      RsaOaepDecrypt(key->get(), Scheme::kRsaOaepSha1, *ciphertext);
  ASSERT_TRUE(decrypted.ok()) << decrypted.status().ToString();
  EXPECT_EQ(*decrypted, plaintext);
  // Another hash, or a corrupted ciphertext, does not decrypt.
  EXPECT_EQ(RsaOaepDecrypt(key->get(), Scheme::kRsaOaepSha256, *ciphertext)
                .status()
                .code(),
            ErrorCode::kSignatureInvalid);
  Bytes bad = *ciphertext;
  bad[bad.size() / 2] ^= 0x01;
  EXPECT_EQ(
      RsaOaepDecrypt(key->get(), Scheme::kRsaOaepSha1, bad).status().code(),
      ErrorCode::kSignatureInvalid);

  // The engines' check: decrypts to the plaintext, and a second encryption
  // differs from the first.
  Result<Bytes> second =
      RsaOaepEncrypt(key->get(), Scheme::kRsaOaepSha1, plaintext);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(
      CheckOaepEncryptions(plaintext, *decrypted, *ciphertext, *second).ok());
  EXPECT_FALSE(
      CheckOaepEncryptions(plaintext, *decrypted, *ciphertext, *ciphertext)
          .ok());
  EXPECT_FALSE(
      CheckOaepEncryptions(plaintext, RandomBytes(32), *ciphertext, *second)
          .ok());
}

TEST(PublicKeyTest, EcPointFromDerOrBare) {
  Result<EvpPkeyPtr> key = GenerateKeyPair(KeyType::kEcP256);
  ASSERT_TRUE(key.ok());
  Bytes point(65);
  size_t length = 0;
  ASSERT_EQ(EVP_PKEY_get_octet_string_param(key->get(), "pub", point.data(),
                                            point.size(), &length),
            1);
  ASSERT_EQ(length, 65u);
  Bytes der = {0x04, 65};
  der.insert(der.end(), point.begin(), point.end());
  Result<EvpPkeyPtr> from_der = EcPublicKey(KeyType::kEcP256, der);
  ASSERT_TRUE(from_der.ok()) << from_der.status().ToString();
  EXPECT_EQ(EVP_PKEY_eq(from_der->get(), key->get()), 1);
  EXPECT_TRUE(EcPublicKey(KeyType::kEcP256, point).ok());
  // A bare point whose second byte reads as the OCTET STRING length of the
  // rest (0x04 0x3f ...) is still a bare point: about one key in 256.
  bool found = false;
  for (int i = 0; i < 20000 && !found; ++i) {
    Result<EvpPkeyPtr> other = GenerateKeyPair(KeyType::kEcP256);
    ASSERT_TRUE(other.ok());
    Bytes other_point(65);
    ASSERT_EQ(
        EVP_PKEY_get_octet_string_param(other->get(), "pub", other_point.data(),
                                        other_point.size(), &length),
        1);
    if (other_point[1] != 63) continue;
    found = true;
    Result<EvpPkeyPtr> taken = EcPublicKey(KeyType::kEcP256, other_point);
    ASSERT_TRUE(taken.ok()) << taken.status().ToString();
    EXPECT_EQ(EVP_PKEY_eq(taken->get(), other->get()), 1);
  }
  EXPECT_TRUE(found);
  // Off the curve.
  Bytes bad = point;
  bad[64] ^= 1;
  EXPECT_FALSE(EcPublicKey(KeyType::kEcP256, bad).ok());
}

TEST(PublicKeyTest, OctetStrings) {
  Result<Bytes> short_form = UnwrapOctetString(Bytes{0x04, 0x02, 0xaa, 0xbb});
  ASSERT_TRUE(short_form.ok());
  EXPECT_EQ(*short_form, (Bytes{0xaa, 0xbb}));
  Bytes long_form = {0x04, 0x81, 0x80};
  long_form.resize(3 + 0x80, 0x11);
  Result<Bytes> unwrapped = UnwrapOctetString(long_form);
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_EQ(unwrapped->size(), 0x80u);
  EXPECT_FALSE(UnwrapOctetString(Bytes{0x04, 0x03, 0xaa}).ok());
  EXPECT_FALSE(UnwrapOctetString(Bytes{0x03, 0x01, 0xaa}).ok());
  EXPECT_FALSE(UnwrapOctetString(Bytes{0x04}).ok());
}

}  // namespace
}  // namespace kms::bench
