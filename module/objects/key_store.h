// Creating and destroying keys on kmsd for C_GenerateKey(Pair) and
// C_DestroyObject. A CKA_ID chosen by the application is kept in a hidden
// "key id alias" data object (class "data", attributes {"kms_key_id": id},
// ck_id = the CKA_ID) next to the key; the object cache applies it to the
// key's objects (docs/pkcs11.md "CKA_ID of generated keys").
#ifndef KMS_MODULE_OBJECTS_KEY_STORE_H_
#define KMS_MODULE_OBJECTS_KEY_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "module/base/ck_status.h"
#include "module/client/ring_auth.h"
#include "module/objects/key_algorithm.h"
#include "module/objects/object.h"

namespace kms::p11 {

// What an application asked C_GenerateKey(Pair) for.
struct NewKey {
  KeyAlgorithm algorithm = KeyAlgorithm::kAes256;
  std::string label;                // empty: the module makes one up
  std::optional<Bytes> ck_id;       // the application's CKA_ID
  std::vector<std::string> usages;  // empty: what the algorithm can do
  bool exportable = false;
  bool token = false;  // FALSE: a session key
};

// POST /v1/keyrings/{ring}/keys (and the alias object for a CKA_ID).
// Returns the key's objects as the cache shows them.
CkResult<std::vector<std::shared_ptr<P11Object>>> CreateKey(
    RingAuth& auth, const NewKey& request);

// Stores the key id alias that gives key `key_id` the application's CKA_ID
// (for keys made otherwise than by CreateKey, e.g. C_UnwrapKey).
CkStatus CreateKeyIdAlias(RingAuth& auth, const std::string& key_id,
                          const Bytes& ck_id);

// POST /v1/keyrings/{ring}/import with `material` (PKCS#8 DER or the raw
// secret) and the alias object for a CKA_ID, as CreateKey. The copy of the
// material in the request body is wiped after the call.
CkResult<std::vector<std::shared_ptr<P11Object>>> ImportKey(
    RingAuth& auth, const NewKey& request, const SecureBytes& material);

// POST /v1/keyrings/{ring}/keys/{id}/update with a new label. Returns the
// key's objects (without the alias's CKA_ID applied).
CkResult<std::vector<std::shared_ptr<P11Object>>> RelabelKey(
    RingAuth& auth, const std::string& key_id, const std::string& label);

// GET /v1/keyrings/{ring}/keys/{id}: the key's objects.
CkResult<std::vector<std::shared_ptr<P11Object>>> FetchKey(
    RingAuth& auth, const std::string& key_id);

// Gives the key the application's CKA_ID: updates its alias object
// (`alias_id`) or creates one. Returns the alias object's id.
CkResult<std::string> SetKeyCkId(RingAuth& auth, const std::string& key_id,
                                 const std::string& alias_id,
                                 const Bytes& ck_id);

// POST /v1/keyrings/{ring}/objects; returns the object's JSON.
CkResult<Json> PostObject(RingAuth& auth, const Json& body);

// POST /v1/keyrings/{ring}/objects/{id}/update; returns the object's JSON.
CkResult<Json> UpdateObject(RingAuth& auth, const std::string& object_id,
                            const std::optional<std::string>& label,
                            const std::optional<Bytes>& ck_id);

// POST /v1/keyrings/{ring}/keys/{id}/destroy (scheduled destruction).
CkStatus DestroyKey(RingAuth& auth, const std::string& key_id);

// POST /v1/keyrings/{ring}/keys/{id}/versions/{v}/destroy.
CkStatus DestroyKeyVersion(RingAuth& auth, const std::string& key_id,
                           int version);

// DELETE /v1/keyrings/{ring}/objects/{id}.
CkStatus DeleteObject(RingAuth& auth, const std::string& object_id);

// The key id an alias object stands for, or "" if `object` is no alias.
std::string AliasKeyId(const cJSON* object);

// Gives the key's objects the application's CKA_ID (":v<n>" appended for
// older versions).
void ApplyCkId(P11Object& object, const Bytes& ck_id);

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_KEY_STORE_H_
