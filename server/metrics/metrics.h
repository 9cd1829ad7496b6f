// Request counters and latency histograms, rendered in the Prometheus text
// format.
#ifndef KMS_SERVER_METRICS_METRICS_H_
#define KMS_SERVER_METRICS_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace kms {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  void Record(const std::string& operation, const std::string& result,
              double seconds);
  // Appends the request metrics to out.
  void Render(std::string& out) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace kms

#endif  // KMS_SERVER_METRICS_METRICS_H_
