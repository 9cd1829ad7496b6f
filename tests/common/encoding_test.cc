#include "common/encoding.h"

#include <gtest/gtest.h>

namespace kms {
namespace {

TEST(Base64Test, RoundTripsAllLengths) {
  Bytes data;
  for (int i = 0; i < 40; ++i) {
    auto decoded = Base64Decode(Base64Encode(data));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, data);
    data.push_back(static_cast<uint8_t>(i * 37));
  }
}

TEST(Base64Test, KnownVector) {
  EXPECT_EQ(Base64Encode(View(std::string_view("foobar"))), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(View(std::string_view("fo"))), "Zm8=");
}

TEST(Base64Test, RejectsMalformedInput) {
  for (const char* bad :
       {"Zm9", "Zm9v!mFy", "Zm=v", "Zm9=", "Zm8==AAA", "Zm9vYmFy\n",
        "Zg==Zg==", "Zh==", "A===", "====", "Zm9vYmF=", "Zm9v YmFy"}) {
    auto decoded = Base64Decode(bad);
    EXPECT_FALSE(decoded.ok()) << bad;
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidBase64) << bad;
    }
  }
}

TEST(HexTest, RoundTripAndErrors) {
  Bytes data = {0x00, 0xab, 0xff};
  EXPECT_EQ(HexEncode(data), "00abff");
  auto decoded = HexDecode("00ABff");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, data);
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

}  // namespace
}  // namespace kms
