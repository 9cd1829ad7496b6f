// The objects a kmsd key shows on its token (docs/pkcs11.md "Objects"):
// for the primary version a private key (or secret key) object and, for
// asymmetric keys, a public key object, both with CKA_ID = the key id and
// CKA_LABEL = the key label; for every other ENABLED version the same pair
// with CKA_ID = "<id>:v<n>" and CKA_LABEL = "<label>:v<n>".
#ifndef KMS_MODULE_OBJECTS_KEY_OBJECTS_H_
#define KMS_MODULE_OBJECTS_KEY_OBJECTS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "module/base/ck_status.h"
#include "module/objects/object.h"

namespace kms::p11 {

// The objects of one key as returned by GET /v1/keyrings/{ring}/keys.
// Keys of unknown algorithms yield no objects.
CkResult<std::vector<std::shared_ptr<P11Object>>> ObjectsForKey(
    const cJSON* key);

// The attributes of a public key (CKA_PUBLIC_KEY_INFO, RSA modulus and
// exponent, EC parameters and, with `with_point`, CKA_EC_POINT) and the key
// itself for local verify/encrypt.
CkStatus SetPublicKeyAttributes(P11Object& o, KeyAlgorithm algorithm,
                                const Bytes& spki,
                                std::shared_ptr<EVP_PKEY> pkey,
                                bool with_point);

// The kmsd algorithm of a public key (RSA 2048/3072/4096, P-256, P-384,
// Ed25519), or nothing.
std::optional<KeyAlgorithm> PublicKeyAlgorithm(EVP_PKEY* pkey);

// CKA_ID / CKA_LABEL suffix for a non-primary version: ":v<n>".
std::string VersionSuffix(int version);

// DER OCTET STRING around bytes (CKA_EC_POINT).
Bytes DerOctetString(ByteView content);

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_KEY_OBJECTS_H_
