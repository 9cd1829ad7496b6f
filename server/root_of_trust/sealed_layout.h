// The wire layout shared by every backend, so that a sealed blob's shape
// never depends on where the key-encryption key lives.
#ifndef KMS_SERVER_ROOT_OF_TRUST_SEALED_LAYOUT_H_
#define KMS_SERVER_ROOT_OF_TRUST_SEALED_LAYOUT_H_

#include <cstddef>
#include <string>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms::rot_internal {

inline constexpr size_t kRootKeySize = 32;
inline constexpr size_t kAuditKeySize = 32;
inline constexpr size_t kSealIvSize = 12;
inline constexpr size_t kSealTagSize = 16;
inline constexpr size_t kSealOverhead = kSealIvSize + kSealTagSize;
inline constexpr size_t kAuditMacSize = 32;
// Bounds keep every length within an int (OpenSSL) and stop a caller from
// asking the HSM for an unbounded amount of work in one call.
inline constexpr size_t kMaxSealInput = size_t{1} << 30;
inline constexpr size_t kMaxRandomLength = size_t{1} << 20;

inline Status CheckSealInput(ByteView plaintext, ByteView aad) {
  if (plaintext.size() > kMaxSealInput || aad.size() > kMaxSealInput) {
    return Error(ErrorCode::kInvalidArgument, "seal input too large");
  }
  return Status::Ok();
}

inline Status CheckSealedInput(ByteView sealed, ByteView aad) {
  if (sealed.size() < kSealOverhead) {
    return Error(ErrorCode::kInvalidArgument,
                 "sealed data too short (" + std::to_string(sealed.size()) +
                     " bytes, need at least " + std::to_string(kSealOverhead) +
                     ")");
  }
  if (sealed.size() > kMaxSealInput + kSealOverhead ||
      aad.size() > kMaxSealInput) {
    return Error(ErrorCode::kInvalidArgument, "sealed input too large");
  }
  return Status::Ok();
}

inline Status CheckRandomLength(size_t length) {
  if (length > kMaxRandomLength) {
    return Error(ErrorCode::kInvalidArgument,
                 "random length " + std::to_string(length) + " exceeds " +
                     std::to_string(kMaxRandomLength));
  }
  return Status::Ok();
}

}  // namespace kms::rot_internal

#endif  // KMS_SERVER_ROOT_OF_TRUST_SEALED_LAYOUT_H_
