#include "common/secure_memory.h"

#include <gtest/gtest.h>

namespace kms {
namespace {

TEST(SecureMemoryTest, ConstantTimeEquals) {
  Bytes a = {1, 2, 3};
  Bytes b = {1, 2, 3};
  Bytes c = {1, 2, 4};
  EXPECT_TRUE(ConstantTimeEquals(a, b));
  EXPECT_FALSE(ConstantTimeEquals(a, c));
  EXPECT_FALSE(ConstantTimeEquals(a, Bytes{1, 2}));
  EXPECT_TRUE(ConstantTimeEquals(Bytes{}, Bytes{}));
}

TEST(SecureMemoryTest, SecureContainersWork) {
  SecureString s("secret");
  s += "-more";
  EXPECT_EQ(std::string(s.data(), s.size()), "secret-more");
  SecureBytes bytes = ToSecure(Bytes{9, 8, 7});
  EXPECT_EQ(bytes.size(), 3u);
}

}  // namespace
}  // namespace kms
