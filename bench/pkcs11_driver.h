// The engine that drives a PKCS#11 module like an application does: the
// module loaded once, each thread with its own logged-in session, keys
// created in the token for the run (or found by label) and destroyed after.
#ifndef KMS_BENCH_PKCS11_DRIVER_H_
#define KMS_BENCH_PKCS11_DRIVER_H_

#include <memory>
#include <string>

#include "bench/engine.h"
#include "bench/pkcs11_library.h"

namespace kms::bench {

struct Pkcs11Options {
  std::string module_path;
  std::string token_label;
  std::string pin;
  // Prefix of generated key labels: "<prefix>-<op>-<random>".
  std::string label_prefix = "bench";
  // Non-empty: use existing keys labelled "<existing>-<key type>" (e.g.
  // "bench-rsa2048", "bench-aes256") instead of generating keys, for tokens
  // that cannot generate keys through PKCS#11. Such keys are not destroyed.
  std::string existing_keys;
};

// Loads and initialises the module and finds the token's slot.
Result<std::unique_ptr<Engine>> NewPkcs11Engine(const Pkcs11Options& options);

}  // namespace kms::bench

#endif  // KMS_BENCH_PKCS11_DRIVER_H_
