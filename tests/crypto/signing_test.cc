#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include "server/crypto/operations.h"
#include "tests/crypto/crypto_test_util.h"

namespace kms {
namespace {

using testing::Digest;
using testing::EcdsaRawToDer;
using testing::IndependentPrivateKey;
using testing::IndependentPublicKey;
using testing::RandomBytes;
using testing::SharedKey;

constexpr HashAlgorithm kAllHashes[] = {
    HashAlgorithm::kSha1, HashAlgorithm::kSha224, HashAlgorithm::kSha256,
    HashAlgorithm::kSha384, HashAlgorithm::kSha512};

const EVP_MD* Md(HashAlgorithm hash) {
  return EVP_get_digestbyname(std::string(HashName(hash)).c_str());
}

// Independent verification with a public key parsed by d2i_PUBKEY.
struct RsaVerifyOptions {
  int padding = RSA_PKCS1_PADDING;
  const EVP_MD* md = nullptr;
  const EVP_MD* mgf1 = nullptr;
  int salt = 0;
};

bool IndependentVerify(EVP_PKEY* pub, const RsaVerifyOptions& o,
                       ByteView digest, ByteView sig) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pub, nullptr));
  if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) != 1) return false;
  if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), o.padding) != 1) return false;
  if (o.md != nullptr && EVP_PKEY_CTX_set_signature_md(ctx.get(), o.md) != 1) {
    return false;
  }
  if (o.padding == RSA_PKCS1_PSS_PADDING &&
      (EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), o.mgf1) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), o.salt) != 1)) {
    return false;
  }
  return EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), digest.data(),
                         digest.size()) == 1;
}

class RsaSigningTest : public ::testing::TestWithParam<Algorithm> {};

TEST_P(RsaSigningTest, Pkcs1EachHashVerifiesIndependently) {
  const KeyMaterial& key = SharedKey(GetParam());
  EvpPkeyPtr pub = IndependentPublicKey(key);
  ASSERT_NE(pub, nullptr);
  const Bytes message = RandomBytes(100);
  for (HashAlgorithm hash : kAllHashes) {
    const Bytes digest = Digest(Md(hash), View(message));
    Result<Bytes> sig =
        Sign(key, {SignScheme::kRsaPkcs1, hash, {}, {}}, View(digest));
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_EQ(sig->size(), KeySizeBytes(key.algorithm()));
    RsaVerifyOptions o;
    o.md = Md(hash);
    EXPECT_TRUE(IndependentVerify(pub.get(), o, View(digest), View(*sig)))
        << HashName(hash);
    // PKCS#1 v1.5 is deterministic: a second signature is identical.
    EXPECT_EQ(*Sign(key, {SignScheme::kRsaPkcs1, hash, {}, {}}, View(digest)),
              *sig);
    EXPECT_TRUE(Verify(key, {SignScheme::kRsaPkcs1, hash, {}, {}}, View(digest),
                       View(*sig))
                    .ok());
    Bytes bad = *sig;
    bad[bad.size() / 2] ^= 1;
    EXPECT_EQ(Verify(key, {SignScheme::kRsaPkcs1, hash, {}, {}}, View(digest),
                     View(bad))
                  .code(),
              ErrorCode::kSignatureInvalid);
  }
}

TEST_P(RsaSigningTest, PssSeveralSaltsVerifyIndependently) {
  const KeyMaterial& key = SharedKey(GetParam());
  EvpPkeyPtr pub = IndependentPublicKey(key);
  ASSERT_NE(pub, nullptr);
  const Bytes message = RandomBytes(77);
  struct Case {
    HashAlgorithm hash;
    HashAlgorithm mgf1;
    std::optional<int> salt;
    int expected_salt;
  };
  const Case cases[] = {
      {HashAlgorithm::kSha256, HashAlgorithm::kSha256, std::nullopt, 32},
      {HashAlgorithm::kSha256, HashAlgorithm::kSha256, 0, 0},
      {HashAlgorithm::kSha256, HashAlgorithm::kSha1, 20, 20},
      {HashAlgorithm::kSha384, HashAlgorithm::kSha384, 48, 48},
      {HashAlgorithm::kSha512, HashAlgorithm::kSha256, 64, 64},
      {HashAlgorithm::kSha1, HashAlgorithm::kSha1, 100, 100},
  };
  for (const Case& c : cases) {
    const Bytes digest = Digest(Md(c.hash), View(message));
    SignParams params{SignScheme::kRsaPss, c.hash, c.mgf1, c.salt};
    Result<Bytes> sig = Sign(key, params, View(digest));
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    RsaVerifyOptions o{RSA_PKCS1_PSS_PADDING, Md(c.hash), Md(c.mgf1),
                       c.expected_salt};
    EXPECT_TRUE(IndependentVerify(pub.get(), o, View(digest), View(*sig)))
        << HashName(c.hash) << " salt " << c.expected_salt;
    // The salt really is what was asked for: another length fails.
    o.salt = c.expected_salt + 1;
    EXPECT_FALSE(IndependentVerify(pub.get(), o, View(digest), View(*sig)));
    EXPECT_TRUE(Verify(key, params, View(digest), View(*sig)).ok());
    Bytes other = digest;
    other[0] ^= 1;
    EXPECT_EQ(Verify(key, params, View(other), View(*sig)).code(),
              ErrorCode::kSignatureInvalid);
  }
}

INSTANTIATE_TEST_SUITE_P(AllRsa, RsaSigningTest,
                         ::testing::Values(Algorithm::kRsa2048,
                                           Algorithm::kRsa3072,
                                           Algorithm::kRsa4096),
                         [](const auto& info) {
                           return std::string(AlgorithmName(info.param));
                         });

TEST(RsaSigningTest, Pkcs1RawBlockWithoutHash) {
  const KeyMaterial& key = SharedKey(Algorithm::kRsa2048);
  EvpPkeyPtr pub = IndependentPublicKey(key);
  ASSERT_NE(pub, nullptr);
  // A SHA-256 DigestInfo built by hand, as CKM_RSA_PKCS callers do.
  Bytes block = testing::Hex("3031300d060960864801650304020105000420");
  const Bytes digest = Digest(EVP_sha256(), View(std::string_view("hello")));
  block.insert(block.end(), digest.begin(), digest.end());
  Result<Bytes> sig =
      Sign(key, {SignScheme::kRsaPkcs1, {}, {}, {}}, View(block));
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  // Equivalent to hash-and-sign with SHA-256, verified independently.
  RsaVerifyOptions o;
  o.md = EVP_sha256();
  EXPECT_TRUE(IndependentVerify(pub.get(), o, View(digest), View(*sig)));
  EXPECT_TRUE(
      Verify(key, {SignScheme::kRsaPkcs1, {}, {}, {}}, View(block), View(*sig))
          .ok());

  // Largest raw block k-11 is accepted, one more is refused.
  const Bytes max_block = RandomBytes(256 - 11);
  Result<Bytes> raw =
      Sign(key, {SignScheme::kRsaPkcs1, {}, {}, {}}, View(max_block));
  ASSERT_TRUE(raw.ok());
  RsaVerifyOptions raw_options;
  EXPECT_TRUE(
      IndependentVerify(pub.get(), raw_options, View(max_block), View(*raw)));
  const Bytes too_long = RandomBytes(256 - 10);
  EXPECT_EQ(Sign(key, {SignScheme::kRsaPkcs1, {}, {}, {}}, View(too_long))
                .status()
                .code(),
            ErrorCode::kDataInvalid);
}

TEST(RsaSigningTest, RefusesBadParameters) {
  const KeyMaterial& key = SharedKey(Algorithm::kRsa2048);
  const Bytes d32 = RandomBytes(32), d31 = RandomBytes(31);
  auto code = [&](const SignParams& p, const Bytes& d) {
    return Sign(key, p, View(d)).status().code();
  };
  EXPECT_EQ(code({SignScheme::kRsaPkcs1, HashAlgorithm::kSha256, {}, {}}, d31),
            ErrorCode::kDigestLengthInvalid);
  EXPECT_EQ(code({SignScheme::kRsaPkcs1, HashAlgorithm::kSha384, {}, {}}, d32),
            ErrorCode::kDigestLengthInvalid);
  EXPECT_EQ(code({SignScheme::kRsaPss, HashAlgorithm::kSha256, {}, {}}, d31),
            ErrorCode::kDigestLengthInvalid);
  EXPECT_EQ(Verify(key, {SignScheme::kRsaPss, HashAlgorithm::kSha256, {}, {}},
                   View(d31), View(RandomBytes(256)))
                .code(),
            ErrorCode::kDigestLengthInvalid);
  EXPECT_EQ(code({SignScheme::kRsaPss, std::nullopt, {}, {}}, d32),
            ErrorCode::kInvalidArgument);
  // 2048-bit key, SHA-256: salt at most 256 - 32 - 2 = 222.
  EXPECT_TRUE(Sign(key, {SignScheme::kRsaPss, HashAlgorithm::kSha256, {}, 222},
                   View(d32))
                  .ok());
  EXPECT_EQ(code({SignScheme::kRsaPss, HashAlgorithm::kSha256, {}, 223}, d32),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({SignScheme::kRsaPss, HashAlgorithm::kSha256, {}, -1}, d32),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({SignScheme::kRsaPkcs1, HashAlgorithm::kSha256, {}, 32}, d32),
            ErrorCode::kInvalidArgument);
  // Wrong scheme for the key type.
  EXPECT_EQ(code({SignScheme::kEcdsa, {}, {}, {}}, d32),
            ErrorCode::kUsageNotAllowed);
  EXPECT_EQ(code({SignScheme::kHmac, {}, {}, {}}, d32),
            ErrorCode::kUsageNotAllowed);
  EXPECT_EQ(code({SignScheme::kEd25519, {}, {}, {}}, d32),
            ErrorCode::kUsageNotAllowed);
  // A signature of the wrong length just does not verify.
  EXPECT_EQ(Verify(key, {SignScheme::kRsaPkcs1, HashAlgorithm::kSha256, {}, {}},
                   View(d32), View(RandomBytes(255)))
                .code(),
            ErrorCode::kSignatureInvalid);
}

TEST(RsaSigningTest, VerifiesIndependentSignatures) {
  const KeyMaterial& key = SharedKey(Algorithm::kRsa3072);
  EvpPkeyPtr priv = IndependentPrivateKey(key);
  ASSERT_NE(priv, nullptr);
  const Bytes digest = Digest(EVP_sha384(), View(std::string_view("abc")));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, priv.get(), nullptr));
  ASSERT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha384()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), 17), 1);
  size_t len = 384;
  Bytes sig(len);
  ASSERT_EQ(
      EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()),
      1);
  SignParams params{SignScheme::kRsaPss, HashAlgorithm::kSha384,
                    HashAlgorithm::kSha256, 17};
  EXPECT_TRUE(Verify(key, params, View(digest), View(sig)).ok());
  params.salt_length = 16;
  EXPECT_EQ(Verify(key, params, View(digest), View(sig)).code(),
            ErrorCode::kSignatureInvalid);
}

class EcdsaTest : public ::testing::TestWithParam<Algorithm> {};

TEST_P(EcdsaTest, RawSignatureVerifiesIndependently) {
  const KeyMaterial& key = SharedKey(GetParam());
  const size_t field = GetParam() == Algorithm::kEcP256 ? 32 : 48;
  EvpPkeyPtr pub = IndependentPublicKey(key);
  ASSERT_NE(pub, nullptr);
  for (HashAlgorithm hash : kAllHashes) {
    // Many signatures, so that short r or s values (needing left-padding)
    // are exercised too.
    for (int i = 0; i < 20; ++i) {
      const Bytes digest = Digest(Md(hash), View(RandomBytes(40)));
      Result<Bytes> sig =
          Sign(key, {SignScheme::kEcdsa, {}, {}, {}}, View(digest));
      ASSERT_TRUE(sig.ok()) << sig.status().ToString();
      ASSERT_EQ(sig->size(), 2 * field);
      const Bytes der = EcdsaRawToDer(View(*sig));
      EvpPkeyCtxPtr ctx(
          EVP_PKEY_CTX_new_from_pkey(nullptr, pub.get(), nullptr));
      ASSERT_EQ(EVP_PKEY_verify_init(ctx.get()), 1);
      EXPECT_EQ(EVP_PKEY_verify(ctx.get(), der.data(), der.size(),
                                digest.data(), digest.size()),
                1)
          << HashName(hash);
      EXPECT_TRUE(Verify(key, {SignScheme::kEcdsa, hash, {}, {}}, View(digest),
                         View(*sig))
                      .ok());
      Bytes bad = *sig;
      bad[field + 3] ^= 0x40;
      EXPECT_EQ(
          Verify(key, {SignScheme::kEcdsa, {}, {}, {}}, View(digest), View(bad))
              .code(),
          ErrorCode::kSignatureInvalid);
    }
  }
}

TEST_P(EcdsaTest, RefusesBadInput) {
  const KeyMaterial& key = SharedKey(GetParam());
  const Bytes d32 = RandomBytes(32);
  EXPECT_EQ(
      Sign(key, {SignScheme::kEcdsa, HashAlgorithm::kSha384, {}, {}}, View(d32))
          .status()
          .code(),
      ErrorCode::kDigestLengthInvalid);
  EXPECT_EQ(
      Sign(key, {SignScheme::kEcdsa, {}, {}, {}}, ByteView()).status().code(),
      ErrorCode::kDigestLengthInvalid);
  EXPECT_EQ(Sign(key, {SignScheme::kEcdsa, {}, {}, {}}, View(RandomBytes(65)))
                .status()
                .code(),
            ErrorCode::kDigestLengthInvalid);
  EXPECT_EQ(Sign(key, {SignScheme::kRsaPkcs1, HashAlgorithm::kSha256, {}, {}},
                 View(d32))
                .status()
                .code(),
            ErrorCode::kUsageNotAllowed);
  Result<Bytes> sig = Sign(key, {SignScheme::kEcdsa, {}, {}, {}}, View(d32));
  ASSERT_TRUE(sig.ok());
  Bytes der_form = EcdsaRawToDer(View(*sig));
  EXPECT_EQ(
      Verify(key, {SignScheme::kEcdsa, {}, {}, {}}, View(d32), View(der_form))
          .code(),
      ErrorCode::kSignatureInvalid);
  Bytes zeros(sig->size(), 0);
  EXPECT_EQ(
      Verify(key, {SignScheme::kEcdsa, {}, {}, {}}, View(d32), View(zeros))
          .code(),
      ErrorCode::kSignatureInvalid);
}

INSTANTIATE_TEST_SUITE_P(Curves, EcdsaTest,
                         ::testing::Values(Algorithm::kEcP256,
                                           Algorithm::kEcP384),
                         [](const auto& info) {
                           return std::string(AlgorithmName(info.param));
                         });

TEST(Ed25519Test, SignatureVerifiesIndependently) {
  const KeyMaterial& key = SharedKey(Algorithm::kEd25519);
  EvpPkeyPtr pub = IndependentPublicKey(key);
  ASSERT_NE(pub, nullptr);
  for (size_t size : {0, 1, 64, 1000}) {
    const Bytes message = RandomBytes(size);
    Result<Bytes> sig =
        Sign(key, {SignScheme::kEd25519, {}, {}, {}}, View(message));
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    ASSERT_EQ(sig->size(), 64u);
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    ASSERT_EQ(
        EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pub.get()),
        1);
    EXPECT_EQ(EVP_DigestVerify(ctx.get(), sig->data(), sig->size(),
                               message.data(), message.size()),
              1);
    EXPECT_TRUE(Verify(key, {SignScheme::kEd25519, {}, {}, {}}, View(message),
                       View(*sig))
                    .ok());
    Bytes longer = message;
    longer.push_back(0);
    EXPECT_EQ(Verify(key, {SignScheme::kEd25519, {}, {}, {}}, View(longer),
                     View(*sig))
                  .code(),
              ErrorCode::kSignatureInvalid);
  }
  EXPECT_EQ(Sign(key, {SignScheme::kEd25519, HashAlgorithm::kSha512, {}, {}},
                 View(RandomBytes(3)))
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(Sign(key, {SignScheme::kEcdsa, {}, {}, {}}, View(RandomBytes(32)))
                .status()
                .code(),
            ErrorCode::kUsageNotAllowed);
}

TEST(HmacTest, MatchesIndependentHmacAndVerifies) {
  const KeyMaterial& key = SharedKey(Algorithm::kHmacSha256);
  const Bytes message = RandomBytes(123);
  Result<Bytes> tag = Sign(key, {SignScheme::kHmac, {}, {}, {}}, View(message));
  ASSERT_TRUE(tag.ok()) << tag.status().ToString();
  Bytes expected(32);
  size_t len = 0;
  ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr,
                      key.secret().data(), key.secret().size(), message.data(),
                      message.size(), expected.data(), expected.size(), &len),
            nullptr);
  EXPECT_EQ(*tag, expected);
  const SignParams hmac{SignScheme::kHmac, {}, {}, {}};
  EXPECT_TRUE(Verify(key, hmac, View(message), View(*tag)).ok());
  Bytes bad = *tag;
  bad[31] ^= 1;
  EXPECT_EQ(Verify(key, hmac, View(message), View(bad)).code(),
            ErrorCode::kSignatureInvalid);
  const Bytes truncated(tag->begin(), tag->begin() + 16);
  EXPECT_EQ(Verify(key, hmac, View(message), View(truncated)).code(),
            ErrorCode::kSignatureInvalid);
  EXPECT_EQ(Verify(key, hmac, View(message), ByteView()).code(),
            ErrorCode::kSignatureInvalid);
  EXPECT_EQ(Sign(key, {SignScheme::kHmac, HashAlgorithm::kSha384, {}, {}},
                 View(message))
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(Sign(key, {SignScheme::kRsaPss, HashAlgorithm::kSha256, {}, {}},
                 View(RandomBytes(32)))
                .status()
                .code(),
            ErrorCode::kUsageNotAllowed);
  // An AES key is not an HMAC key.
  EXPECT_EQ(
      Sign(SharedKey(Algorithm::kAes256), hmac, View(message)).status().code(),
      ErrorCode::kUsageNotAllowed);
}

}  // namespace
}  // namespace kms
