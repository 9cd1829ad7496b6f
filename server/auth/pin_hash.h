// PINs are stored as scrypt hashes: "scrypt$<log2 N>$<r>$<p>$<salt>$<hash>"
// with base64 salt (16 bytes) and hash (32 bytes).
#ifndef KMS_SERVER_AUTH_PIN_HASH_H_
#define KMS_SERVER_AUTH_PIN_HASH_H_

#include <string>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms {

Result<std::string> HashPin(const SecureString& pin, int log2_n);
// Ok if the PIN matches (constant-time compare); kPinIncorrect if not;
// kInternal if the stored hash is malformed.
Status CheckPin(const SecureString& pin, const std::string& stored_hash);

}  // namespace kms

#endif  // KMS_SERVER_AUTH_PIN_HASH_H_
