// PkeyContextPool on its own (compiled into the test, not through the
// module's C API).
#include "module/objects/pkey_context_pool.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>

namespace kms::p11 {
namespace {

class PkeyContextPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_.reset(EVP_EC_gen("P-256"));
    ASSERT_NE(key_, nullptr);
    pool_ = std::make_unique<PkeyContextPool>(key_.get());
  }

  PkeyContextPool::Lease TakeVerify(const char* config) {
    return pool_->Take(config, [this](EVP_PKEY_CTX* ctx) {
      ++setups_;
      return EVP_PKEY_verify_init(ctx) == 1;
    });
  }

  EvpPkeyPtr key_;
  std::unique_ptr<PkeyContextPool> pool_;
  int setups_ = 0;
};

TEST_F(PkeyContextPoolTest, ReusableContextsComeBackForTheSameConfig) {
  EVP_PKEY_CTX* first = nullptr;
  {
    PkeyContextPool::Lease lease = TakeVerify("verify ECDSA");
    ASSERT_TRUE(lease);
    first = lease.get();
    lease.Reusable();
  }
  {
    PkeyContextPool::Lease again = TakeVerify("verify ECDSA");
    EXPECT_EQ(again.get(), first);
    // Meanwhile a second user gets a context of its own.
    PkeyContextPool::Lease other = TakeVerify("verify ECDSA");
    EXPECT_NE(other.get(), first);
    EXPECT_EQ(setups_, 2);
    // Another configuration never gets this one.
    PkeyContextPool::Lease rsa = TakeVerify("verify RSA_PKCS1 SHA256");
    EXPECT_NE(rsa.get(), first);
    EXPECT_EQ(setups_, 3);
  }
}

TEST_F(PkeyContextPoolTest, ContextNotMarkedReusableIsNotKept) {
  { PkeyContextPool::Lease lease = TakeVerify("verify ECDSA"); }
  { PkeyContextPool::Lease lease = TakeVerify("verify ECDSA"); }
  EXPECT_EQ(setups_, 2);
}

TEST_F(PkeyContextPoolTest, FailedSetUpGivesAnEmptyLease) {
  PkeyContextPool::Lease lease =
      pool_->Take("broken", [](EVP_PKEY_CTX*) { return false; });
  EXPECT_FALSE(lease);
  EXPECT_EQ(lease.get(), nullptr);
}

}  // namespace
}  // namespace kms::p11
