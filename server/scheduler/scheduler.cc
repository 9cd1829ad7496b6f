#include "server/scheduler/scheduler.h"

#include "common/api_client.h"
#include "common/logging.h"
#include "common/time_util.h"

namespace kms {
namespace {

constexpr char kSchedulerClient[] = "kmsd-scheduler";
constexpr int64_t kExpiredTokenGraceMs = 3600 * 1000;

void AuditAction(ServerContext& ctx, const std::string& operation,
                 const std::string& key_ring, const std::string& key_id,
                 int version, const Status& status) {
  AuditEvent event;
  event.request_id = NewRequestId();
  event.client = kSchedulerClient;
  event.operation = operation;
  event.key_ring = key_ring;
  event.key_id = key_id;
  event.version = version;
  event.result = status.ok() ? "OK" : std::string(ErrorCodeName(status.code()));
  event.detail = status.ok() ? "" : status.message();
  Status written = ctx.audit->Append(event);
  if (!written.ok()) {
    KMS_LOG(kError) << "scheduler: audit write failed: " << written.ToString();
  }
}

}  // namespace

void Scheduler::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    RunOnce();
    lock.lock();
    wake_.wait_for(lock, std::chrono::seconds(interval_seconds_),
                   [this] { return stopping_; });
  }
}

int Scheduler::RunOnce() {
  ServerContext& ctx = context_;
  int64_t now = NowMillis();
  int actions = 0;
  auto due_keys = ctx.store->KeysDueForRotation(now);
  if (!due_keys.ok()) {
    KMS_LOG(kError) << "scheduler: " << due_keys.status().ToString();
  } else {
    for (const auto& key : *due_keys) {
      auto rotated = ctx.keys->Rotate(key.key_ring, key.id);
      AuditAction(ctx, "scheduled-rotate", key.key_ring, key.id,
                  rotated.ok() ? rotated->primary_version : 0,
                  rotated.status());
      ++actions;
    }
  }
  auto due_versions = ctx.store->VersionsDueForDestruction(now);
  if (!due_versions.ok()) {
    KMS_LOG(kError) << "scheduler: " << due_versions.status().ToString();
  } else {
    for (const auto& version : *due_versions) {
      Status erased = ctx.keys->CompleteDestruction(version, now);
      if (erased.code() == ErrorCode::kFailedPrecondition) continue;
      AuditAction(ctx, "scheduled-destroy", version.key_ring, version.key_id,
                  version.version, erased);
      ++actions;
    }
  }
  // Expired tokens are kept a while so that a client presenting one is told
  // TOKEN_EXPIRED (renew or log in again) rather than TOKEN_INVALID.
  Status cleaned = ctx.store->DeleteExpiredTokens(now - kExpiredTokenGraceMs);
  if (!cleaned.ok()) {
    KMS_LOG(kWarning) << "scheduler: " << cleaned.ToString();
  }
  return actions;
}

}  // namespace kms
