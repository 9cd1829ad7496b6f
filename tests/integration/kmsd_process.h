// A real kmsd for integration tests: `kmsd dev` in a fresh temporary
// directory on an ephemeral loopback port, SoftHSMv2 as root of trust by
// default. Killable with SIGKILL and restartable on the same directory.
#ifndef KMS_TESTS_INTEGRATION_KMSD_PROCESS_H_
#define KMS_TESTS_INTEGRATION_KMSD_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/api_client.h"
#include "common/status.h"

namespace kms::testing {

class KmsdProcess {
 public:
  // root: "softhsm" or "file".
  // extra_args go to `kmsd dev` as they are (e.g. "--audit-off").
  static Result<std::unique_ptr<KmsdProcess>> Start(
      const std::string& root = "softhsm",
      std::vector<std::string> extra_args = {});
  ~KmsdProcess();

  // SIGTERM and wait (clean shutdown); returns the exit status.
  int Stop();
  // SIGKILL and wait.
  void Kill9();
  // Starts again on the same directory (new port).
  Status Restart();
  // Starts again on the same directory and port, so that clients configured
  // with url() (e.g. the PKCS#11 module) reach it again.
  Status RestartOnSamePort();

  const std::string& data_dir() const { return data_dir_; }
  const std::string& url() const { return env_.at("KMS_URL"); }
  const std::string& env(const std::string& name) const {
    return env_.at(name);
  }

  // Clients with the dev admin / application certificates.
  std::unique_ptr<ApiClient> AdminClient() const;
  std::unique_ptr<ApiClient> AppClient() const;
  // A client with a certificate of our choosing.
  std::unique_ptr<ApiClient> ClientWith(const std::string& cert_file,
                                        const std::string& key_file) const;
  // The app client, logged in to key ring `ring` with the dev PIN.
  Result<std::unique_ptr<ApiClient>> LoggedInApp(
      const std::string& ring = "dev") const;

 private:
  KmsdProcess() = default;
  // listen: "127.0.0.1:0" for an ephemeral port.
  Status Launch(const std::string& listen = "127.0.0.1:0");

  std::string root_;
  std::vector<std::string> extra_args_;
  std::string data_dir_;
  pid_t pid_ = -1;
  std::map<std::string, std::string> env_;
};

// Path of a binary built by this project (bin/NAME under the build dir).
std::string BuiltBinary(const std::string& name);

}  // namespace kms::testing

#endif  // KMS_TESTS_INTEGRATION_KMSD_PROCESS_H_
