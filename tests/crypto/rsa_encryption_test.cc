#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include "server/crypto/operations.h"
#include "tests/crypto/crypto_test_util.h"

namespace kms {
namespace {

using testing::IndependentPrivateKey;
using testing::IndependentPublicKey;
using testing::RandomBytes;
using testing::SharedKey;
using testing::ToBytes;

const EVP_MD* Md(HashAlgorithm hash) {
  return EVP_get_digestbyname(std::string(HashName(hash)).c_str());
}

// Independent setup of an encrypt or decrypt context.
EvpPkeyCtxPtr IndependentContext(EVP_PKEY* pkey, const RsaDecryptParams& p,
                                 bool encrypt) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  const int init = encrypt ? EVP_PKEY_encrypt_init(ctx.get())
                           : EVP_PKEY_decrypt_init(ctx.get());
  EXPECT_EQ(init, 1);
  if (p.padding == RsaPadding::kPkcs1) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING), 1);
    return ctx;
  }
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), Md(p.oaep_hash)), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), Md(p.mgf1_hash)), 1);
  if (!p.label.empty()) {
    void* label = OPENSSL_memdup(p.label.data(), p.label.size());
    EXPECT_EQ(EVP_PKEY_CTX_set0_rsa_oaep_label(
                  ctx.get(), label, static_cast<int>(p.label.size())),
              1);
  }
  return ctx;
}

Bytes IndependentEncrypt(EVP_PKEY* pub, const RsaDecryptParams& p,
                         ByteView plaintext) {
  EvpPkeyCtxPtr ctx = IndependentContext(pub, p, true);
  size_t len = static_cast<size_t>(EVP_PKEY_get_size(pub));
  Bytes out(len);
  EXPECT_EQ(EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(),
                             plaintext.size()),
            1);
  out.resize(len);
  return out;
}

std::optional<Bytes> IndependentDecrypt(EVP_PKEY* priv,
                                        const RsaDecryptParams& p,
                                        ByteView ciphertext) {
  EvpPkeyCtxPtr ctx = IndependentContext(priv, p, false);
  size_t len = static_cast<size_t>(EVP_PKEY_get_size(priv));
  Bytes out(len);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, ciphertext.data(),
                       ciphertext.size()) != 1) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::vector<RsaDecryptParams> AllParams() {
  std::vector<RsaDecryptParams> all;
  for (HashAlgorithm h :
       {HashAlgorithm::kSha1, HashAlgorithm::kSha224, HashAlgorithm::kSha256,
        HashAlgorithm::kSha384, HashAlgorithm::kSha512}) {
    all.push_back({RsaPadding::kOaep, h, h, {}});
    all.push_back({RsaPadding::kOaep, h, HashAlgorithm::kSha1, {1, 2, 3}});
  }
  all.push_back({RsaPadding::kPkcs1, {}, {}, {}});
  return all;
}

class RsaEncryptionTest : public ::testing::TestWithParam<Algorithm> {};

TEST_P(RsaEncryptionTest, DecryptsIndependentCiphertexts) {
  const KeyMaterial& key = SharedKey(GetParam());
  EvpPkeyPtr pub = IndependentPublicKey(key);
  ASSERT_NE(pub, nullptr);
  for (const RsaDecryptParams& p : AllParams()) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{32}}) {
      const Bytes plaintext = RandomBytes(size);
      const Bytes ct = IndependentEncrypt(pub.get(), p, View(plaintext));
      Result<SecureBytes> pt = RsaDecrypt(key, p, View(ct));
      ASSERT_TRUE(pt.ok()) << pt.status().ToString();
      EXPECT_EQ(ToBytes(*pt), plaintext);
    }
  }
}

TEST_P(RsaEncryptionTest, EncryptsForIndependentDecryption) {
  const KeyMaterial& key = SharedKey(GetParam());
  EvpPkeyPtr priv = IndependentPrivateKey(key);
  ASSERT_NE(priv, nullptr);
  for (const RsaDecryptParams& p : AllParams()) {
    const Bytes plaintext = RandomBytes(20);
    Result<Bytes> ct = RsaEncrypt(key, p, View(plaintext));
    ASSERT_TRUE(ct.ok()) << ct.status().ToString();
    EXPECT_EQ(ct->size(), KeySizeBytes(key.algorithm()));
    std::optional<Bytes> pt = IndependentDecrypt(priv.get(), p, View(*ct));
    ASSERT_TRUE(pt.has_value());
    EXPECT_EQ(*pt, plaintext);
  }
}

INSTANTIATE_TEST_SUITE_P(AllRsa, RsaEncryptionTest,
                         ::testing::Values(Algorithm::kRsa2048,
                                           Algorithm::kRsa3072,
                                           Algorithm::kRsa4096),
                         [](const auto& info) {
                           return std::string(AlgorithmName(info.param));
                         });

TEST(RsaEncryptionTest, BadCiphertextsFailUniformly) {
  const KeyMaterial& key = SharedKey(Algorithm::kRsa2048);
  EvpPkeyPtr pub = IndependentPublicKey(key);
  ASSERT_NE(pub, nullptr);
  const Bytes plaintext = RandomBytes(16);
  std::string message;
  for (const RsaDecryptParams& p : AllParams()) {
    Bytes ct = IndependentEncrypt(pub.get(), p, View(plaintext));
    ct[ct.size() - 1] ^= 1;
    Result<SecureBytes> pt = RsaDecrypt(key, p, View(ct));
    ASSERT_EQ(pt.status().code(), ErrorCode::kDecryptFailed);
    if (message.empty()) message = pt.status().message();
    EXPECT_EQ(pt.status().message(), message);
  }
  // Wrong label, wrong hash: same answer.
  RsaDecryptParams p{
      RsaPadding::kOaep, HashAlgorithm::kSha256, HashAlgorithm::kSha256, {9}};
  const Bytes ct = IndependentEncrypt(pub.get(), p, View(plaintext));
  p.label = {8};
  EXPECT_EQ(RsaDecrypt(key, p, View(ct)).status().message(), message);
  p.label = {9};
  p.oaep_hash = HashAlgorithm::kSha384;
  EXPECT_EQ(RsaDecrypt(key, p, View(ct)).status().code(),
            ErrorCode::kDecryptFailed);
  // OAEP ciphertext decrypted as PKCS#1 v1.5.
  EXPECT_EQ(RsaDecrypt(key, {RsaPadding::kPkcs1, {}, {}, {}}, View(ct))
                .status()
                .code(),
            ErrorCode::kDecryptFailed);
  // Truncated and over-long ciphertexts are the wrong length.
  const Bytes truncated(ct.begin(), ct.end() - 1);
  EXPECT_EQ(RsaDecrypt(key, {}, View(truncated)).status().code(),
            ErrorCode::kDataInvalid);
  Bytes longer = ct;
  longer.push_back(0);
  EXPECT_EQ(RsaDecrypt(key, {}, View(longer)).status().code(),
            ErrorCode::kDataInvalid);
  // A ciphertext >= n.
  const Bytes all_ones(256, 0xff);
  EXPECT_EQ(RsaDecrypt(key, {}, View(all_ones)).status().code(),
            ErrorCode::kDecryptFailed);
}

TEST(RsaEncryptionTest, RefusesBadInput) {
  const KeyMaterial& key = SharedKey(Algorithm::kRsa2048);
  // OAEP SHA-256: at most 256 - 2*32 - 2 = 190 bytes.
  EXPECT_TRUE(RsaEncrypt(key, {}, View(RandomBytes(190))).ok());
  EXPECT_EQ(RsaEncrypt(key, {}, View(RandomBytes(191))).status().code(),
            ErrorCode::kDataInvalid);
  const RsaDecryptParams pkcs1{RsaPadding::kPkcs1, {}, {}, {}};
  EXPECT_TRUE(RsaEncrypt(key, pkcs1, View(RandomBytes(245))).ok());
  EXPECT_EQ(RsaEncrypt(key, pkcs1, View(RandomBytes(246))).status().code(),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(
      RsaEncrypt(key, {RsaPadding::kPkcs1, {}, {}, {1}}, View(RandomBytes(3)))
          .status()
          .code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(RsaDecrypt(SharedKey(Algorithm::kEcP256), {}, View(RandomBytes(64)))
                .status()
                .code(),
            ErrorCode::kUsageNotAllowed);
  EXPECT_EQ(RsaEncrypt(SharedKey(Algorithm::kAes256), {}, View(RandomBytes(3)))
                .status()
                .code(),
            ErrorCode::kUsageNotAllowed);
}

}  // namespace
}  // namespace kms
