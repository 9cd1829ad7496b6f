// The http engine: kmsd's JSON API driven directly with libcurl (keep-alive,
// one connection per thread, one login shared by the threads), to measure
// the server's own throughput without the PKCS#11 module in between.
#ifndef KMS_BENCH_HTTP_DRIVER_H_
#define KMS_BENCH_HTTP_DRIVER_H_

#include <memory>
#include <string>

#include "bench/engine.h"
#include "common/https_client.h"
#include "common/status.h"

namespace kms::bench {

struct HttpOptions {
  std::string url;       // https://127.0.0.1:PORT
  TlsClientConfig tls;   // CA, client certificate and key
  std::string key_ring;  // logged in with pin
  std::string pin;
  // Keys are found by label: PREFIX-rsa2048, PREFIX-ec-p256, ... (as
  // --existing-keys for modules); without it, each operation creates its key.
  std::string existing_keys;
  std::string label_prefix = "bench";
};

// Logs in; kUnauthenticated etc. from the server.
Result<std::unique_ptr<Engine>> NewHttpEngine(const HttpOptions& options);

struct KeyCreationResult {
  int created = 0;
  int errors = 0;
  double seconds = 0;
  std::string first_error;
};

// Creates `count` EC P-256 keys labelled PREFIX-<n> with `threads` threads
// (the scale benchmark's key ring).
Result<KeyCreationResult> CreateEcKeys(const HttpOptions& options, int count,
                                       int threads);

}  // namespace kms::bench

#endif  // KMS_BENCH_HTTP_DRIVER_H_
