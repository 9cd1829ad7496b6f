#include "server/metrics/metrics.h"

#include <cstdio>

namespace kms {
namespace {

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

}  // namespace

void Metrics::Record(const std::string& operation, const std::string& result,
                     double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{operation, result}];
  Histogram& h = latency_[operation];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::Render(std::string& out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  out += "# HELP kms_requests_total Requests by operation and result.\n";
  out += "# TYPE kms_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out += "kms_requests_total{operation=\"" + key.first + "\",result=\"" +
           key.second + "\"} " + std::to_string(count) + "\n";
  }
  out += "# HELP kms_request_duration_seconds Request latency by operation.\n";
  out += "# TYPE kms_request_duration_seconds histogram\n";
  for (const auto& [operation, h] : latency_) {
    std::string label = "operation=\"" + operation + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += "kms_request_duration_seconds_bucket{" + label + ",le=\"" +
             Number(kBuckets[i]) + "\"} " + std::to_string(h.buckets[i]) +
             "\n";
    }
    out += "kms_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "kms_request_duration_seconds_sum{" + label + "} " + Number(h.sum) +
           "\n";
    out += "kms_request_duration_seconds_count{" + label + "} " +
           std::to_string(h.count) + "\n";
  }
}

}  // namespace kms
