#include "module/ops/key_generation.h"

#include <algorithm>

#include "module/objects/template_reader.h"

namespace kms::p11 {
namespace {

// Accepted and ignored: they carry no meaning for a kmsd key or only
// restate what every kmsd key is.
void IgnoreHarmless(TemplateReader& r) {
  r.Ignore({CKA_SUBJECT, CKA_START_DATE, CKA_END_DATE, CKA_MODIFIABLE,
            CKA_COPYABLE, CKA_DESTROYABLE, CKA_ALLOWED_MECHANISMS});
}

struct Usage {
  CK_ATTRIBUTE_TYPE type;
  const char* wire;
};

// Reads the usage flags in `usages` into `out` (TRUE ones only).
CkStatus ReadUsages(TemplateReader& r, std::initializer_list<Usage> usages,
                    std::vector<std::string>& out) {
  for (const Usage& u : usages) {
    CK_ASSIGN_OR_RETURN(std::optional<bool> v, r.Bool(u.type));
    if (v && *v) out.push_back(u.wire);
  }
  return CkStatus::Ok();
}

// CKA_LABEL, CKA_ID, CKA_TOKEN, CKA_PRIVATE of one template.
struct Common {
  std::optional<std::string> label;
  std::optional<Bytes> id;
  std::optional<bool> token;
};

CkResult<Common> ReadCommon(TemplateReader& r, bool private_object) {
  Common c;
  CK_ASSIGN_OR_RETURN(c.label, r.String(CKA_LABEL));
  CK_ASSIGN_OR_RETURN(const Bytes* id, r.Raw(CKA_ID));
  if (id != nullptr) c.id = *id;
  CK_ASSIGN_OR_RETURN(c.token, r.Bool(CKA_TOKEN));
  // kmsd lists keys only to a logged-in application, so every key object is
  // private. pkcs11-tool asks for CKA_PRIVATE=FALSE on secret keys unless
  // told otherwise; such a template is accepted and the object reports TRUE.
  if (private_object) {
    r.Ignore({CKA_PRIVATE});
  } else {
    CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_PRIVATE, false));
  }
  if (c.id && c.id->size() > 32) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "CKA_ID over 32 bytes");
  }
  if (c.label && (c.label->size() > 120 || c.label->empty())) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "CKA_LABEL of 1-120 bytes");
  }
  return c;
}

// Sensitivity and the flags every kmsd key has.
CkStatus ReadSecretFlags(TemplateReader& r, NewKey& key) {
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_SENSITIVE, true));
  // pkcs11-tool and libp11 ask for CKA_DERIVE=TRUE on EC keys; kmsd offers
  // no key derivation, so the request is accepted and the object reports
  // CKA_DERIVE=FALSE (and no derive mechanism is listed).
  r.Ignore({CKA_DERIVE});
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_ALWAYS_AUTHENTICATE, false));
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_WRAP_WITH_TRUSTED, false));
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_SIGN_RECOVER, false));
  CK_ASSIGN_OR_RETURN(std::optional<bool> extractable, r.Bool(CKA_EXTRACTABLE));
  key.exportable = extractable.value_or(false);
  return CkStatus::Ok();
}

CkResult<KeyAlgorithm> RsaAlgorithm(TemplateReader& pub) {
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> bits,
                      pub.Ulong(CKA_MODULUS_BITS));
  if (!bits) {
    return CkError(CKR_TEMPLATE_INCOMPLETE, "CKA_MODULUS_BITS missing");
  }
  CK_ASSIGN_OR_RETURN(const Bytes* exponent, pub.Raw(CKA_PUBLIC_EXPONENT));
  if (exponent != nullptr) {
    Bytes e = *exponent;
    e.erase(e.begin(),
            std::find_if(e.begin(), e.end(), [](uint8_t b) { return b != 0; }));
    if (e != Bytes{0x01, 0x00, 0x01}) {
      return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                     "only the public exponent 65537 is offered");
    }
  }
  std::optional<KeyAlgorithm> algorithm = RsaAlgorithmForBits(*bits);
  if (!algorithm) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   "CKA_MODULUS_BITS must be 2048, 3072 or 4096");
  }
  return *algorithm;
}

CkResult<KeyAlgorithm> EcAlgorithm(TemplateReader& pub, TemplateReader& priv,
                                   bool edwards) {
  CK_ASSIGN_OR_RETURN(const Bytes* params, pub.Raw(CKA_EC_PARAMS));
  CK_ASSIGN_OR_RETURN(const Bytes* priv_params, priv.Raw(CKA_EC_PARAMS));
  if (params == nullptr) params = priv_params;
  if (params != nullptr && priv_params != nullptr && *params != *priv_params) {
    return CkError(CKR_TEMPLATE_INCONSISTENT, "CKA_EC_PARAMS differ");
  }
  if (params == nullptr) {
    if (edwards) return KeyAlgorithm::kEd25519;
    return CkError(CKR_TEMPLATE_INCOMPLETE, "CKA_EC_PARAMS missing");
  }
  auto algorithm = EcAlgorithmFromParams(View(*params));
  if (!algorithm) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   "CKA_EC_PARAMS names no supported curve");
  }
  if ((*algorithm == KeyAlgorithm::kEd25519) != edwards) {
    return CkError(CKR_TEMPLATE_INCONSISTENT,
                   "CKA_EC_PARAMS do not fit the mechanism");
  }
  return *algorithm;
}

bool Allowed(KeyAlgorithm a, const std::string& usage) {
  if (IsRsa(a)) return true;
  if (IsSymmetric(a) && a != KeyAlgorithm::kHmacSha256) {
    return usage != "sign" && usage != "verify";
  }
  if (a == KeyAlgorithm::kHmacSha256) {
    return usage == "sign" || usage == "verify";
  }
  return usage == "sign" || usage == "verify";  // EC, Ed25519
}

CkStatus CheckUsages(const NewKey& key) {
  for (const auto& u : key.usages) {
    if (!Allowed(key.algorithm, u)) {
      return CkError(
          CKR_TEMPLATE_INCONSISTENT,
          std::string(KeyAlgorithmName(key.algorithm)) + " keys cannot " + u);
    }
  }
  return CkStatus::Ok();
}

// The attributes a new secret key's template shares between C_GenerateKey
// and C_UnwrapKey: label, id, token, usages, flags; then nothing unread.
CkStatus ReadSecretKeyAttributes(TemplateReader& r, NewKey& key) {
  CK_ASSIGN_OR_RETURN(Common c, ReadCommon(r, true));
  key.label = c.label.value_or("");
  key.ck_id = c.id;
  key.token = c.token.value_or(false);
  CK_RETURN_IF_ERROR(ReadUsages(r,
                                {{CKA_ENCRYPT, "encrypt"},
                                 {CKA_DECRYPT, "decrypt"},
                                 {CKA_SIGN, "sign"},
                                 {CKA_VERIFY, "verify"},
                                 {CKA_WRAP, "wrap"},
                                 {CKA_UNWRAP, "unwrap"}},
                                key.usages));
  CK_RETURN_IF_ERROR(r.RequireBoolIfPresent(CKA_TRUSTED, false));
  CK_RETURN_IF_ERROR(ReadSecretFlags(r, key));
  // kmsd verifies an HMAC by computing it: a MAC key that signs verifies.
  if (key.algorithm == KeyAlgorithm::kHmacSha256 && !key.usages.empty()) {
    key.usages = {"sign", "verify"};
  }
  IgnoreHarmless(r);
  CK_RETURN_IF_ERROR(r.CheckAllRead());
  return CheckUsages(key);
}

}  // namespace

CkResult<NewKey> KeyPairRequest(const CK_MECHANISM& mechanism,
                                const AttributeList& public_template,
                                const AttributeList& private_template) {
  TemplateReader pub(public_template);
  TemplateReader priv(private_template);
  NewKey key;
  CK_KEY_TYPE key_type = CKK_RSA;
  switch (mechanism.mechanism) {
    case CKM_RSA_PKCS_KEY_PAIR_GEN: {
      CK_ASSIGN_OR_RETURN(key.algorithm, RsaAlgorithm(pub));
      break;
    }
    case CKM_EC_KEY_PAIR_GEN:
    case CKM_EC_EDWARDS_KEY_PAIR_GEN: {
      bool edwards = mechanism.mechanism == CKM_EC_EDWARDS_KEY_PAIR_GEN;
      CK_ASSIGN_OR_RETURN(key.algorithm, EcAlgorithm(pub, priv, edwards));
      key_type = edwards ? CKK_EC_EDWARDS : CKK_EC;
      break;
    }
    default:
      return CkError(CKR_MECHANISM_INVALID);
  }
  if (mechanism.pParameter != nullptr || mechanism.ulParameterLen != 0) {
    return CkError(CKR_MECHANISM_PARAM_INVALID, "key generation takes none");
  }
  CK_RETURN_IF_ERROR(pub.RequireUlongIfPresent(CKA_CLASS, CKO_PUBLIC_KEY));
  CK_RETURN_IF_ERROR(priv.RequireUlongIfPresent(CKA_CLASS, CKO_PRIVATE_KEY));
  CK_RETURN_IF_ERROR(pub.RequireUlongIfPresent(CKA_KEY_TYPE, key_type));
  CK_RETURN_IF_ERROR(priv.RequireUlongIfPresent(CKA_KEY_TYPE, key_type));
  CK_ASSIGN_OR_RETURN(Common pc, ReadCommon(pub, false));
  CK_ASSIGN_OR_RETURN(Common vc, ReadCommon(priv, true));
  CK_ASSIGN_OR_RETURN(auto label, Agree(pc.label, vc.label, "CKA_LABEL"));
  CK_ASSIGN_OR_RETURN(auto id, Agree(pc.id, vc.id, "CKA_ID"));
  CK_ASSIGN_OR_RETURN(auto token, Agree(pc.token, vc.token, "CKA_TOKEN"));
  key.label = label.value_or("");
  key.ck_id = id;
  key.token = token.value_or(false);
  CK_RETURN_IF_ERROR(ReadUsages(
      pub,
      {{CKA_VERIFY, "verify"}, {CKA_ENCRYPT, "encrypt"}, {CKA_WRAP, "wrap"}},
      key.usages));
  CK_RETURN_IF_ERROR(ReadUsages(
      priv,
      {{CKA_SIGN, "sign"}, {CKA_DECRYPT, "decrypt"}, {CKA_UNWRAP, "unwrap"}},
      key.usages));
  CK_RETURN_IF_ERROR(pub.RequireBoolIfPresent(CKA_VERIFY_RECOVER, false));
  pub.Ignore({CKA_DERIVE});
  CK_RETURN_IF_ERROR(pub.RequireBoolIfPresent(CKA_TRUSTED, false));
  CK_RETURN_IF_ERROR(ReadSecretFlags(priv, key));
  // Public-key attributes the module derives itself.
  pub.Ignore({CKA_EC_PARAMS});
  priv.Ignore({CKA_PUBLIC_EXPONENT, CKA_MODULUS_BITS});
  IgnoreHarmless(pub);
  IgnoreHarmless(priv);
  CK_RETURN_IF_ERROR(pub.CheckAllRead());
  CK_RETURN_IF_ERROR(priv.CheckAllRead());
  CK_RETURN_IF_ERROR(CheckUsages(key));
  return key;
}

CkResult<NewKey> SecretKeyRequest(const CK_MECHANISM& mechanism,
                                  const AttributeList& templ) {
  TemplateReader r(templ);
  NewKey key;
  CK_KEY_TYPE key_type = CKK_AES;
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> length, r.Ulong(CKA_VALUE_LEN));
  switch (mechanism.mechanism) {
    case CKM_AES_KEY_GEN:
      if (!length) {
        return CkError(CKR_TEMPLATE_INCOMPLETE, "CKA_VALUE_LEN missing");
      }
      if (*length != 16 && *length != 32) {
        return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                       "AES keys are 16 or 32 bytes");
      }
      key.algorithm =
          *length == 16 ? KeyAlgorithm::kAes128 : KeyAlgorithm::kAes256;
      break;
    case CKM_GENERIC_SECRET_KEY_GEN:
      if (length && *length != 32) {
        return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                       "generic secrets (HMAC-SHA256) are 32 bytes");
      }
      key.algorithm = KeyAlgorithm::kHmacSha256;
      key_type = CKK_GENERIC_SECRET;
      break;
    default:
      return CkError(CKR_MECHANISM_INVALID);
  }
  if (mechanism.pParameter != nullptr || mechanism.ulParameterLen != 0) {
    return CkError(CKR_MECHANISM_PARAM_INVALID, "key generation takes none");
  }
  CK_RETURN_IF_ERROR(r.RequireUlongIfPresent(CKA_CLASS, CKO_SECRET_KEY));
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> type, r.Ulong(CKA_KEY_TYPE));
  if (type && *type != key_type &&
      !(key_type == CKK_GENERIC_SECRET && *type == CKK_SHA256_HMAC)) {
    return CkError(CKR_TEMPLATE_INCONSISTENT, "CKA_KEY_TYPE contradicts");
  }
  CK_RETURN_IF_ERROR(ReadSecretKeyAttributes(r, key));
  return key;
}

CkResult<NewKey> UnwrapKeyRequest(const AttributeList& templ,
                                  std::optional<CK_ULONG> wrapped_length,
                                  bool padded) {
  TemplateReader r(templ);
  NewKey key;
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> cls, r.Ulong(CKA_CLASS));
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> type, r.Ulong(CKA_KEY_TYPE));
  if (!cls || !type) {
    return CkError(CKR_TEMPLATE_INCOMPLETE, "CKA_CLASS and CKA_KEY_TYPE");
  }
  if (*cls != CKO_SECRET_KEY) {
    return CkError(CKR_TEMPLATE_INCONSISTENT, "only secret keys unwrap");
  }
  const bool aes = *type == CKK_AES;
  if (!aes && *type != CKK_GENERIC_SECRET && *type != CKK_SHA256_HMAC) {
    return CkError(CKR_TEMPLATE_INCONSISTENT,
                   "secret keys are AES or generic secrets (HMAC-SHA256)");
  }
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> length, r.Ulong(CKA_VALUE_LEN));
  const bool length_given = length.has_value();
  if (length && wrapped_length) {
    CK_ULONG rounded = padded ? (*length + 7) / 8 * 8 : *length;
    if (rounded != *wrapped_length) {
      return CkError(CKR_TEMPLATE_INCONSISTENT,
                     "CKA_VALUE_LEN does not fit the wrapped key");
    }
  }
  if (!length) length = wrapped_length;
  if (!length && !aes) length = 32;  // generic secrets are HMAC-SHA256 keys
  if (!length) {
    return CkError(CKR_TEMPLATE_INCOMPLETE, "CKA_VALUE_LEN missing");
  }
  if (aes && (*length == 16 || *length == 32)) {
    key.algorithm =
        *length == 16 ? KeyAlgorithm::kAes128 : KeyAlgorithm::kAes256;
  } else if (!aes && *length == 32) {
    key.algorithm = KeyAlgorithm::kHmacSha256;
  } else if (!length_given) {
    return CkError(CKR_WRAPPED_KEY_LEN_RANGE,
                   "the wrapped key has no length kmsd offers");
  } else {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   aes ? "AES keys are 16 or 32 bytes"
                       : "generic secrets (HMAC-SHA256) are 32 bytes");
  }
  CK_RETURN_IF_ERROR(ReadSecretKeyAttributes(r, key));
  return key;
}

}  // namespace kms::p11
