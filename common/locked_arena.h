// Small blocks of locked memory for secrets, carved from slabs that are
// mapped, locked (mlock, best effort) and kept out of core dumps once, and
// never returned to the system. Locking per allocation instead costs two
// system calls per block (mlock, munlock); request bodies, tokens and PINs
// are allocated and freed on every PKCS#11 call.
#ifndef KMS_COMMON_LOCKED_ARENA_H_
#define KMS_COMMON_LOCKED_ARENA_H_

#include <cstddef>

namespace kms {

// Under AddressSanitizer secure blocks come from malloc instead, so that an
// overflow of a secure container is caught like any other.
#ifdef __SANITIZE_ADDRESS__
inline constexpr bool kSecureBlocksPooled = false;
#else
inline constexpr bool kSecureBlocksPooled = true;
#endif

// Blocks of up to this many bytes come from the arena.
inline constexpr size_t kLockedArenaMaxBlock = 16384;
// The arena stops growing here (RLIMIT_MEMLOCK is often 8 MiB); larger or
// further requests get nullptr and the caller falls back.
inline constexpr size_t kLockedArenaMaxBytes = size_t{4} << 20;

// A zeroed block of at least `bytes` (1..kLockedArenaMaxBlock), or nullptr
// when the request is larger or the arena is full.
void* LockedArenaAllocate(size_t bytes);
// True when `p` came from LockedArenaAllocate.
bool LockedArenaOwns(const void* p);
// Returns a block; `bytes` must be the size it was allocated with. The
// caller has wiped it.
void LockedArenaFree(void* p, size_t bytes);
// Bytes mapped for slabs so far (for tests).
size_t LockedArenaMappedBytes();

}  // namespace kms

#endif  // KMS_COMMON_LOCKED_ARENA_H_
