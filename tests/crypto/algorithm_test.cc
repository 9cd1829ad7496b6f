#include "server/crypto/algorithm.h"

#include <gtest/gtest.h>

#include "server/crypto/operations.h"

namespace kms {
namespace {

constexpr Algorithm kAll[] = {
    Algorithm::kAes128,  Algorithm::kAes256,  Algorithm::kHmacSha256,
    Algorithm::kRsa2048, Algorithm::kRsa3072, Algorithm::kRsa4096,
    Algorithm::kEcP256,  Algorithm::kEcP384,  Algorithm::kEd25519,
};

TEST(AlgorithmTest, NamesRoundTrip) {
  for (Algorithm a : kAll) {
    Result<Algorithm> parsed = ParseAlgorithm(AlgorithmName(a));
    ASSERT_TRUE(parsed.ok()) << AlgorithmName(a);
    EXPECT_EQ(*parsed, a);
  }
  EXPECT_EQ(AlgorithmName(Algorithm::kEcP256), "EC_P256");
  EXPECT_EQ(AlgorithmName(Algorithm::kHmacSha256), "HMAC_SHA256");
  EXPECT_EQ(ParseAlgorithm("AES_192").status().code(),
            ErrorCode::kUnsupportedAlgorithm);
  EXPECT_EQ(ParseAlgorithm("aes_128").status().code(),
            ErrorCode::kUnsupportedAlgorithm);
}

TEST(AlgorithmTest, Classification) {
  EXPECT_TRUE(IsSymmetric(Algorithm::kHmacSha256));
  EXPECT_FALSE(IsSymmetric(Algorithm::kEd25519));
  EXPECT_TRUE(IsRsa(Algorithm::kRsa3072));
  EXPECT_FALSE(IsRsa(Algorithm::kEcP256));
  EXPECT_TRUE(IsEc(Algorithm::kEcP384));
  EXPECT_FALSE(IsEc(Algorithm::kEd25519));
  EXPECT_EQ(KeySizeBytes(Algorithm::kAes128), 16u);
  EXPECT_EQ(KeySizeBytes(Algorithm::kHmacSha256), 32u);
  EXPECT_EQ(KeySizeBytes(Algorithm::kRsa4096), 512u);
  EXPECT_EQ(KeySizeBytes(Algorithm::kEcP384), 96u);
  EXPECT_EQ(KeySizeBytes(Algorithm::kEd25519), 64u);
}

TEST(AlgorithmTest, Usages) {
  Result<uint32_t> u = ParseUsages({"sign", "verify", "sign"});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, kUsageSign | kUsageVerify);
  EXPECT_EQ(UsageNames(kUsageUnwrap | kUsageEncrypt),
            (std::vector<std::string>{"encrypt", "unwrap"}));
  EXPECT_EQ(ParseUsages({"sign", "fly"}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(*ParseUsages({}), 0u);
  EXPECT_EQ(PossibleUsages(Algorithm::kEd25519) & kUsageEncrypt, 0u);
  EXPECT_EQ(PossibleUsages(Algorithm::kAes256) & kUsageSign, 0u);
  EXPECT_NE(PossibleUsages(Algorithm::kAes256) & kUsageWrap, 0u);
  EXPECT_NE(PossibleUsages(Algorithm::kHmacSha256) & kUsageVerify, 0u);
  for (Algorithm a : kAll) {
    EXPECT_NE(DefaultUsages(a), 0u);
    EXPECT_EQ(DefaultUsages(a) & ~PossibleUsages(a), 0u);
  }
}

TEST(AlgorithmTest, OperationNames) {
  EXPECT_EQ(*ParseHash("SHA384"), HashAlgorithm::kSha384);
  EXPECT_EQ(HashSize(HashAlgorithm::kSha224), 28u);
  EXPECT_EQ(HashName(HashAlgorithm::kSha1), "SHA1");
  EXPECT_EQ(ParseHash("MD5").status().code(), ErrorCode::kUnsupportedAlgorithm);
  EXPECT_EQ(*ParseSignScheme("RSA_PSS"), SignScheme::kRsaPss);
  EXPECT_EQ(*ParseSignScheme("HMAC"), SignScheme::kHmac);
  EXPECT_EQ(ParseSignScheme("DSA").status().code(),
            ErrorCode::kUnsupportedAlgorithm);
  EXPECT_EQ(*ParseCipherMode("CBC_PAD"), CipherMode::kCbcPad);
  EXPECT_EQ(ParseCipherMode("ECB").status().code(),
            ErrorCode::kUnsupportedAlgorithm);
  EXPECT_EQ(*ParseWrapMechanism("AES_KEY_WRAP_PAD"),
            WrapMechanism::kAesKeyWrapPad);
  EXPECT_EQ(ParseWrapMechanism("RSA_PKCS1").status().code(),
            ErrorCode::kUnsupportedAlgorithm);
}

}  // namespace
}  // namespace kms
