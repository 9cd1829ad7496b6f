#include "common/secure_memory.h"

#include <openssl/crypto.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>

#include "common/locked_arena.h"

namespace kms {
namespace {

// mlock works on whole pages, and several secure blocks share a page, so a
// page stays locked while any block on it lives: unlocking it with the first
// block released would expose the others. Counting also spares the mlock and
// munlock system calls for every block after the first on a page.
class LockedPages {
 public:
  void Lock(const void* p, size_t bytes) {
    const auto [first, last] = Span(p, bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    uintptr_t run_start = 0;
    for (uintptr_t page = first; page <= last; page += page_size_) {
      const bool newly_locked = counts_[page]++ == 0;
      if (newly_locked && run_start == 0) run_start = page;
      if (!newly_locked && run_start != 0) {
        LockRun(run_start, page);
        run_start = 0;
      }
    }
    if (run_start != 0) LockRun(run_start, last + page_size_);
  }

  void Unlock(const void* p, size_t bytes) {
    const auto [first, last] = Span(p, bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    uintptr_t run_start = 0;
    for (uintptr_t page = first; page <= last; page += page_size_) {
      auto it = counts_.find(page);
      const bool released = it != counts_.end() && --it->second == 0;
      if (released) counts_.erase(it);
      if (released && run_start == 0) run_start = page;
      if (!released && run_start != 0) {
        UnlockRun(run_start, page);
        run_start = 0;
      }
    }
    if (run_start != 0) UnlockRun(run_start, last + page_size_);
  }

 private:
  std::pair<uintptr_t, uintptr_t> Span(const void* p, size_t bytes) const {
    const uintptr_t start = reinterpret_cast<uintptr_t>(p);
    const uintptr_t mask = ~(page_size_ - 1);
    return {start & mask, (start + bytes - 1) & mask};
  }
  // Best effort: without CAP_IPC_LOCK the limit may be small; memory is
  // still wiped on release.
  static void LockRun(uintptr_t begin, uintptr_t end) {
    (void)mlock(reinterpret_cast<void*>(begin), end - begin);
  }
  static void UnlockRun(uintptr_t begin, uintptr_t end) {
    (void)munlock(reinterpret_cast<void*>(begin), end - begin);
  }

  const uintptr_t page_size_ = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  std::mutex mutex_;
  std::unordered_map<uintptr_t, size_t> counts_;
};

LockedPages& Pages() {
  // Never destroyed: secure blocks in static objects are released after
  // every destructor of this file could have run.
  static auto* pages = new LockedPages();
  return *pages;
}

}  // namespace

void SecureWipe(void* data, size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

// OpenSSL's secure heap, which kmsd sets up, is left to OpenSSL: its private
// key arithmetic fails when that heap is full, and request bodies of several
// megabytes could fill it.
void* SecureAllocate(size_t bytes) {
  if (bytes == 0) bytes = 1;
  if (void* p = LockedArenaAllocate(bytes)) return p;
  void* p = std::calloc(1, bytes);
  if (p == nullptr) throw std::bad_alloc();
  Pages().Lock(p, bytes);
  return p;
}

void SecureDeallocate(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (bytes == 0) bytes = 1;
  SecureWipe(p, bytes);
  if (bytes <= kLockedArenaMaxBlock && LockedArenaOwns(p)) {
    LockedArenaFree(p, bytes);
    return;
  }
  Pages().Unlock(p, bytes);
  std::free(p);
}

bool ConstantTimeEquals(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace kms
