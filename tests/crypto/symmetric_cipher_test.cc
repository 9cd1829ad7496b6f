#include <gtest/gtest.h>

#include "server/crypto/operations.h"
#include "tests/crypto/crypto_test_util.h"

namespace kms {
namespace {

using testing::RandomBytes;
using testing::SharedKey;
using testing::ToBytes;

const char* CipherName(Algorithm a, CipherMode m) {
  const bool k128 = a == Algorithm::kAes128;
  switch (m) {
    case CipherMode::kGcm:
      return k128 ? "AES-128-GCM" : "AES-256-GCM";
    case CipherMode::kCbcPad:
    case CipherMode::kCbc:
      return k128 ? "AES-128-CBC" : "AES-256-CBC";
    case CipherMode::kCtr:
      return k128 ? "AES-128-CTR" : "AES-256-CTR";
  }
  return "";
}

struct Independent {
  Bytes ciphertext;
  Bytes tag;
};

// Plain EVP encryption, written independently of the code under test.
Independent IndependentEncrypt(const KeyMaterial& key, CipherMode mode,
                               const Bytes& iv, const Bytes& aad,
                               const Bytes& plaintext, int tag_bytes) {
  EVP_CIPHER* cipher =
      EVP_CIPHER_fetch(nullptr, CipherName(key.algorithm(), mode), nullptr);
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  OSSL_PARAM params[] = {OSSL_PARAM_END, OSSL_PARAM_END};
  size_t iv_len = iv.size();
  if (mode == CipherMode::kGcm) {
    params[0] = OSSL_PARAM_construct_size_t("ivlen", &iv_len);
  }
  EXPECT_EQ(EVP_EncryptInit_ex2(ctx.get(), cipher, key.secret().data(),
                                iv.data(), params),
            1);
  EVP_CIPHER_free(cipher);
  EVP_CIPHER_CTX_set_padding(ctx.get(), mode == CipherMode::kCbcPad);
  int len = 0;
  if (!aad.empty()) {
    EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                static_cast<int>(aad.size())),
              1);
  }
  Independent out;
  out.ciphertext.resize(plaintext.size() + 16);
  int total = 0;
  if (!plaintext.empty()) {
    EXPECT_EQ(
        EVP_EncryptUpdate(ctx.get(), out.ciphertext.data(), &len,
                          plaintext.data(), static_cast<int>(plaintext.size())),
        1);
    total = len;
  }
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx.get(), out.ciphertext.data() + total, &len),
            1);
  out.ciphertext.resize(static_cast<size_t>(total + len));
  if (mode == CipherMode::kGcm) {
    out.tag.resize(static_cast<size_t>(tag_bytes));
    EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_bytes,
                                  out.tag.data()),
              1);
  }
  return out;
}

struct ModeCase {
  Algorithm algorithm;
  CipherMode mode;
};

std::string CaseName(const ::testing::TestParamInfo<ModeCase>& info) {
  constexpr const char* kModeNames[] = {"GCM", "CBC_PAD", "CBC", "CTR"};
  return std::string(AlgorithmName(info.param.algorithm)) + "_" +
         kModeNames[static_cast<int>(info.param.mode)];
}

class SymmetricModeTest : public ::testing::TestWithParam<ModeCase> {};

TEST_P(SymmetricModeTest, MatchesIndependentEncryptionAndRoundTrips) {
  const KeyMaterial& key = SharedKey(GetParam().algorithm);
  const CipherMode mode = GetParam().mode;
  const bool gcm = mode == CipherMode::kGcm;
  for (size_t size : {0, 1, 15, 16, 17, 64, 1000}) {
    if (mode == CipherMode::kCbc && size % 16 != 0) continue;
    const Bytes plaintext = RandomBytes(size);
    CipherParams params;
    params.mode = mode;
    params.iv = RandomBytes(gcm ? 12 : 16);
    if (gcm) params.aad = RandomBytes(size % 7 * 5);
    Result<CipherOutput> out = SymmetricEncrypt(key, params, View(plaintext));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out->iv, params.iv);
    const Independent expected = IndependentEncrypt(
        key, mode, params.iv, params.aad, plaintext, params.tag_bits / 8);
    EXPECT_EQ(out->ciphertext, expected.ciphertext) << size;
    EXPECT_EQ(out->tag, expected.tag);
    if (mode == CipherMode::kCbcPad) {
      EXPECT_EQ(out->ciphertext.size(), (size / 16 + 1) * 16);
    }
    Result<SecureBytes> back =
        SymmetricDecrypt(key, params, View(out->ciphertext), View(out->tag));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(ToBytes(*back), plaintext);
  }
}

TEST_P(SymmetricModeTest, GeneratesRandomIvWhenEmpty) {
  const KeyMaterial& key = SharedKey(GetParam().algorithm);
  CipherParams params;
  params.mode = GetParam().mode;
  const Bytes plaintext = RandomBytes(32);
  Result<CipherOutput> a = SymmetricEncrypt(key, params, View(plaintext));
  Result<CipherOutput> b = SymmetricEncrypt(key, params, View(plaintext));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->iv.size(), params.mode == CipherMode::kGcm ? 12u : 16u);
  EXPECT_NE(a->iv, b->iv);
  EXPECT_NE(a->ciphertext, b->ciphertext);
  const Independent expected = IndependentEncrypt(
      key, params.mode, a->iv, {}, plaintext, params.tag_bits / 8);
  EXPECT_EQ(a->ciphertext, expected.ciphertext);
}

INSTANTIATE_TEST_SUITE_P(
    AllModes, SymmetricModeTest,
    ::testing::Values(ModeCase{Algorithm::kAes128, CipherMode::kGcm},
                      ModeCase{Algorithm::kAes256, CipherMode::kGcm},
                      ModeCase{Algorithm::kAes128, CipherMode::kCbcPad},
                      ModeCase{Algorithm::kAes256, CipherMode::kCbcPad},
                      ModeCase{Algorithm::kAes128, CipherMode::kCbc},
                      ModeCase{Algorithm::kAes256, CipherMode::kCbc},
                      ModeCase{Algorithm::kAes128, CipherMode::kCtr},
                      ModeCase{Algorithm::kAes256, CipherMode::kCtr}),
    CaseName);

TEST(GcmTest, IvAndTagSizes) {
  const KeyMaterial& key = SharedKey(Algorithm::kAes256);
  const Bytes plaintext = RandomBytes(40);
  for (size_t iv_size : {1, 8, 12, 16, 60, 128}) {
    for (int tag_bits : {96, 104, 112, 120, 128}) {
      CipherParams params;
      params.iv = RandomBytes(iv_size);
      params.tag_bits = tag_bits;
      Result<CipherOutput> out = SymmetricEncrypt(key, params, View(plaintext));
      ASSERT_TRUE(out.ok()) << iv_size << "/" << tag_bits;
      ASSERT_EQ(out->tag.size(), static_cast<size_t>(tag_bits / 8));
      const Independent expected = IndependentEncrypt(
          key, CipherMode::kGcm, params.iv, {}, plaintext, tag_bits / 8);
      EXPECT_EQ(out->ciphertext, expected.ciphertext);
      EXPECT_EQ(out->tag, expected.tag);
      EXPECT_TRUE(
          SymmetricDecrypt(key, params, View(out->ciphertext), View(out->tag))
              .ok());
    }
  }
}

TEST(GcmTest, TamperingFailsDecryption) {
  const KeyMaterial& key = SharedKey(Algorithm::kAes128);
  CipherParams params;
  params.aad = RandomBytes(20);
  const Bytes plaintext = RandomBytes(50);
  Result<CipherOutput> out = SymmetricEncrypt(key, params, View(plaintext));
  ASSERT_TRUE(out.ok());
  params.iv = out->iv;
  auto decrypt_code = [&](const CipherParams& p, const Bytes& ct,
                          const Bytes& tag) {
    return SymmetricDecrypt(key, p, View(ct), View(tag)).status().code();
  };
  Bytes ct = out->ciphertext;
  ct[10] ^= 1;
  EXPECT_EQ(decrypt_code(params, ct, out->tag), ErrorCode::kDecryptFailed);
  Bytes tag = out->tag;
  tag[15] ^= 0x80;
  EXPECT_EQ(decrypt_code(params, out->ciphertext, tag),
            ErrorCode::kDecryptFailed);
  CipherParams other_aad = params;
  other_aad.aad.back() ^= 1;
  EXPECT_EQ(decrypt_code(other_aad, out->ciphertext, out->tag),
            ErrorCode::kDecryptFailed);
  CipherParams other_iv = params;
  other_iv.iv[0] ^= 1;
  EXPECT_EQ(decrypt_code(other_iv, out->ciphertext, out->tag),
            ErrorCode::kDecryptFailed);
  const Bytes truncated(out->ciphertext.begin(), out->ciphertext.end() - 1);
  EXPECT_EQ(decrypt_code(params, truncated, out->tag),
            ErrorCode::kDecryptFailed);
  // Missing tag, cut tag.
  EXPECT_EQ(decrypt_code(params, out->ciphertext, {}),
            ErrorCode::kDecryptFailed);
  const Bytes short_tag(out->tag.begin(), out->tag.begin() + 12);
  EXPECT_EQ(decrypt_code(params, out->ciphertext, short_tag),
            ErrorCode::kDecryptFailed);
  // A 96-bit prefix is not a valid 96-bit tag of this encryption either
  // unless asked for: with tag_bits 96 the prefix does verify (GCM
  // truncation), which shows tag_bits is honoured.
  CipherParams tag96 = params;
  tag96.tag_bits = 96;
  EXPECT_TRUE(
      SymmetricDecrypt(key, tag96, View(out->ciphertext), View(short_tag))
          .ok());
  // A wrong key.
  EXPECT_EQ(SymmetricDecrypt(SharedKey(Algorithm::kAes256), params,
                             View(out->ciphertext), View(out->tag))
                .status()
                .code(),
            ErrorCode::kDecryptFailed);
}

TEST(GcmTest, RefusesBadParameters) {
  const KeyMaterial& key = SharedKey(Algorithm::kAes128);
  const Bytes data = RandomBytes(16);
  auto encrypt_code = [&](const CipherParams& p) {
    return SymmetricEncrypt(key, p, View(data)).status().code();
  };
  CipherParams p;
  p.iv = RandomBytes(129);
  EXPECT_EQ(encrypt_code(p), ErrorCode::kInvalidArgument);
  p.iv = RandomBytes(12);
  for (int bits : {0, 32, 64, 88, 100, 136, 256}) {
    p.tag_bits = bits;
    EXPECT_EQ(encrypt_code(p), ErrorCode::kInvalidArgument) << bits;
    EXPECT_EQ(SymmetricDecrypt(key, p, View(data), View(RandomBytes(8)))
                  .status()
                  .code(),
              ErrorCode::kInvalidArgument)
        << bits;
  }
  p.tag_bits = 128;
  p.iv.clear();
  // Decryption never invents an IV.
  EXPECT_EQ(SymmetricDecrypt(key, p, View(data), View(RandomBytes(16)))
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
}

TEST(CbcCtrTest, RefusesBadInput) {
  const KeyMaterial& key = SharedKey(Algorithm::kAes256);
  CipherParams p;
  p.mode = CipherMode::kCbc;
  p.iv = RandomBytes(16);
  EXPECT_EQ(SymmetricEncrypt(key, p, View(RandomBytes(17))).status().code(),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(SymmetricDecrypt(key, p, View(RandomBytes(31)), {}).status().code(),
            ErrorCode::kDataInvalid);
  for (CipherMode mode :
       {CipherMode::kCbc, CipherMode::kCbcPad, CipherMode::kCtr}) {
    p.mode = mode;
    for (size_t iv_size : {8, 12, 15, 17, 32}) {
      p.iv = RandomBytes(iv_size);
      EXPECT_EQ(SymmetricEncrypt(key, p, View(RandomBytes(16))).status().code(),
                ErrorCode::kInvalidArgument);
      EXPECT_EQ(
          SymmetricDecrypt(key, p, View(RandomBytes(16)), {}).status().code(),
          ErrorCode::kInvalidArgument);
    }
    p.iv = RandomBytes(16);
    p.aad = {1};
    EXPECT_EQ(SymmetricEncrypt(key, p, View(RandomBytes(16))).status().code(),
              ErrorCode::kInvalidArgument);
    p.aad.clear();
    EXPECT_EQ(
        SymmetricDecrypt(key, p, View(RandomBytes(16)), View(RandomBytes(16)))
            .status()
            .code(),
        ErrorCode::kInvalidArgument);
  }
}

TEST(CbcPadTest, BadPaddingAndTruncation) {
  const KeyMaterial& key = SharedKey(Algorithm::kAes128);
  CipherParams p;
  p.mode = CipherMode::kCbcPad;
  p.iv = RandomBytes(16);
  // Independently encrypt a final block whose padding byte is 0x00.
  Bytes block(32, 0x41);
  block.back() = 0;
  CipherParams raw = p;
  raw.mode = CipherMode::kCbc;
  const Independent bad_padding =
      IndependentEncrypt(key, CipherMode::kCbc, p.iv, {}, block, 0);
  EXPECT_EQ(SymmetricDecrypt(key, p, View(bad_padding.ciphertext), {})
                .status()
                .code(),
            ErrorCode::kDecryptFailed);
  // Unpadded CBC decrypts the same blocks fine.
  Result<SecureBytes> plain =
      SymmetricDecrypt(key, raw, View(bad_padding.ciphertext), {});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(ToBytes(*plain), block);

  Result<CipherOutput> out = SymmetricEncrypt(key, p, View(RandomBytes(20)));
  ASSERT_TRUE(out.ok());
  const Bytes truncated(out->ciphertext.begin(), out->ciphertext.end() - 3);
  EXPECT_EQ(SymmetricDecrypt(key, p, View(truncated), {}).status().code(),
            ErrorCode::kDataInvalid);
  EXPECT_EQ(SymmetricDecrypt(key, p, ByteView(), {}).status().code(),
            ErrorCode::kDataInvalid);
}

TEST(SymmetricTest, RefusesNonAesKeys) {
  CipherParams p;
  for (Algorithm a : {Algorithm::kHmacSha256, Algorithm::kRsa2048,
                      Algorithm::kEcP256, Algorithm::kEd25519}) {
    EXPECT_EQ(SymmetricEncrypt(SharedKey(a), p, View(RandomBytes(16)))
                  .status()
                  .code(),
              ErrorCode::kUsageNotAllowed)
        << AlgorithmName(a);
    p.iv = RandomBytes(12);
    EXPECT_EQ(SymmetricDecrypt(SharedKey(a), p, View(RandomBytes(16)),
                               View(RandomBytes(16)))
                  .status()
                  .code(),
              ErrorCode::kUsageNotAllowed);
  }
}

}  // namespace
}  // namespace kms
