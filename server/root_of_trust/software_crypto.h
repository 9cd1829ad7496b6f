// AES-256-GCM sealing and HMAC-SHA256 with keys held in process memory, for
// the file backend. Same layout as the HSM backend: iv(12)||ct||tag(16).
#ifndef KMS_SERVER_ROOT_OF_TRUST_SOFTWARE_CRYPTO_H_
#define KMS_SERVER_ROOT_OF_TRUST_SOFTWARE_CRYPTO_H_

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms::rot_internal {

Result<Bytes> SoftwareSeal(ByteView key, ByteView plaintext, ByteView aad);
Result<SecureBytes> SoftwareUnseal(ByteView key, ByteView sealed, ByteView aad);
Result<Bytes> SoftwareHmacSha256(ByteView key, ByteView data);
Result<Bytes> SoftwareRandom(size_t length);

}  // namespace kms::rot_internal

#endif  // KMS_SERVER_ROOT_OF_TRUST_SOFTWARE_CRYPTO_H_
