#include "bench/latency_histogram.h"

#include <cstdint>
#include <random>

#include "gtest/gtest.h"

namespace kms::bench {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.PercentileNanos(50), 0u);
  EXPECT_EQ(h.PercentileNanos(99), 0u);
  EXPECT_EQ(h.max_nanos(), 0u);
  EXPECT_EQ(h.min_nanos(), 0u);
  EXPECT_EQ(h.mean_nanos(), 0.0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  for (uint64_t v = 0; v < 128; ++v) {
    EXPECT_EQ(LatencyHistogram::BucketOf(v), v);
    EXPECT_EQ(LatencyHistogram::BucketLow(v), v);
    EXPECT_EQ(LatencyHistogram::BucketHigh(v), v);
  }
}

TEST(LatencyHistogramTest, BucketsCoverValuesWithSmallRelativeError) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    uint64_t v = rng() >> (rng() % 64);
    size_t b = LatencyHistogram::BucketOf(v);
    uint64_t low = LatencyHistogram::BucketLow(b);
    uint64_t high = LatencyHistogram::BucketHigh(b);
    ASSERT_LE(low, v);
    ASSERT_GE(high, v);
    ASSERT_LE(static_cast<double>(high - low), static_cast<double>(low) / 64.0)
        << v;
  }
  // Largest value lands in the last bucket, and buckets are contiguous.
  size_t last = LatencyHistogram::BucketOf(UINT64_MAX);
  EXPECT_EQ(LatencyHistogram::BucketHigh(last), UINT64_MAX);
  for (size_t b = 1; b <= last; ++b) {
    ASSERT_EQ(LatencyHistogram::BucketLow(b),
              LatencyHistogram::BucketHigh(b - 1) + 1)
        << b;
  }
}

TEST(LatencyHistogramTest, PercentilesOfUniformMicroseconds) {
  LatencyHistogram h;
  for (uint64_t us = 1; us <= 1000; ++us) h.Record(us * 1000);
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.min_nanos(), 1000u);
  EXPECT_EQ(h.max_nanos(), 1000000u);
  EXPECT_NEAR(h.mean_nanos(), 500500.0, 1e-6);
  // Within the bucket width (1/64) of the exact rank.
  EXPECT_NEAR(static_cast<double>(h.PercentileNanos(50)), 500000.0,
              500000.0 / 64);
  EXPECT_NEAR(static_cast<double>(h.PercentileNanos(90)), 900000.0,
              900000.0 / 64);
  EXPECT_NEAR(static_cast<double>(h.PercentileNanos(99)), 990000.0,
              990000.0 / 64);
  EXPECT_EQ(h.PercentileNanos(100), 1000000u);
  EXPECT_LE(h.PercentileNanos(99.9), h.max_nanos());
}

TEST(LatencyHistogramTest, PercentileNeverLeavesRecordedRange) {
  LatencyHistogram h;
  h.Record(1000003);
  EXPECT_EQ(h.PercentileNanos(1), 1000003u);
  EXPECT_EQ(h.PercentileNanos(50), 1000003u);
  EXPECT_EQ(h.PercentileNanos(100), 1000003u);
}

TEST(LatencyHistogramTest, TailIsSeparatedFromTheBody) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i) h.Record(100000);   // 100 µs
  for (int i = 0; i < 10; ++i) h.Record(50000000);  // 50 ms
  EXPECT_NEAR(static_cast<double>(h.PercentileNanos(50)), 100000.0,
              100000.0 / 64);
  EXPECT_NEAR(static_cast<double>(h.PercentileNanos(99)), 100000.0,
              100000.0 / 64);
  EXPECT_NEAR(static_cast<double>(h.PercentileNanos(99.5)), 5e7, 5e7 / 64);
  EXPECT_EQ(h.max_nanos(), 50000000u);
}

TEST(LatencyHistogramTest, MergeAddsCountsAndExtremes) {
  LatencyHistogram a;
  LatencyHistogram b;
  for (int i = 0; i < 100; ++i) a.Record(10);
  for (int i = 0; i < 300; ++i) b.Record(20);
  b.Record(5);
  a.Merge(b);
  EXPECT_EQ(a.count(), 401u);
  EXPECT_EQ(a.min_nanos(), 5u);
  EXPECT_EQ(a.max_nanos(), 20u);
  EXPECT_EQ(a.PercentileNanos(20), 10u);
  EXPECT_EQ(a.PercentileNanos(50), 20u);
  LatencyHistogram empty;
  a.Merge(empty);
  EXPECT_EQ(a.count(), 401u);
  EXPECT_EQ(a.min_nanos(), 5u);
}

}  // namespace
}  // namespace kms::bench
