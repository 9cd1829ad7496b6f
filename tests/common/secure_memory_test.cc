#include "common/secure_memory.h"

#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/locked_arena.h"

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

size_t PagesSpanned(const void* p, size_t bytes) {
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const auto first = PageOf(p);
  const auto last = PageOf(static_cast<const uint8_t*>(p) + bytes - 1);
  return (last - first) / page + 1;
}

// Blocks too large for the locked arena are locked page by page; a page
// two of them share stays locked until both are gone.
TEST(SecureMemoryTest, SharedPageStaysLockedWhileEitherSecretLives) {
  ASSERT_EQ(CRYPTO_secure_malloc_initialized(), 0);
  // Without the arena (AddressSanitizer) small blocks take this path too.
  constexpr size_t kSize =
      kSecureBlocksPooled ? kLockedArenaMaxBlock + 4000 : 48;
  const long before = LockedKib();
  ASSERT_GE(before, 0);
  std::vector<std::unique_ptr<SecureBytes>> blocks;
  SecureBytes* first = nullptr;
  SecureBytes* second = nullptr;
  for (int i = 0; i < 64 && second == nullptr; ++i) {
    auto block = std::make_unique<SecureBytes>(kSize, 0x5a);
    for (const auto& other : blocks) {
      if (PageOf(other->data() + kSize - 1) == PageOf(block->data())) {
        first = other.get();
        second = block.get();
      }
    }
    blocks.push_back(std::move(block));
  }
  ASSERT_NE(second, nullptr) << "no two blocks on one page";
  if (LockedKib() == before) GTEST_SKIP() << "mlock not permitted here";
  // Release every block except `second`; the page it shares with `first`
  // must stay locked with the rest of it.
  for (auto& block : blocks) {
    if (block.get() != second) block.reset();
  }
  const long page_kib = sysconf(_SC_PAGESIZE) / 1024;
  EXPECT_EQ(LockedKib(), before + page_kib * static_cast<long>(PagesSpanned(
                                                 second->data(), kSize)));
  (void)first;
  blocks.clear();
  EXPECT_EQ(LockedKib(), before);
}

TEST(SecureMemoryTest, SmallSecretsComeFromTheLockedArenaAndAreReused) {
  if (!kSecureBlocksPooled) GTEST_SKIP() << "AddressSanitizer: malloc only";
  ASSERT_EQ(CRYPTO_secure_malloc_initialized(), 0);
  const size_t mapped_before = LockedArenaMappedBytes();
  for (int round = 0; round < 3; ++round) {
    std::vector<SecureString> strings;
    for (int i = 0; i < 200; ++i) {
      strings.emplace_back(100 + i, 'k');
      EXPECT_TRUE(LockedArenaOwns(strings.back().data()));
    }
    SecureBytes fresh(64);
    EXPECT_TRUE(std::all_of(fresh.begin(), fresh.end(),
                            [](uint8_t b) { return b == 0; }));
  }
  // Freed blocks are reused: three rounds map no more than one.
  EXPECT_LE(LockedArenaMappedBytes() - mapped_before, size_t{256} << 10);
  SecureBytes large(kLockedArenaMaxBlock + 1);
  EXPECT_FALSE(LockedArenaOwns(large.data()));
}

TEST(SecureMemoryTest, FullArenaFallsBackToOrdinaryLockedMemory) {
  if (!kSecureBlocksPooled) GTEST_SKIP() << "AddressSanitizer: malloc only";
  std::vector<SecureBytes> blocks;
  const size_t count = kLockedArenaMaxBytes / kLockedArenaMaxBlock + 8;
  for (size_t i = 0; i < count; ++i) {
    blocks.emplace_back(kLockedArenaMaxBlock, static_cast<uint8_t>(i));
  }
  EXPECT_LE(LockedArenaMappedBytes(), kLockedArenaMaxBytes);
  EXPECT_FALSE(LockedArenaOwns(blocks.back().data()));
  for (size_t i = 0; i < count; ++i) {
    EXPECT_EQ(blocks[i][kLockedArenaMaxBlock - 1], static_cast<uint8_t>(i));
  }
}

// kmsd sets up OpenSSL's secure heap for private keys; secure containers
// must leave it alone (OpenSSL's key arithmetic fails when it is full), even
// with blocks larger than the heap.
TEST(SecureMemoryTest, LeavesOpenSslSecureHeapToOpenSsl) {
  ASSERT_NE(CRYPTO_secure_malloc_init(size_t{1} << 16, 32), 0);
  {
    SecureBytes small(100, 1);
    EXPECT_FALSE(CRYPTO_secure_allocated(small.data()));
    SecureBytes large(size_t{1} << 20);
    EXPECT_FALSE(CRYPTO_secure_allocated(large.data()));
    EXPECT_EQ(large[0], 0);
    EXPECT_EQ(large[large.size() - 1], 0);
    EXPECT_EQ(CRYPTO_secure_used(), 0u);
  }
  EXPECT_EQ(CRYPTO_secure_malloc_done(), 1);
}

}  // namespace
}  // namespace kms
