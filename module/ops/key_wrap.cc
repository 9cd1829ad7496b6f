#include "module/ops/key_wrap.h"

#include <openssl/rand.h>

#include "common/encoding.h"
#include "module/client/kms_client.h"
#include "module/include/kms/pkcs11_vendor.h"
#include "module/objects/key_objects.h"
#include "module/ops/cipher_operation.h"
#include "module/ops/remote_sign.h"

namespace kms::p11 {
namespace {

constexpr size_t kSemiblock = 8;

bool IsAesWrap(const WrapSpec& spec) {
  return spec.mechanism != CKM_RSA_PKCS_OAEP;
}

bool IsPadded(const WrapSpec& spec) {
  return spec.mechanism == CKM_AES_KEY_WRAP_PAD ||
         spec.mechanism == CKM_AES_KEY_WRAP_KWP;
}

CkResult<WrapSpec> ParseOaep(const CK_MECHANISM& m) {
  WrapSpec spec;
  spec.mechanism = CKM_RSA_PKCS_OAEP;
  spec.wire = "RSA_OAEP";
  if (m.pParameter == nullptr ||
      m.ulParameterLen != sizeof(CK_RSA_PKCS_OAEP_PARAMS)) {
    return CkError(CKR_MECHANISM_PARAM_INVALID,
                   "CK_RSA_PKCS_OAEP_PARAMS required");
  }
  const auto* o = static_cast<const CK_RSA_PKCS_OAEP_PARAMS*>(m.pParameter);
  spec.hash = HashByMechanism(o->hashAlg);
  if (spec.hash == nullptr || HashByMgf(o->mgf) != spec.hash ||
      spec.hash->mechanism == CKM_SHA224) {
    return CkError(CKR_MECHANISM_PARAM_INVALID,
                   "OAEP needs SHA-1, SHA-256, SHA-384 or SHA-512 with the "
                   "same MGF1 hash");
  }
  // CKZ_DATA_SPECIFIED is the only source the standard defines; 0 is what
  // some applications pass for "no label".
  if (o->source != 0 && o->source != CKZ_DATA_SPECIFIED) {
    return CkError(CKR_MECHANISM_PARAM_INVALID, "bad OAEP source");
  }
  if (o->pSourceData == nullptr && o->ulSourceDataLen > 0) {
    return CkError(CKR_MECHANISM_PARAM_INVALID, "OAEP label is NULL");
  }
  if (o->ulSourceDataLen > 1024) {
    return CkError(CKR_MECHANISM_PARAM_INVALID, "OAEP label too long");
  }
  if (o->ulSourceDataLen > 0) {
    const auto* l = static_cast<const uint8_t*>(o->pSourceData);
    spec.oaep_label.assign(l, l + o->ulSourceDataLen);
  }
  return spec;
}

}  // namespace

CkResult<WrapSpec> ParseWrapMechanism(const CK_MECHANISM& m) {
  switch (m.mechanism) {
    case CKM_AES_KEY_WRAP:
    case CKM_AES_KEY_WRAP_PAD:
    case CKM_AES_KEY_WRAP_KWP: {
      // The optional alternative IV of the standard is not offered: kmsd
      // uses the RFCs' default IVs.
      if (m.pParameter != nullptr || m.ulParameterLen != 0) {
        return CkError(CKR_MECHANISM_PARAM_INVALID,
                       "AES key wrap takes no parameter");
      }
      WrapSpec spec;
      spec.mechanism = m.mechanism;
      spec.wire =
          m.mechanism == CKM_AES_KEY_WRAP ? "AES_KEY_WRAP" : "AES_KEY_WRAP_PAD";
      return spec;
    }
    case CKM_RSA_PKCS_OAEP:
      return ParseOaep(m);
    default:
      return CkError(CKR_MECHANISM_INVALID);
  }
}

CkStatus CheckWrappingKey(const WrapSpec& spec, const P11Object& key,
                          bool wrap) {
  const CK_RV inconsistent = wrap ? CKR_WRAPPING_KEY_TYPE_INCONSISTENT
                                  : CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT;
  bool fits;
  if (IsAesWrap(spec)) {
    fits = key.object_class() == CKO_SECRET_KEY &&
           CkKeyType(key.algorithm()) == CKK_AES;
  } else {
    // The server wraps with the key pair's id: the public key object wraps,
    // as may the private one; only the private one unwraps.
    fits = IsRsa(key.algorithm()) &&
           (key.object_class() == CKO_PRIVATE_KEY ||
            (wrap && key.object_class() == CKO_PUBLIC_KEY));
  }
  if (!fits) return CkError(inconsistent);
  if (!key.Bool(wrap ? CKA_WRAP : CKA_UNWRAP)) {
    return CkError(CKR_KEY_FUNCTION_NOT_PERMITTED,
                   wrap ? "key lacks CKA_WRAP" : "key lacks CKA_UNWRAP");
  }
  return CkStatus::Ok();
}

CkResult<CK_ULONG> WrappedLength(const WrapSpec& spec,
                                 const P11Object& wrapping,
                                 const P11Object& target) {
  if (target.object_class() != CKO_SECRET_KEY) {
    return CkError(CKR_KEY_NOT_WRAPPABLE, "only secret keys are wrapped");
  }
  if (!target.Bool(CKA_EXTRACTABLE)) return CkError(CKR_KEY_UNEXTRACTABLE);
  const CK_ULONG n = SecretKeyBytes(target.algorithm());
  if (!IsAesWrap(spec)) {
    if (n + 2 * spec.hash->size + 2 > ModulusBytes(wrapping.algorithm())) {
      return CkError(CKR_KEY_SIZE_RANGE, "key too long for RSA-OAEP");
    }
    return ModulusBytes(wrapping.algorithm());
  }
  if (IsPadded(spec)) {
    return (n + kSemiblock - 1) / kSemiblock * kSemiblock + kSemiblock;
  }
  if (n % kSemiblock != 0 || n < 2 * kSemiblock) {
    return CkError(CKR_KEY_SIZE_RANGE, "RFC 3394 wraps whole semiblocks");
  }
  return n + kSemiblock;
}

CkResult<Bytes> WrapKey(RingAuth& auth, const WrapSpec& spec,
                        const P11Object& wrapping, const P11Object& target) {
  CK_ASSIGN_OR_RETURN(CK_ULONG expected, WrappedLength(spec, wrapping, target));
  Json body = Json::Object();
  SetVersion(body, wrapping);
  body.Set("target_key_id", target.key_id());
  if (target.version() != 0) body.Set("target_version", target.version());
  body.Set("mechanism", spec.wire);
  if (spec.hash != nullptr) {
    body.Set("hash", spec.hash->wire_name);
    body.Set("mgf1_hash", spec.hash->wire_name);
    if (!spec.oaep_label.empty()) {
      body.SetBase64("label", View(spec.oaep_label));
    }
  }
  CK_ASSIGN_OR_RETURN(
      Json reply,
      auth.Call("POST", KeyActionPath(auth, wrapping, "wrap"), body));
  CK_ASSIGN_OR_RETURN(Bytes wrapped, ReplyBytes(reply, "wrapped"));
  if (wrapped.size() != expected) {
    return CkError(CKR_DEVICE_ERROR, "wrapped key of unexpected length");
  }
  return wrapped;
}

CkResult<std::optional<CK_ULONG>> UnwrappedLength(const WrapSpec& spec,
                                                  const P11Object& unwrapping,
                                                  size_t wrapped_length) {
  if (!IsAesWrap(spec)) {
    if (wrapped_length != ModulusBytes(unwrapping.algorithm())) {
      return CkError(CKR_WRAPPED_KEY_LEN_RANGE, "not the modulus size");
    }
    return std::optional<CK_ULONG>();
  }
  const size_t minimum = IsPadded(spec) ? 2 * kSemiblock : 3 * kSemiblock;
  if (wrapped_length % kSemiblock != 0 || wrapped_length < minimum ||
      wrapped_length > 4096) {
    return CkError(CKR_WRAPPED_KEY_LEN_RANGE,
                   "wrapped key must be whole semiblocks");
  }
  // With padding this is the padded length, an upper bound of at most 7
  // more bytes; kmsd's secrets are whole semiblocks, so it is exact for
  // them.
  return std::optional<CK_ULONG>(wrapped_length - kSemiblock);
}

CkResult<std::vector<std::shared_ptr<P11Object>>> UnwrapKey(
    RingAuth& auth, const WrapSpec& spec, const P11Object& unwrapping,
    ByteView wrapped, const NewKey& request) {
  std::string label = request.label;
  if (label.empty()) {
    uint8_t raw[6];
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
      return CkError(CKR_FUNCTION_FAILED, "RNG failure");
    }
    label = "key-" + HexEncode(ByteView(raw, sizeof(raw)));
  }
  Json body = Json::Object();
  SetVersion(body, unwrapping);
  body.Set("mechanism", spec.wire);
  body.SetBase64("wrapped", wrapped);
  if (spec.hash != nullptr) {
    body.Set("hash", spec.hash->wire_name);
    body.Set("mgf1_hash", spec.hash->wire_name);
    if (!spec.oaep_label.empty()) {
      body.SetBase64("oaep_label", View(spec.oaep_label));
    }
  }
  body.Set("algorithm", std::string(KeyAlgorithmName(request.algorithm)));
  body.Set("label", label);
  if (!request.usages.empty()) body.SetStrings("usages", request.usages);
  body.Set("exportable", request.exportable);
  auto reply =
      auth.Call("POST", KeyActionPath(auth, unwrapping, "unwrap"), body);
  if (!reply.ok()) {
    // The integrity check, the padding or the key's length failed.
    CK_RV rv = reply.status().rv();
    if (rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_DATA_INVALID) {
      return CkError(CKR_WRAPPED_KEY_INVALID, reply.status().message());
    }
    return reply.status();
  }
  CK_ASSIGN_OR_RETURN(auto objects, ObjectsForKey(reply->get()));
  if (objects.empty()) {
    return CkError(CKR_DEVICE_ERROR, "server returned an unusable key");
  }
  const std::string key_id = objects.front()->key_id();
  if (request.ck_id) {
    CkStatus alias = CreateKeyIdAlias(auth, key_id, *request.ck_id);
    if (!alias.ok()) {
      (void)DestroyKey(auth, key_id);  // do not leave a half-made key
      return alias;
    }
  }
  for (auto& o : objects) {
    if (request.ck_id) ApplyCkId(*o, *request.ck_id);
    if (!request.token) o->SetBool(CKA_TOKEN, false);
  }
  return objects;
}

}  // namespace kms::p11
