#include "bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace kms::bench {
namespace {

constexpr int kSubBits = 6;  // 64 buckets per octave
constexpr uint64_t kExact = uint64_t{1} << (kSubBits + 1);  // 128
constexpr size_t kSub = size_t{1} << kSubBits;
// Octaves with msb 7..63, 64 buckets each, after the exact ones.
constexpr size_t kBuckets = kExact + (64 - (kSubBits + 1)) * kSub;

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

size_t LatencyHistogram::BucketOf(uint64_t nanos) {
  if (nanos < kExact) return static_cast<size_t>(nanos);
  int msb = 63 - std::countl_zero(nanos);
  int shift = msb - kSubBits;          // >= 1
  uint64_t mantissa = nanos >> shift;  // in [64, 128)
  return kExact + static_cast<size_t>(shift - 1) * kSub +
         static_cast<size_t>(mantissa - kSub);
}

uint64_t LatencyHistogram::BucketLow(size_t bucket) {
  if (bucket < kExact) return bucket;
  size_t rel = bucket - kExact;
  int shift = static_cast<int>(rel / kSub) + 1;
  uint64_t mantissa = kSub + rel % kSub;
  return mantissa << shift;
}

uint64_t LatencyHistogram::BucketHigh(size_t bucket) {
  if (bucket < kExact) return bucket;
  size_t rel = bucket - kExact;
  int shift = static_cast<int>(rel / kSub) + 1;
  return BucketLow(bucket) + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::Record(uint64_t nanos) {
  ++buckets_[BucketOf(nanos)];
  ++count_;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
  sum_ += static_cast<long double>(nanos);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double LatencyHistogram::mean_nanos() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_);
}

uint64_t LatencyHistogram::PercentileNanos(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  uint64_t rank =
      static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      // The middle of the bucket, kept within what was recorded.
      uint64_t low = BucketLow(i);
      uint64_t mid = low + (BucketHigh(i) - low) / 2;
      return std::clamp(mid, min_nanos(), max_);
    }
  }
  return max_;
}

}  // namespace kms::bench
