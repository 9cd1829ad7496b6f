#include "server/kmsctl/progress.h"

namespace kms::kmsctl {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr auto kSpinInterval = std::chrono::milliseconds(200);

}  // namespace

ProgressLine::ProgressLine(std::ostream& out, bool enabled, std::string label)
    : out_(out), enabled_(enabled), label_(std::move(label)) {}

ProgressLine::~ProgressLine() { Clear(); }

void ProgressLine::Update(int64_t done, int64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  bool finished = total > 0 && done >= total;
  if (drawn_ && !finished && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  std::string text = label_ + ": " + std::to_string(done);
  if (total > 0) {
    int64_t percent = done >= total ? 100 : done * 100 / total;
    text += "/" + std::to_string(total) + " (" + std::to_string(percent) + "%)";
  }
  size_t length = text.size();
  // Pads over the remains of a longer previous line.
  if (length < last_length_) text.append(last_length_ - length, ' ');
  out_ << '\r' << text << std::flush;
  last_length_ = length;
  drawn_ = true;
}

void ProgressLine::Clear() {
  if (!drawn_) return;
  out_ << '\r' << std::string(last_length_, ' ') << '\r' << std::flush;
  drawn_ = false;
  last_length_ = 0;
}

Spinner::Spinner(std::ostream& out, bool enabled, std::string label)
    : out_(out), label_(std::move(label)) {
  if (enabled) thread_ = std::thread([this] { Run(); });
}

Spinner::~Spinner() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Spinner::Run() {
  static constexpr char kFrames[] = {'|', '/', '-', '\\'};
  auto start = std::chrono::steady_clock::now();
  size_t frame = 0;
  size_t length = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    std::string text = label_ + " " + kFrames[frame++ % sizeof(kFrames)] + " " +
                       std::to_string(elapsed) + "s";
    length = text.size();
    out_ << '\r' << text << std::flush;
    cv_.wait_for(lock, kSpinInterval, [this] { return stop_; });
  }
  out_ << '\r' << std::string(length, ' ') << '\r' << std::flush;
}

}  // namespace kms::kmsctl
