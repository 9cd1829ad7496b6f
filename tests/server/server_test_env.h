// A real SQLite store and file root of trust in a temporary directory.
#ifndef KMS_TESTS_SERVER_SERVER_TEST_ENV_H_
#define KMS_TESTS_SERVER_SERVER_TEST_ENV_H_

#include <memory>
#include <string>

#include "server/root_of_trust/root_of_trust.h"
#include "server/storage/store.h"

namespace kms::testing {

class ServerTestEnv {
 public:
  ServerTestEnv();
  ~ServerTestEnv();
  Store& store() { return *store_; }
  RootOfTrust& root() { return *root_; }
  const std::string& dir() const { return dir_; }
  std::string db_path() const { return dir_ + "/kms.db"; }
  // Closes and reopens the store (e.g. after editing the file directly).
  void ReopenStore();
  void CloseStore() { store_.reset(); }

 private:
  std::string dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RootOfTrust> root_;
};

}  // namespace kms::testing

#endif  // KMS_TESTS_SERVER_SERVER_TEST_ENV_H_
