// The objects a kmsd key shows on its token (docs/pkcs11.md "Objects"):
// for the primary version a private key (or secret key) object and, for
// asymmetric keys, a public key object, both with CKA_ID = the key id and
// CKA_LABEL = the key label; for every other ENABLED version the same pair
// with CKA_ID = "<id>:v<n>" and CKA_LABEL = "<label>:v<n>".
#ifndef KMS_MODULE_OBJECTS_KEY_OBJECTS_H_
#define KMS_MODULE_OBJECTS_KEY_OBJECTS_H_

#include <memory>
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

// CKA_ID / CKA_LABEL suffix for a non-primary version: ":v<n>".
std::string VersionSuffix(int version);

// DER OCTET STRING around bytes (CKA_EC_POINT).
Bytes DerOctetString(ByteView content);

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_KEY_OBJECTS_H_
