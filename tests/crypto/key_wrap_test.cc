#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include "server/crypto/operations.h"
#include "tests/crypto/crypto_test_util.h"

namespace kms {
namespace {

using testing::IndependentPrivateKey;
using testing::RandomBytes;
using testing::SharedKey;
using testing::ToBytes;

// Plain EVP unwrap, independent of the code under test.
std::optional<Bytes> IndependentAesUnwrap(const KeyMaterial& kek, bool pad,
                                          const Bytes& wrapped) {
  const bool k128 = kek.algorithm() == Algorithm::kAes128;
  const EVP_CIPHER* cipher =
      pad ? (k128 ? EVP_aes_128_wrap_pad() : EVP_aes_256_wrap_pad())
          : (k128 ? EVP_aes_128_wrap() : EVP_aes_256_wrap());
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, kek.secret().data(),
                         nullptr) != 1) {
    return std::nullopt;
  }
  Bytes out(wrapped.size() + 16);
  int len = 0;
  if (EVP_DecryptUpdate(ctx.get(), out.data(), &len, wrapped.data(),
                        static_cast<int>(wrapped.size())) != 1) {
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(len));
  return out;
}

std::optional<Bytes> IndependentOaepDecrypt(const KeyMaterial& key,
                                            const WrapParams& params,
                                            const Bytes& wrapped) {
  EvpPkeyPtr priv = IndependentPrivateKey(key);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, priv.get(), nullptr));
  const EVP_MD* md =
      EVP_get_digestbyname(std::string(HashName(params.oaep_hash)).c_str());
  const EVP_MD* mgf1 =
      EVP_get_digestbyname(std::string(HashName(params.mgf1_hash)).c_str());
  if (EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), mgf1) != 1) {
    return std::nullopt;
  }
  if (!params.label.empty()) {
    void* label = OPENSSL_memdup(params.label.data(), params.label.size());
    EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), label,
                                     static_cast<int>(params.label.size()));
  }
  size_t len = wrapped.size();
  Bytes out(len);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, wrapped.data(),
                       wrapped.size()) != 1) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

struct WrapCase {
  Algorithm wrapping;
  WrapMechanism mechanism;
  Algorithm target;
};

std::string WrapCaseName(const ::testing::TestParamInfo<WrapCase>& info) {
  constexpr const char* kNames[] = {"KW", "KWP", "OAEP"};
  return std::string(AlgorithmName(info.param.wrapping)) + "_" +
         kNames[static_cast<int>(info.param.mechanism)] + "_" +
         std::string(AlgorithmName(info.param.target));
}

class KeyWrapTest : public ::testing::TestWithParam<WrapCase> {};

TEST_P(KeyWrapTest, RoundTripsAndUnwrapsIndependently) {
  const WrapCase& c = GetParam();
  const KeyMaterial& kek = SharedKey(c.wrapping);
  Result<KeyMaterial> target = KeyMaterial::Generate(c.target);
  ASSERT_TRUE(target.ok());
  Result<SecureBytes> serialized = target->Serialize();
  ASSERT_TRUE(serialized.ok());
  WrapParams params;
  params.mechanism = c.mechanism;
  if (c.mechanism == WrapMechanism::kRsaOaep) {
    params.oaep_hash = HashAlgorithm::kSha256;
    params.mgf1_hash = HashAlgorithm::kSha1;
    params.label = {'k', 'm', 's'};
  }
  Result<Bytes> wrapped = WrapKey(kek, params, *target);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();

  std::optional<Bytes> independent =
      c.mechanism == WrapMechanism::kRsaOaep
          ? IndependentOaepDecrypt(kek, params, *wrapped)
          : IndependentAesUnwrap(
                kek, c.mechanism == WrapMechanism::kAesKeyWrapPad, *wrapped);
  ASSERT_TRUE(independent.has_value());
  EXPECT_EQ(*independent, ToBytes(*serialized));

  Result<KeyMaterial> unwrapped =
      UnwrapKey(kek, params, View(*wrapped), c.target);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_EQ(unwrapped->algorithm(), c.target);
  EXPECT_EQ(*unwrapped->Serialize(), *serialized);

  // Tampering is detected, and never yields a key.
  Bytes tampered = *wrapped;
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_EQ(UnwrapKey(kek, params, View(tampered), c.target).status().code(),
            ErrorCode::kDecryptFailed);
  // Truncation: a wrong length for AES key wrap / RSA.
  const Bytes truncated(wrapped->begin(), wrapped->end() - 8);
  const ErrorCode code =
      UnwrapKey(kek, params, View(truncated), c.target).status().code();
  EXPECT_TRUE(code == ErrorCode::kDecryptFailed ||
              code == ErrorCode::kDataInvalid)
      << ErrorCodeName(code);
}

INSTANTIATE_TEST_SUITE_P(
    Mechanisms, KeyWrapTest,
    ::testing::Values(
        WrapCase{Algorithm::kAes128, WrapMechanism::kAesKeyWrap,
                 Algorithm::kAes256},
        WrapCase{Algorithm::kAes256, WrapMechanism::kAesKeyWrap,
                 Algorithm::kHmacSha256},
        WrapCase{Algorithm::kAes256, WrapMechanism::kAesKeyWrap,
                 Algorithm::kAes128},
        WrapCase{Algorithm::kAes128, WrapMechanism::kAesKeyWrapPad,
                 Algorithm::kAes128},
        WrapCase{Algorithm::kAes256, WrapMechanism::kAesKeyWrapPad,
                 Algorithm::kEcP256},
        WrapCase{Algorithm::kAes256, WrapMechanism::kAesKeyWrapPad,
                 Algorithm::kRsa2048},
        WrapCase{Algorithm::kAes128, WrapMechanism::kAesKeyWrapPad,
                 Algorithm::kEd25519},
        WrapCase{Algorithm::kRsa2048, WrapMechanism::kRsaOaep,
                 Algorithm::kAes256},
        WrapCase{Algorithm::kRsa3072, WrapMechanism::kRsaOaep,
                 Algorithm::kEcP256},
        WrapCase{Algorithm::kRsa4096, WrapMechanism::kRsaOaep,
                 Algorithm::kEd25519}),
    WrapCaseName);

TEST(KeyWrapTest, RefusesMismatches) {
  const KeyMaterial& aes = SharedKey(Algorithm::kAes256);
  const KeyMaterial& rsa = SharedKey(Algorithm::kRsa2048);
  const KeyMaterial& p256 = SharedKey(Algorithm::kEcP256);
  const KeyMaterial& hmac = SharedKey(Algorithm::kHmacSha256);
  WrapParams kw{WrapMechanism::kAesKeyWrap, {}, {}, {}};
  WrapParams kwp{WrapMechanism::kAesKeyWrapPad, {}, {}, {}};
  WrapParams oaep{WrapMechanism::kRsaOaep, {}, {}, {}};
  EXPECT_EQ(WrapKey(rsa, kwp, aes).status().code(),
            ErrorCode::kUsageNotAllowed);
  EXPECT_EQ(WrapKey(hmac, kw, aes).status().code(),
            ErrorCode::kUsageNotAllowed);
  EXPECT_EQ(WrapKey(aes, oaep, aes).status().code(),
            ErrorCode::kUsageNotAllowed);
  EXPECT_EQ(UnwrapKey(p256, oaep, View(RandomBytes(64)), Algorithm::kAes128)
                .status()
                .code(),
            ErrorCode::kUsageNotAllowed);
  WrapParams labelled = kwp;
  labelled.label = {1};
  EXPECT_EQ(WrapKey(aes, labelled, aes).status().code(),
            ErrorCode::kInvalidArgument);
  // RFC 3394 needs whole semiblocks: a P-256 PKCS#8 needs the padded form.
  Result<SecureBytes> p256_der = p256.Serialize();
  ASSERT_TRUE(p256_der.ok());
  ASSERT_NE(p256_der->size() % 8, 0u);
  EXPECT_EQ(WrapKey(aes, kw, p256).status().code(), ErrorCode::kDataInvalid);
  EXPECT_EQ(WrapSecret(aes, kw, View(RandomBytes(8))).status().code(),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(WrapSecret(aes, kwp, ByteView()).status().code(),
            ErrorCode::kDataInvalid);
  // An RSA-4096 PKCS#8 exceeds what OAEP can carry.
  EXPECT_EQ(WrapKey(rsa, oaep, SharedKey(Algorithm::kRsa4096)).status().code(),
            ErrorCode::kDataInvalid);
  // Unwrapping as the wrong algorithm.
  Result<Bytes> wrapped = WrapKey(aes, kwp, SharedKey(Algorithm::kAes128));
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(
      UnwrapKey(aes, kwp, View(*wrapped), Algorithm::kAes256).status().code(),
      ErrorCode::kDataInvalid);
  EXPECT_EQ(
      UnwrapKey(aes, kwp, View(*wrapped), Algorithm::kEcP256).status().code(),
      ErrorCode::kDataInvalid);
  // Unwrapping with another mechanism or key.
  EXPECT_EQ(
      UnwrapKey(aes, kw, View(*wrapped), Algorithm::kAes128).status().code(),
      ErrorCode::kDecryptFailed);
  EXPECT_EQ(UnwrapKey(SharedKey(Algorithm::kAes128), kwp, View(*wrapped),
                      Algorithm::kAes128)
                .status()
                .code(),
            ErrorCode::kDecryptFailed);
  EXPECT_EQ(UnwrapSecret(aes, kw, View(RandomBytes(20))).status().code(),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(UnwrapSecret(aes, kw, View(RandomBytes(16))).status().code(),
            ErrorCode::kDataInvalid);
}

}  // namespace
}  // namespace kms
