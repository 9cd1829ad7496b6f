// Finding, checking and creating the root of trust's two token keys. A key
// found under the expected label is only accepted if the token enforces the
// properties we report (sensitive, non-extractable, right type and usage).
#ifndef KMS_SERVER_ROOT_OF_TRUST_PKCS11_KEYS_H_
#define KMS_SERVER_ROOT_OF_TRUST_PKCS11_KEYS_H_

#include <p11-kit/pkcs11.h>

#include <string>

#include "common/status.h"

namespace kms::rot_internal {

enum class RootKeyRole {
  kKek,       // CKK_AES, 256 bits, encrypt/decrypt
  kAuditKey,  // CKK_GENERIC_SECRET, 256 bits, sign/verify (HMAC)
};

// Finds the secret key labelled `label` on the session's token, checks it,
// and generates it (as a private, sensitive, non-extractable token object)
// when there is none. `created` tells whether it was generated.
Result<CK_OBJECT_HANDLE> FindOrCreateRootKey(CK_FUNCTION_LIST* fn,
                                             CK_SESSION_HANDLE session,
                                             RootKeyRole role,
                                             const std::string& label,
                                             bool* created);

}  // namespace kms::rot_internal

#endif  // KMS_SERVER_ROOT_OF_TRUST_PKCS11_KEYS_H_
