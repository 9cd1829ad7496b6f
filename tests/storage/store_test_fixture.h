// A value-parameterised fixture over storage backends: every TEST_P written
// against StoreTest (or a subclass) runs once per backend in
// AllStoreBackends(). A new backend (PostgreSQL) joins every suite by adding
// one entry there.
#ifndef KMS_TESTS_STORAGE_STORE_TEST_FIXTURE_H_
#define KMS_TESTS_STORAGE_STORE_TEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "server/storage/records.h"
#include "server/storage/store.h"

namespace kms {

inline void PrintTo(ErrorCode code, std::ostream* os) {
  *os << ErrorCodeName(code);
}

inline void PrintTo(VersionState state, std::ostream* os) {
  *os << VersionStateName(state);
}

struct StoreBackend {
  std::string name;
  // Opens (creating if needed) the store kept at location, a directory the
  // test owns. Opening the same location again sees the same data; it must
  // also work in a forked child process.
  std::function<Result<std::unique_ptr<Store>>(const std::string& location)>
      open;
};

inline void PrintTo(const StoreBackend& backend, std::ostream* os) {
  *os << backend.name;
}

std::vector<StoreBackend> AllStoreBackends();

class StoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A fresh, empty location for a second store.
  std::string NewLocation();
  Result<std::unique_ptr<Store>> OpenAt(const std::string& location) {
    return GetParam().open(location);
  }
  // Closes store_ and opens the same location again.
  void Reopen();

  std::string root_;      // removed after the test
  std::string location_;  // where store_ lives
  std::unique_ptr<Store> store_;

 private:
  int locations_ = 0;
};

#define KMS_INSTANTIATE_STORE_TEST(suite)                       \
  INSTANTIATE_TEST_SUITE_P(                                     \
      Backends, suite, ::testing::ValuesIn(AllStoreBackends()), \
      [](const ::testing::TestParamInfo<StoreBackend>& info) {  \
        return info.param.name;                                 \
      })

inline const Status& StatusOf(const Status& status) { return status; }
template <typename T>
const Status& StatusOf(const Result<T>& result) {
  return result.status();
}

#define KMS_ASSERT_OK(expr)                                           \
  do {                                                                \
    const auto& kms_checked_ = (expr);                                \
    ASSERT_TRUE(::kms::StatusOf(kms_checked_).ok())                   \
        << #expr << ": " << ::kms::StatusOf(kms_checked_).ToString(); \
  } while (0)

#define KMS_EXPECT_OK(expr)                                           \
  do {                                                                \
    const auto& kms_checked_ = (expr);                                \
    EXPECT_TRUE(::kms::StatusOf(kms_checked_).ok())                   \
        << #expr << ": " << ::kms::StatusOf(kms_checked_).ToString(); \
  } while (0)

#define KMS_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)               \
  auto tmp = (expr);                                                 \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

#define KMS_ASSERT_OK_AND_ASSIGN(lhs, expr)                                 \
  KMS_ASSERT_OK_AND_ASSIGN_IMPL_(KMS_CONCAT_(kms_assigned_, __LINE__), lhs, \
                                 expr)

// Record builders with every field set to something non-default, so that
// round trips catch a column that is not stored.
KeyRingRecord MakeRing(const std::string& name);
KeyRecord MakeKey(const std::string& key_ring, const std::string& id,
                  const std::string& label = "label");
KeyVersionRecord MakeVersion(const std::string& key_ring,
                             const std::string& key_id, int version);
ObjectRecord MakeObject(const std::string& key_ring, const std::string& id);
ClientRecord MakeClient(const std::string& name,
                        const std::string& fingerprint = "",
                        const std::string& subject = "");
AuditRecord MakeAudit(int64_t seq);

// Field-by-field equality, so failures name the field that differs.
void ExpectSameKey(const KeyRecord& expected, const KeyRecord& actual);
void ExpectSameVersion(const KeyVersionRecord& expected,
                       const KeyVersionRecord& actual);
void ExpectSameAudit(const AuditRecord& expected, const AuditRecord& actual);

}  // namespace kms

#endif  // KMS_TESTS_STORAGE_STORE_TEST_FIXTURE_H_
