// A log-linear latency histogram: exact below 128 ns, then 64 buckets per
// power of two (relative error under 1/64), so that recording is one
// increment and percentiles of millions of samples cost nothing to keep.
#ifndef KMS_BENCH_LATENCY_HISTOGRAM_H_
#define KMS_BENCH_LATENCY_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kms::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void Record(uint64_t nanos);
  // Adds another histogram's samples (threads record separately).
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t min_nanos() const { return count_ == 0 ? 0 : min_; }
  uint64_t max_nanos() const { return max_; }
  double mean_nanos() const;
  // The value at percentile p (0 < p <= 100): the smallest recorded value
  // with at least p% of the samples at or below it, to within the bucket
  // width; never outside [min, max]. 0 when empty.
  uint64_t PercentileNanos(double p) const;

  // Bucket arithmetic, exposed for the tests.
  static size_t BucketOf(uint64_t nanos);
  static uint64_t BucketLow(size_t bucket);
  static uint64_t BucketHigh(size_t bucket);  // inclusive

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace kms::bench

#endif  // KMS_BENCH_LATENCY_HISTOGRAM_H_
