#include "module/objects/pkey_context_pool.h"

#include <utility>

namespace kms::p11 {

PkeyContextPool::Lease::~Lease() {
  if (pool_ != nullptr && ctx_ != nullptr && reusable_) {
    pool_->Give(std::move(config_), std::move(ctx_));
  }
}

PkeyContextPool::Lease PkeyContextPool::Take(
    const std::string& config,
    const std::function<bool(EVP_PKEY_CTX*)>& setup) {
  Lease lease;
  lease.pool_ = this;
  lease.config_ = config;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(config);
    if (it != free_.end() && !it->second.empty()) {
      lease.ctx_ = std::move(it->second.back());
      it->second.pop_back();
      return lease;
    }
  }
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_, nullptr));
  if (ctx == nullptr || !setup(ctx.get())) return Lease();
  lease.ctx_ = std::move(ctx);
  return lease;
}

void PkeyContextPool::Give(std::string config, EvpPkeyCtxPtr ctx) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& contexts = free_[std::move(config)];
  if (contexts.size() < kMaxFreePerConfig) contexts.push_back(std::move(ctx));
}

}  // namespace kms::p11
