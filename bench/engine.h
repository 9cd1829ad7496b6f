// What the runner needs from a backend (a PKCS#11 module or OpenSSL
// in-process): per operation a fixture owning the keys, per thread a worker
// owning its session and buffers.
#ifndef KMS_BENCH_ENGINE_H_
#define KMS_BENCH_ENGINE_H_

#include <memory>
#include <string>

#include "bench/operations.h"
#include "common/status.h"

namespace kms::bench {

// One thread's state for one operation. Run() and Check() are called from
// that thread only.
class Worker {
 public:
  virtual ~Worker() = default;
  // Performs the operation once. A failure is an error, not an operation.
  virtual Status Run() = 0;
  // Checks the result of the last successful Run() independently (with
  // OpenSSL, or back through the token); called once per worker, outside
  // the timed window.
  virtual Status Check() = 0;
};

// The keys of one operation; destroys what it created when destroyed.
// Workers must be destroyed before their fixture.
class OpFixture {
 public:
  virtual ~OpFixture() = default;
  virtual Result<std::unique_ptr<Worker>> NewWorker(int index) = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;    // "pkcs11" or "openssl"
  virtual std::string module() const = 0;  // module path, or "" for openssl
  // kUnsupportedAlgorithm when the engine cannot do the operation at all
  // (reported as skipped); any other error fails the operation.
  virtual Result<std::unique_ptr<OpFixture>> Prepare(const OpSpec& op) = 0;
};

}  // namespace kms::bench

#endif  // KMS_BENCH_ENGINE_H_
