// Certificates, data objects and public keys that applications create with
// C_CreateObject. Token objects live on kmsd as objects of the key ring
// (class "certificate", "data" or "public_key"; ck_id = CKA_ID; the PKCS#11
// attributes kmsd has no field for go in "attributes"), session objects only
// in the module's memory. docs/pkcs11.md "Objects".
#ifndef KMS_MODULE_OBJECTS_STORED_OBJECT_H_
#define KMS_MODULE_OBJECTS_STORED_OBJECT_H_

#include <memory>
#include <string>

#include "common/json.h"
#include "module/base/ck_status.h"
#include "module/objects/object.h"

namespace kms::p11 {

struct StoredObject {
  std::string id;  // kmsd's object id, or the module's for a session object
  CK_OBJECT_CLASS object_class = CKO_DATA;
  std::string label;
  Bytes ck_id;
  Bytes value;  // DER certificate, DER SubjectPublicKeyInfo, or the data
  bool token = true;
  bool modifiable = true;
  bool destroyable = true;
  // Data objects.
  bool is_private = true;
  std::string application;
  Bytes object_id;  // DER OID, may be empty
  // Certificates.
  CK_ULONG certificate_category = 0;  // unspecified
  CK_ULONG java_midp_security_domain = 0;
  // Public keys.
  bool verify = true;
  bool encrypt = false;
  bool wrap = false;
};

// An object of GET .../objects. CKR_DEVICE_ERROR for one the module cannot
// show (the caller skips it).
CkResult<StoredObject> StoredObjectFromJson(const cJSON* object);

// The body of POST .../objects for `o`.
Json StoredObjectRequest(const StoredObject& o);

// The PKCS#11 object for `o` (CKR_ATTRIBUTE_VALUE_INVALID when the value
// does not parse).
CkResult<std::shared_ptr<P11Object>> MakeStoredObject(const StoredObject& o);

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_STORED_OBJECT_H_
