// Group commit of the SQLite store: concurrent writers all return, every
// acknowledged write is there after reopening, and syncing a missing or
// unopenable WAL behaves.
#include "server/storage/wal_sync.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/server/server_test_env.h"

namespace kms::testing {
namespace {

TEST(WalSyncTest, MissingWalHasNothingToSync) {
  ServerTestEnv env;
  WalSync sync(env.dir() + "/no-such-db-wal");
  EXPECT_TRUE(sync.WaitDurable().ok());
}

TEST(WalSyncTest, UnreadableWalFailsAndStaysFailed) {
  ServerTestEnv env;
  // A path under a plain file: stat fails with ENOTDIR, not ENOENT.
  std::string file = env.dir() + "/plain";
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  WalSync sync(file + "/db-wal");
  Status first = sync.WaitDurable();
  EXPECT_EQ(first.code(), ErrorCode::kUnavailable) << first.ToString();
  EXPECT_EQ(sync.WaitDurable().code(), ErrorCode::kUnavailable);
}

TEST(WalSyncTest, ConcurrentWritersAreAllDurable) {
  ServerTestEnv env;
  Store& store = env.store();
  ASSERT_TRUE(store.CreateKeyRing({"dev", -1, false, 0}).ok());
  ASSERT_TRUE(
      store.CreateClient({"app", "application", std::string(64, 'a'), "", 0})
          .ok());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        TokenRecord token{"hash-" + std::to_string(t) + "-" + std::to_string(i),
                          "app", "dev", 1LL << 50, 0};
        if (!store.StoreToken(token).ok()) ++failures;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0);
  env.ReopenStore();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      EXPECT_TRUE(
          env.store()
              .GetToken("hash-" + std::to_string(t) + "-" + std::to_string(i))
              .ok());
    }
  }
}

}  // namespace
}  // namespace kms::testing
