// What a signature mechanism means for kmsd and for local verification:
// the scheme, where hashing happens, parameters, input and output sizes.
// One file per family builds it: ecdsa_mechanisms.cc, rsa_pkcs_mechanisms.cc,
// rsa_pss_mechanisms.cc, eddsa_mechanism.cc, hmac_mechanisms.cc.
#ifndef KMS_MODULE_OPS_SIGN_SPEC_H_
#define KMS_MODULE_OPS_SIGN_SPEC_H_

#include <optional>
#include <string>

#include "module/base/ck_status.h"
#include "module/objects/object.h"
#include "module/ops/hashes.h"

namespace kms::p11 {

// Messages sent whole (EdDSA, HMAC) stay well under kmsd's body limit.
inline constexpr size_t kMaxMessageBytes = 512 * 1024;

struct SignSpec {
  std::string scheme;                    // kmsd "scheme"
  const HashInfo* local_hash = nullptr;  // hash-then-sign: hashed here
  const HashInfo* wire_hash = nullptr;   // "hash" sent with the digest
  const HashInfo* mgf1_hash = nullptr;   // RSA_PSS
  std::optional<CK_ULONG> salt_length;   // RSA_PSS
  size_t min_input = 0;                  // bounds of the data sent
  size_t max_input = kMaxMessageBytes;
  CK_ULONG signature_length = 0;
};

CkResult<SignSpec> SignSpecFor(const CK_MECHANISM& mechanism,
                               const P11Object& key);

// Per family; each checks the key type and the mechanism parameter.
CkResult<SignSpec> EcdsaSignSpec(const CK_MECHANISM& mechanism,
                                 const P11Object& key);
CkResult<SignSpec> RsaPkcsSignSpec(const CK_MECHANISM& mechanism,
                                   const P11Object& key);
CkResult<SignSpec> RsaPssSignSpec(const CK_MECHANISM& mechanism,
                                  const P11Object& key);
CkResult<SignSpec> EddsaSignSpec(const CK_MECHANISM& mechanism,
                                 const P11Object& key);
CkResult<SignSpec> HmacSignSpec(const CK_MECHANISM& mechanism,
                                const P11Object& key);

// CKR_MECHANISM_PARAM_INVALID unless the mechanism has no parameter.
CkStatus RequireNoParameter(const CK_MECHANISM& mechanism);

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_SIGN_SPEC_H_
