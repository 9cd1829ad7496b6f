// A C_CreateObject template read and checked as Cryptoki 2.40 says
// (docs/pkcs11.md "Creating objects"): certificates (X.509), data objects
// and public keys become stored objects; private and secret keys become a
// key import (PKCS#8 DER or the raw secret for POST .../import). Nothing is
// sent anywhere here.
#ifndef KMS_MODULE_OBJECTS_OBJECT_IMPORT_H_
#define KMS_MODULE_OBJECTS_OBJECT_IMPORT_H_

#include "module/base/ck_status.h"
#include "module/objects/attribute_template.h"
#include "module/objects/key_store.h"
#include "module/objects/stored_object.h"

namespace kms::p11 {

struct CreateRequest {
  bool is_key = false;   // a private or secret key to import
  StoredObject object;   // !is_key
  NewKey key;            // is_key
  SecureBytes material;  // is_key: PKCS#8 DER or the raw secret

  bool token() const { return is_key ? key.token : object.token; }
  bool is_private() const { return is_key || object.is_private; }
};

CkResult<CreateRequest> ReadCreateTemplate(const AttributeList& templ);

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_OBJECT_IMPORT_H_
