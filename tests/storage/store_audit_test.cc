#include <gmock/gmock.h>

#include "tests/storage/store_test_fixture.h"

namespace kms {
namespace {

using ::testing::HasSubstr;

class AuditStoreTest : public StoreTest {};

TEST_P(AuditStoreTest, EmptyTrail) {
  KMS_ASSERT_OK_AND_ASSIGN(auto last, store_->LastAudit());
  EXPECT_FALSE(last.has_value());
  KMS_ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountAudit());
  EXPECT_EQ(count, 0);
  KMS_ASSERT_OK_AND_ASSIGN(auto records, store_->ListAudit(0, 10));
  EXPECT_TRUE(records.empty());
}

TEST_P(AuditStoreTest, AppendInOrderRoundTrips) {
  for (int64_t seq = 1; seq <= 3; ++seq) {
    KMS_ASSERT_OK(store_->AppendAudit(MakeAudit(seq)));
  }
  KMS_ASSERT_OK_AND_ASSIGN(auto last, store_->LastAudit());
  ASSERT_TRUE(last.has_value());
  ExpectSameAudit(MakeAudit(3), *last);
  KMS_ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountAudit());
  EXPECT_EQ(count, 3);
  KMS_ASSERT_OK_AND_ASSIGN(auto records, store_->ListAudit(0, 100));
  ASSERT_EQ(records.size(), 3u);
  for (int i = 0; i < 3; ++i) ExpectSameAudit(MakeAudit(i + 1), records[i]);
}

TEST_P(AuditStoreTest, WrongSeqIsRefused) {
  // The first record must be 1.
  Status first = store_->AppendAudit(MakeAudit(2));
  EXPECT_EQ(first.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store_->AppendAudit(MakeAudit(0)).code(),
            ErrorCode::kFailedPrecondition);
  KMS_ASSERT_OK(store_->AppendAudit(MakeAudit(1)));
  KMS_ASSERT_OK(store_->AppendAudit(MakeAudit(2)));
  // A replay (fork) and a gap are both refused.
  Status fork = store_->AppendAudit(MakeAudit(2));
  EXPECT_EQ(fork.code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(fork.message(), HasSubstr("2"));
  EXPECT_EQ(store_->AppendAudit(MakeAudit(4)).code(),
            ErrorCode::kFailedPrecondition);
  KMS_ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountAudit());
  EXPECT_EQ(count, 2);
  KMS_ASSERT_OK_AND_ASSIGN(auto last, store_->LastAudit());
  ExpectSameAudit(MakeAudit(2), *last);
}

TEST_P(AuditStoreTest, BatchAppendsAll) {
  KMS_ASSERT_OK(store_->AppendAudit(MakeAudit(1)));
  KMS_ASSERT_OK(
      store_->AppendAuditBatch({MakeAudit(2), MakeAudit(3), MakeAudit(4)}));
  KMS_ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountAudit());
  EXPECT_EQ(count, 4);
  KMS_EXPECT_OK(store_->AppendAuditBatch({}));
}

TEST_P(AuditStoreTest, BatchIsAtomic) {
  KMS_ASSERT_OK(store_->AppendAudit(MakeAudit(1)));
  // Third record breaks the sequence: none of the batch may be written.
  Status status =
      store_->AppendAuditBatch({MakeAudit(2), MakeAudit(3), MakeAudit(5)});
  EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
  KMS_ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountAudit());
  EXPECT_EQ(count, 1);
  KMS_ASSERT_OK_AND_ASSIGN(auto last, store_->LastAudit());
  EXPECT_EQ(last->seq, 1);
  // The chain continues from where it was.
  KMS_EXPECT_OK(store_->AppendAuditBatch({MakeAudit(2), MakeAudit(3)}));
}

TEST_P(AuditStoreTest, ListPages) {
  std::vector<AuditRecord> batch;
  for (int64_t seq = 1; seq <= 10; ++seq) batch.push_back(MakeAudit(seq));
  KMS_ASSERT_OK(store_->AppendAuditBatch(batch));
  KMS_ASSERT_OK_AND_ASSIGN(auto page, store_->ListAudit(3, 4));
  ASSERT_EQ(page.size(), 4u);
  EXPECT_EQ(page.front().seq, 4);
  EXPECT_EQ(page.back().seq, 7);
  KMS_ASSERT_OK_AND_ASSIGN(auto tail, store_->ListAudit(8, 100));
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail.back().seq, 10);
  KMS_ASSERT_OK_AND_ASSIGN(auto past, store_->ListAudit(10, 100));
  EXPECT_TRUE(past.empty());
  EXPECT_EQ(store_->ListAudit(0, 0).status().code(),
            ErrorCode::kInvalidArgument);
}

KMS_INSTANTIATE_STORE_TEST(AuditStoreTest);

}  // namespace
}  // namespace kms
