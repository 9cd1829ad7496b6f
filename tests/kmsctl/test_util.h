// Running kmsctl in-process with captured output, temporary directories and
// a loopback port nobody listens on.
#ifndef KMS_TESTS_KMSCTL_TEST_UTIL_H_
#define KMS_TESTS_KMSCTL_TEST_UTIL_H_

#include <map>
#include <string>
#include <vector>

namespace kms::kmsctl {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs kmsctl with args (no program name) and only the given environment.
RunResult RunCli(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {},
                 const std::string& stdin_text = "");

// A fresh directory, removed with its contents when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago and has no listener, so
// connecting to it is refused.
int ClosedLoopbackPort();

void WriteTextFile(const std::string& path, const std::string& text);

}  // namespace kms::kmsctl

#endif  // KMS_TESTS_KMSCTL_TEST_UTIL_H_
