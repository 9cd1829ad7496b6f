#include "common/locked_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <vector>

namespace kms {
namespace {

constexpr size_t kMinBlock = 32;
constexpr size_t kSlabBytes = size_t{64} << 10;
// 32, 64, ..., kLockedArenaMaxBlock.
constexpr size_t kClasses =
    std::countr_zero(kLockedArenaMaxBlock) - std::countr_zero(kMinBlock) + 1;

size_t ClassOf(size_t bytes) {
  const size_t block = std::bit_ceil(std::max(bytes, kMinBlock));
  return std::countr_zero(block) - std::countr_zero(kMinBlock);
}

size_t BlockSize(size_t size_class) { return kMinBlock << size_class; }

class Arena {
 public:
  void* Allocate(size_t bytes) {
    const size_t size_class = ClassOf(bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    FreeBlock*& head = free_[size_class];
    if (head == nullptr && !AddSlab(size_class)) return nullptr;
    FreeBlock* block = head;
    head = block->next;
    // Free blocks were wiped except for the link.
    block->next = nullptr;
    return block;
  }

  bool Owns(const void* p) const {
    const auto address = reinterpret_cast<uintptr_t>(p);
    std::lock_guard<std::mutex> lock(mutex_);
    auto after = std::upper_bound(slabs_.begin(), slabs_.end(), address);
    return after != slabs_.begin() && address - *(after - 1) < kSlabBytes;
  }

  void Free(void* p, size_t bytes) {
    auto* block = static_cast<FreeBlock*>(p);
    std::lock_guard<std::mutex> lock(mutex_);
    FreeBlock*& head = free_[ClassOf(bytes)];
    block->next = head;
    head = block;
  }

  size_t mapped() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return slabs_.size() * kSlabBytes;
  }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };

  // Called with the lock held.
  bool AddSlab(size_t size_class) {
    if ((slabs_.size() + 1) * kSlabBytes > kLockedArenaMaxBytes) return false;
    void* slab = mmap(nullptr, kSlabBytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (slab == MAP_FAILED) return false;
    // Best effort, as for every secure allocation: without CAP_IPC_LOCK the
    // limit may be small; blocks are still wiped when freed.
    (void)mlock(slab, kSlabBytes);
    (void)madvise(slab, kSlabBytes, MADV_DONTDUMP);
    const auto base = reinterpret_cast<uintptr_t>(slab);
    slabs_.insert(std::upper_bound(slabs_.begin(), slabs_.end(), base), base);
    const size_t block = BlockSize(size_class);
    FreeBlock*& head = free_[size_class];
    for (size_t offset = kSlabBytes; offset >= block; offset -= block) {
      auto* free_block = reinterpret_cast<FreeBlock*>(base + offset - block);
      free_block->next = head;
      head = free_block;
    }
    return true;
  }

  mutable std::mutex mutex_;
  std::array<FreeBlock*, kClasses> free_{};
  std::vector<uintptr_t> slabs_;  // sorted base addresses
};

Arena& TheArena() {
  // Never destroyed: blocks may be freed by static destructors that run
  // after this file's.
  static auto* arena = new Arena();
  return *arena;
}

}  // namespace

void* LockedArenaAllocate(size_t bytes) {
  if (!kSecureBlocksPooled || bytes == 0 || bytes > kLockedArenaMaxBlock) {
    return nullptr;
  }
  return TheArena().Allocate(bytes);
}

bool LockedArenaOwns(const void* p) { return TheArena().Owns(p); }

void LockedArenaFree(void* p, size_t bytes) { TheArena().Free(p, bytes); }

size_t LockedArenaMappedBytes() { return TheArena().mapped(); }

}  // namespace kms
