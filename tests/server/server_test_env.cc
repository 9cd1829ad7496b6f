#include "tests/server/server_test_env.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace kms::testing {

ServerTestEnv::ServerTestEnv() {
  char tmpl[] = "/tmp/kms-server-test-XXXXXX";
  dir_ = mkdtemp(tmpl);
  auto root = OpenFileRootOfTrust(dir_ + "/root.key", true);
  EXPECT_TRUE(root.ok()) << root.status().ToString();
  root_ = std::move(root).value();
  ReopenStore();
}

void ServerTestEnv::ReopenStore() {
  store_.reset();
  auto store = OpenSqliteStore(db_path());
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(store).value();
}

ServerTestEnv::~ServerTestEnv() {
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace kms::testing
