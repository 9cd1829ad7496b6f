// One PKCS#11 object as the module shows it: its attributes (raw bytes, as
// C_GetAttributeValue returns them) plus what operations need (the key id
// and version on the server, the algorithm, the parsed public key).
#ifndef KMS_MODULE_OBJECTS_OBJECT_H_
#define KMS_MODULE_OBJECTS_OBJECT_H_

#include <map>
#include <memory>
#include <set>
#include <string>

#include "common/openssl_raii.h"
#include "common/secure_memory.h"
#include "module/base/pkcs11.h"
#include "module/objects/key_algorithm.h"
#include "module/objects/pkey_context_pool.h"

namespace kms::p11 {

class P11Object {
 public:
  CK_OBJECT_CLASS object_class() const { return class_; }
  KeyAlgorithm algorithm() const { return algorithm_; }
  const std::string& key_id() const { return key_id_; }
  // 0: the primary version (follows rotation); otherwise a fixed version.
  int version() const { return version_; }
  // Where this object stays identical across cache refreshes.
  const std::string& identity() const { return identity_; }
  // The public key (asymmetric keys), for local verify/encrypt, and
  // contexts set up for it (nullptr without a public key).
  EVP_PKEY* public_key() const { return public_key_.get(); }
  PkeyContextPool* contexts() const { return contexts_.get(); }
  bool is_private() const { return Bool(CKA_PRIVATE); }
  // A session certificate, data object or public key: kept only in the
  // module's memory (never on kmsd).
  bool local() const { return local_; }
  // C_GetObjectSize: the sum of the readable attribute values' sizes (no
  // server request; sensitive values count as nothing).
  CK_ULONG ApproximateSize() const;

  bool Has(CK_ATTRIBUTE_TYPE type) const;
  bool IsSensitive(CK_ATTRIBUTE_TYPE type) const;
  const Bytes* Find(CK_ATTRIBUTE_TYPE type) const;
  bool Bool(CK_ATTRIBUTE_TYPE type) const;

  // Builders.
  void SetBytes(CK_ATTRIBUTE_TYPE type, Bytes value);
  void SetString(CK_ATTRIBUTE_TYPE type, const std::string& value);
  void SetUlong(CK_ATTRIBUTE_TYPE type, CK_ULONG value);
  void SetBool(CK_ATTRIBUTE_TYPE type, bool value);
  // An attribute that exists but may never be read (CKA_VALUE of a secret).
  void SetSensitive(CK_ATTRIBUTE_TYPE type);

  void set_class(CK_OBJECT_CLASS c) { class_ = c; }
  void set_algorithm(KeyAlgorithm a) { algorithm_ = a; }
  void set_key_id(std::string id) { key_id_ = std::move(id); }
  void set_version(int v) { version_ = v; }
  void set_identity(std::string i) { identity_ = std::move(i); }
  void set_local(bool local) { local_ = local; }
  void set_public_key(std::shared_ptr<EVP_PKEY> key) {
    contexts_ = key ? std::make_shared<PkeyContextPool>(key.get()) : nullptr;
    public_key_ = std::move(key);
  }

 private:
  CK_OBJECT_CLASS class_ = CKO_DATA;
  KeyAlgorithm algorithm_ = KeyAlgorithm::kAes256;
  std::string key_id_;
  int version_ = 0;
  std::string identity_;
  bool local_ = false;
  std::shared_ptr<EVP_PKEY> public_key_;
  // Shared by copies of this object, which share public_key_ too.
  std::shared_ptr<PkeyContextPool> contexts_;
  std::map<CK_ATTRIBUTE_TYPE, Bytes> attributes_;
  std::set<CK_ATTRIBUTE_TYPE> sensitive_;
};

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_OBJECT_H_
