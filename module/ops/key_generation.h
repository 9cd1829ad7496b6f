// C_GenerateKey / C_GenerateKeyPair templates turned into a key request:
// the mechanism and CKA_MODULUS_BITS / CKA_EC_PARAMS / CKA_VALUE_LEN choose
// the algorithm; CKA_LABEL, CKA_ID, CKA_TOKEN, CKA_EXTRACTABLE and the usage
// flags are honoured; anything the server cannot give is refused
// (CKR_TEMPLATE_INCONSISTENT, CKR_ATTRIBUTE_VALUE_INVALID,
// CKR_ATTRIBUTE_TYPE_INVALID).
#ifndef KMS_MODULE_OPS_KEY_GENERATION_H_
#define KMS_MODULE_OPS_KEY_GENERATION_H_

#include "module/base/ck_status.h"
#include "module/objects/attribute_template.h"
#include "module/objects/key_store.h"

namespace kms::p11 {

CkResult<NewKey> KeyPairRequest(const CK_MECHANISM& mechanism,
                                const AttributeList& public_template,
                                const AttributeList& private_template);
CkResult<NewKey> SecretKeyRequest(const CK_MECHANISM& mechanism,
                                  const AttributeList& templ);
// C_UnwrapKey's template: a secret key (CKA_CLASS and CKA_KEY_TYPE
// required, CKR_TEMPLATE_INCOMPLETE). Its length is CKA_VALUE_LEN or, when
// the mechanism tells it, `wrapped_length` (rounded up to whole 8-byte
// semiblocks when `padded`); both given must agree.
CkResult<NewKey> UnwrapKeyRequest(const AttributeList& templ,
                                  std::optional<CK_ULONG> wrapped_length,
                                  bool padded);

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_KEY_GENERATION_H_
