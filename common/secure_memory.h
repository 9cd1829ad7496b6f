// Memory for secrets: zeroised on release, locked against swapping where the
// system allows, and compared in constant time.
#ifndef KMS_COMMON_SECURE_MEMORY_H_
#define KMS_COMMON_SECURE_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kms {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// Wipes memory in a way the optimiser may not elide (OPENSSL_cleanse).
void SecureWipe(void* data, size_t size);

// Allocator that mlock()s its pages (best effort) and wipes them on free.
template <typename T>
struct SecureAllocator {
  using value_type = T;
  SecureAllocator() = default;
  template <typename U>
  SecureAllocator(const SecureAllocator<U>&) {}  // NOLINT
  T* allocate(size_t n);
  void deallocate(T* p, size_t n);
  template <typename U>
  bool operator==(const SecureAllocator<U>&) const { return true; }
};

void* SecureAllocate(size_t bytes);
void SecureDeallocate(void* p, size_t bytes);

template <typename T>
T* SecureAllocator<T>::allocate(size_t n) {
  return static_cast<T*>(SecureAllocate(n * sizeof(T)));
}
template <typename T>
void SecureAllocator<T>::deallocate(T* p, size_t n) {
  SecureDeallocate(p, n * sizeof(T));
}

using SecureBytes = std::vector<uint8_t, SecureAllocator<uint8_t>>;
using SecureString =
    std::basic_string<char, std::char_traits<char>, SecureAllocator<char>>;

inline SecureBytes ToSecure(ByteView data) {
  return SecureBytes(data.begin(), data.end());
}
inline ByteView View(const SecureBytes& b) { return {b.data(), b.size()}; }
inline ByteView View(const Bytes& b) { return {b.data(), b.size()}; }
inline ByteView View(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Constant-time equality (length is not secret).
bool ConstantTimeEquals(ByteView a, ByteView b);

}  // namespace kms

#endif  // KMS_COMMON_SECURE_MEMORY_H_
