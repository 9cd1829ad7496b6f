#include "common/secure_memory.h"

#include <openssl/crypto.h>
#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace kms {

void SecureWipe(void* data, size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

void* SecureAllocate(size_t bytes) {
  if (bytes == 0) bytes = 1;
  void* p = std::calloc(1, bytes);
  if (p == nullptr) throw std::bad_alloc();
  // Best effort: without CAP_IPC_LOCK the limit may be small; memory is
  // still wiped on release.
  (void)mlock(p, bytes);
  return p;
}

void SecureDeallocate(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (bytes == 0) bytes = 1;
  SecureWipe(p, bytes);
  (void)munlock(p, bytes);
  std::free(p);
}

bool ConstantTimeEquals(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace kms
