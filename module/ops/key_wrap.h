// C_WrapKey / C_UnwrapKey on kmsd (POST .../keys/{id}/wrap and /unwrap):
// CKM_AES_KEY_WRAP (RFC 3394), CKM_AES_KEY_WRAP_PAD and CKM_AES_KEY_WRAP_KWP
// (both RFC 5649), CKM_RSA_PKCS_OAEP. The server wraps with the wrapping
// key's id, so key material never passes through the module. Only secret
// keys (AES, HMAC) are wrapped and unwrapped.
#ifndef KMS_MODULE_OPS_KEY_WRAP_H_
#define KMS_MODULE_OPS_KEY_WRAP_H_

#include <memory>
#include <vector>

#include "module/base/ck_status.h"
#include "module/client/ring_auth.h"
#include "module/objects/key_store.h"
#include "module/objects/object.h"
#include "module/ops/hashes.h"

namespace kms::p11 {

struct WrapSpec {
  CK_MECHANISM_TYPE mechanism = 0;
  const char* wire = "";           // kmsd's mechanism name
  const HashInfo* hash = nullptr;  // RSA-OAEP: hash and MGF1 hash
  Bytes oaep_label;
};

// CKR_MECHANISM_INVALID, CKR_MECHANISM_PARAM_INVALID.
CkResult<WrapSpec> ParseWrapMechanism(const CK_MECHANISM& mechanism);

// The key that wraps (`wrap`) or unwraps: its type fits the mechanism
// (CKR_WRAPPING_KEY_TYPE_INCONSISTENT / CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT)
// and it has CKA_WRAP / CKA_UNWRAP (CKR_KEY_FUNCTION_NOT_PERMITTED).
CkStatus CheckWrappingKey(const WrapSpec& spec, const P11Object& key,
                          bool wrap);

// The exact length C_WrapKey returns, without a request. The target must be
// a secret key (CKR_KEY_NOT_WRAPPABLE) with CKA_EXTRACTABLE
// (CKR_KEY_UNEXTRACTABLE).
CkResult<CK_ULONG> WrappedLength(const WrapSpec& spec,
                                 const P11Object& wrapping,
                                 const P11Object& target);

CkResult<Bytes> WrapKey(RingAuth& auth, const WrapSpec& spec,
                        const P11Object& wrapping, const P11Object& target);

// The secret key length the wrapped bytes hold, if the mechanism tells it
// (AES key wrap); CKR_WRAPPED_KEY_LEN_RANGE for impossible lengths.
CkResult<std::optional<CK_ULONG>> UnwrappedLength(const WrapSpec& spec,
                                                  const P11Object& unwrapping,
                                                  size_t wrapped_length);

// Unwraps into a new kmsd key as `request` says (CKA_ID alias included) and
// returns its objects. A wrapped key that does not verify or decode is
// CKR_WRAPPED_KEY_INVALID.
CkResult<std::vector<std::shared_ptr<P11Object>>> UnwrapKey(
    RingAuth& auth, const WrapSpec& spec, const P11Object& unwrapping,
    ByteView wrapped, const NewKey& request);

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_KEY_WRAP_H_
