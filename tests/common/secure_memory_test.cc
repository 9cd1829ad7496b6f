#include "common/secure_memory.h"

#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

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

// Locked memory of this process in KiB, from /proc/self/status.
long LockedKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmLck:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

uintptr_t PageOf(const void* p) {
  return reinterpret_cast<uintptr_t>(p) &
         ~static_cast<uintptr_t>(sysconf(_SC_PAGESIZE) - 1);
}

TEST(SecureMemoryTest, PageStaysLockedWhileAnotherSecretLivesOnIt) {
  ASSERT_EQ(CRYPTO_secure_malloc_initialized(), 0);
  const long before = LockedKib();
  ASSERT_GE(before, 0);
  // Small blocks come from the same heap pages; find two on one page that
  // no other live block has locked.
  std::vector<std::unique_ptr<SecureBytes>> blocks;
  SecureBytes* first = nullptr;
  SecureBytes* second = nullptr;
  for (int i = 0; i < 64 && second == nullptr; ++i) {
    auto block = std::make_unique<SecureBytes>(48, 0x5a);
    for (const auto& other : blocks) {
      if (PageOf(other->data()) == PageOf(block->data()) &&
          PageOf(other->data()) == PageOf(other->data() + 47) &&
          PageOf(block->data()) == PageOf(block->data() + 47)) {
        first = other.get();
        second = block.get();
      }
    }
    blocks.push_back(std::move(block));
  }
  ASSERT_NE(second, nullptr) << "no two small blocks on one page";
  const long with_blocks = LockedKib();
  if (with_blocks == before) GTEST_SKIP() << "mlock not permitted here";
  // Release every block except `second`: its page must stay locked.
  for (auto& block : blocks) {
    if (block.get() != second) block.reset();
  }
  EXPECT_GE(LockedKib(), before + sysconf(_SC_PAGESIZE) / 1024);
  (void)first;
  blocks.clear();
  EXPECT_EQ(LockedKib(), before);
}

TEST(SecureMemoryTest, UsesOpenSslSecureHeapWhenTheProcessSetItUp) {
  ASSERT_NE(CRYPTO_secure_malloc_init(size_t{1} << 16, 32), 0);
  {
    SecureBytes small(100, 1);
    EXPECT_TRUE(CRYPTO_secure_allocated(small.data()));
    EXPECT_GT(CRYPTO_secure_used(), 0u);
    // Larger than the whole heap: ordinary locked memory instead, and no
    // error left on the thread's OpenSSL queue.
    ERR_clear_error();
    SecureBytes large(size_t{1} << 20);
    EXPECT_FALSE(CRYPTO_secure_allocated(large.data()));
    EXPECT_EQ(large[0], 0);
    EXPECT_EQ(large[large.size() - 1], 0);
    EXPECT_EQ(ERR_peek_error(), 0u);
    SecureString grown;
    for (int i = 0; i < 1000; ++i) grown += "0123456789";
    EXPECT_EQ(grown.size(), 10000u);
  }
  EXPECT_EQ(CRYPTO_secure_used(), 0u);
  EXPECT_EQ(CRYPTO_secure_malloc_done(), 1);
}

}  // namespace
}  // namespace kms
