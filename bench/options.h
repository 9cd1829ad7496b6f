// kms-bench's command line.
#ifndef KMS_BENCH_OPTIONS_H_
#define KMS_BENCH_OPTIONS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "bench/operations.h"
#include "common/status.h"

namespace kms::bench {

struct Options {
  std::string engine;  // "pkcs11" or "openssl"
  std::string module_path;
  std::string token_label;
  std::string pin;
  std::string label_prefix = "bench";
  std::string existing_keys;
  // --engine http: kmsd's API at $KMS_URL with $KMS_CA_FILE,
  // $KMS_CLIENT_CERT and $KMS_CLIENT_KEY (the env file of `kmsd dev`).
  std::string key_ring;
  int create_keys = 0;  // > 0: only create this many EC P-256 keys
  std::vector<OpSpec> ops;
  std::vector<int> threads = {1, 2};
  double warmup_seconds = 1.0;
  double duration_seconds = 5.0;
  pid_t server_pid = 0;
  std::string json_path;
  std::string tsv_path;
  bool list_slots = false;
  bool list_ops = false;
  bool help = false;
};

// Parses the arguments after the program name; --pin-env is resolved from
// the environment here. kInvalidArgument with a message for the user.
Result<Options> ParseOptions(const std::vector<std::string>& args);

std::string Usage();

}  // namespace kms::bench

#endif  // KMS_BENCH_OPTIONS_H_
