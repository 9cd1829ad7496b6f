// kmsd's background work: scheduled rotation, erasure of versions whose
// destruction waiting period has passed, and expired-token clean-up. Each
// action is audited as the client "kmsd-scheduler".
#ifndef KMS_SERVER_SCHEDULER_SCHEDULER_H_
#define KMS_SERVER_SCHEDULER_SCHEDULER_H_

#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/api/server_context.h"

namespace kms {

class Scheduler {
 public:
  Scheduler(ServerContext& context, int interval_seconds)
      : context_(context), interval_seconds_(interval_seconds) {}
  ~Scheduler() { Stop(); }

  void Start();
  void Stop();
  // One pass over due work; returns the number of actions taken.
  int RunOnce();

 private:
  void Loop();

  ServerContext& context_;
  int interval_seconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kms

#endif  // KMS_SERVER_SCHEDULER_SCHEDULER_H_
