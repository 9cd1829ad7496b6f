// The reference engine: the same operations directly against OpenSSL EVP in
// this process, with keys in memory. Its figures are the limit of this
// machine that the other engines are compared with.
#ifndef KMS_BENCH_OPENSSL_DRIVER_H_
#define KMS_BENCH_OPENSSL_DRIVER_H_

#include <memory>

#include "bench/engine.h"

namespace kms::bench {

std::unique_ptr<Engine> NewOpenSslEngine();

}  // namespace kms::bench

#endif  // KMS_BENCH_OPENSSL_DRIVER_H_
