// Helpers shared by the crypto sources; not part of the component's API.
#ifndef KMS_SERVER_CRYPTO_OPENSSL_UTIL_H_
#define KMS_SERVER_CRYPTO_OPENSSL_UTIL_H_

#include <openssl/evp.h>

#include <string_view>

#include "common/status.h"
#include "server/crypto/operations.h"

namespace kms {

// kInternal naming the failed step and OpenSSL's reason (which never
// contains key material); clears OpenSSL's error queue.
Status OpenSslFailure(std::string_view operation);

const EVP_MD* HashMd(HashAlgorithm hash);

// EVP lengths are int; inputs above this are refused before reaching them.
inline constexpr size_t kMaxCipherInput = size_t{1} << 30;

}  // namespace kms

#endif  // KMS_SERVER_CRYPTO_OPENSSL_UTIL_H_
