// Data outlives the process: reopen, concurrent writers, and kill -9.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <set>
#include <thread>

#include "tests/storage/store_test_fixture.h"

namespace kms {
namespace {

class PersistenceStoreTest : public StoreTest {};

TEST_P(PersistenceStoreTest, ReopenKeepsDataAndSchemaVersion) {
  const int version = store_->schema_version();
  EXPECT_GT(version, 0);
  KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("ring")));
  KMS_ASSERT_OK(
      store_->CreateKey(MakeKey("ring", "k1"), MakeVersion("ring", "k1", 1)));
  KMS_ASSERT_OK(store_->AppendAudit(MakeAudit(1)));
  Reopen();
  EXPECT_EQ(store_->schema_version(), version);
  KMS_ASSERT_OK_AND_ASSIGN(KeyVersionRecord got,
                           store_->GetVersion("ring", "k1", 1));
  ExpectSameVersion(MakeVersion("ring", "k1", 1), got);
  KMS_ASSERT_OK_AND_ASSIGN(auto last, store_->LastAudit());
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->seq, 1);
  // Opening again (migrations already applied) changes nothing.
  Reopen();
  EXPECT_EQ(store_->schema_version(), version);
  KMS_EXPECT_OK(store_->GetKey("ring", "k1"));
}

TEST_P(PersistenceStoreTest, ConcurrentWritersLoseNothing) {
  constexpr int kThreads = 8;
  constexpr int kKeysPerThread = 40;
  constexpr int kAuditPerThread = 25;
  KMS_ASSERT_OK(store_->CreateKeyRing(MakeRing("ring")));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kKeysPerThread; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!store_->CreateKey(MakeKey("ring", id), MakeVersion("ring", id, 1))
                 .ok()) {
          ++failures;
        }
      }
      // Audit writers race for the next seq; losers must be refused and
      // retry, so the chain ends up gapless with every record present.
      for (int i = 0; i < kAuditPerThread;) {
        auto last = store_->LastAudit();
        if (!last.ok()) {
          ++failures;
          return;
        }
        int64_t next = last->has_value() ? (*last)->seq + 1 : 1;
        AuditRecord record = MakeAudit(next);
        record.client = "thread-" + std::to_string(t);
        Status status = store_->AppendAudit(record);
        if (status.ok()) {
          ++i;
        } else if (status.code() != ErrorCode::kFailedPrecondition) {
          ++failures;
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  KeyFilter filter;
  filter.limit = 100000;
  KMS_ASSERT_OK_AND_ASSIGN(auto keys, store_->ListKeys("ring", filter));
  std::set<std::string> ids;
  for (const KeyRecord& key : keys) ids.insert(key.id);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kKeysPerThread));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kKeysPerThread; ++i) {
      EXPECT_TRUE(ids.count("t" + std::to_string(t) + "-" + std::to_string(i)));
    }
  }
  KMS_ASSERT_OK_AND_ASSIGN(
      auto audit, store_->ListAudit(0, kThreads * kAuditPerThread + 1));
  ASSERT_EQ(audit.size(), static_cast<size_t>(kThreads * kAuditPerThread));
  std::map<std::string, int> per_client;
  for (size_t i = 0; i < audit.size(); ++i) {
    EXPECT_EQ(audit[i].seq, static_cast<int64_t>(i + 1));
    ++per_client[audit[i].client];
  }
  for (const auto& [client, count] : per_client) {
    EXPECT_EQ(count, kAuditPerThread) << client;
  }
}

// Reads one int64 from fd; false at end of stream.
bool ReadAck(int fd, int64_t* value) {
  size_t got = 0;
  auto* out = reinterpret_cast<char*>(value);
  while (got < sizeof(*value)) {
    ssize_t n = read(fd, out + got, sizeof(*value) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

// A child writes in a loop and reports each acknowledged write; it is killed
// with SIGKILL mid-stream. Every write it reported must be there afterwards.
TEST_P(PersistenceStoreTest, AcknowledgedWritesSurviveKill9) {
  constexpr int64_t kAcksBeforeKill = 150;
  const std::string location = NewLocation();
  {
    // Create the schema up front so the child spends its time writing.
    KMS_ASSERT_OK_AND_ASSIGN(auto setup, OpenAt(location));
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    auto store = OpenAt(location);
    if (!store.ok()) _exit(2);
    for (int64_t i = 1;; ++i) {
      std::string name = "ring-" + std::to_string(i);
      if (!(*store)->CreateKeyRing(MakeRing(name)).ok()) _exit(3);
      AuditRecord record = MakeAudit(i);
      record.key_ring = name;
      if (!(*store)->AppendAudit(record).ok()) _exit(4);
      if (write(fds[1], &i, sizeof(i)) != static_cast<ssize_t>(sizeof(i))) {
        _exit(5);
      }
    }
  }
  close(fds[1]);
  int64_t acked = 0;
  int64_t value = 0;
  while (acked < kAcksBeforeKill && ReadAck(fds[0], &value)) {
    EXPECT_EQ(value, acked + 1);
    acked = value;
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  // Acknowledgements already in the pipe count too.
  while (ReadAck(fds[0], &value)) acked = value;
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(wait_status))
      << "child exited early with status " << WEXITSTATUS(wait_status);
  ASSERT_GE(acked, kAcksBeforeKill);

  KMS_ASSERT_OK_AND_ASSIGN(auto reopened, OpenAt(location));
  for (int64_t i = 1; i <= acked; ++i) {
    KMS_EXPECT_OK(reopened->GetKeyRing("ring-" + std::to_string(i)));
  }
  KMS_ASSERT_OK_AND_ASSIGN(int64_t count, reopened->CountAudit());
  // The write in flight at the kill may or may not have committed.
  EXPECT_GE(count, acked);
  EXPECT_LE(count, acked + 1);
  KMS_ASSERT_OK_AND_ASSIGN(auto audit, reopened->ListAudit(acked - 1, 1));
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].key_ring, "ring-" + std::to_string(acked));
  // The chain continues after recovery.
  KMS_EXPECT_OK(reopened->AppendAudit(MakeAudit(count + 1)));
}

KMS_INSTANTIATE_STORE_TEST(PersistenceStoreTest);

}  // namespace
}  // namespace kms
