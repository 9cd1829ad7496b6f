// Progress on stderr for long work, shown only when stderr is a terminal so
// that logs and pipes stay clean.
#ifndef KMS_SERVER_KMSCTL_PROGRESS_H_
#define KMS_SERVER_KMSCTL_PROGRESS_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace kms::kmsctl {

// A counter rewritten in place: "verifying audit trail: 5000/42000 (11%)".
class ProgressLine {
 public:
  ProgressLine(std::ostream& out, bool enabled, std::string label);
  ~ProgressLine();  // clears the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // total 0 means unknown. Redraws at most every 100 ms.
  void Update(int64_t done, int64_t total);
  void Clear();

 private:
  std::ostream& out_;
  bool enabled_;
  std::string label_;
  bool drawn_ = false;
  size_t last_length_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
};

// For one long blocking call whose progress cannot be known (backup,
// restore): a spinner with elapsed seconds, drawn by a helper thread until
// the object is destroyed.
class Spinner {
 public:
  Spinner(std::ostream& out, bool enabled, std::string label);
  ~Spinner();
  Spinner(const Spinner&) = delete;
  Spinner& operator=(const Spinner&) = delete;

 private:
  void Run();

  std::ostream& out_;
  std::string label_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_PROGRESS_H_
