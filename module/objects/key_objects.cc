#include "module/objects/key_objects.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "common/encoding.h"
#include "common/logging.h"

namespace kms::p11 {
namespace {

struct KeyFacts {
  std::string id;
  std::string label;
  KeyAlgorithm algorithm;
  std::set<std::string> usages;
  bool exportable = false;
  bool imported = false;
};

struct VersionFacts {
  int version = 0;
  bool primary = false;
  Bytes spki;
};

CK_MECHANISM_TYPE GenerationMechanism(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kAes128:
    case KeyAlgorithm::kAes256:
      return CKM_AES_KEY_GEN;
    case KeyAlgorithm::kHmacSha256:
      return CKM_GENERIC_SECRET_KEY_GEN;
    case KeyAlgorithm::kEd25519:
      return CKM_EC_EDWARDS_KEY_PAIR_GEN;
    default:
      return IsRsa(a) ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN;
  }
}

Bytes BignumBytes(EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return {};
  BignumPtr bn(raw);
  Bytes out(BN_num_bytes(bn.get()));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

CkResult<Bytes> EcPoint(EVP_PKEY* pkey, KeyAlgorithm a) {
  if (a == KeyAlgorithm::kEd25519) {
    Bytes raw(32);
    size_t len = raw.size();
    if (EVP_PKEY_get_raw_public_key(pkey, raw.data(), &len) != 1) {
      return CkError(CKR_DEVICE_ERROR, "Ed25519 public key unreadable");
    }
    raw.resize(len);
    return DerOctetString(raw);
  }
  // OSSL_PKEY_PARAM_PUB_KEY comes out compressed when the host process made
  // an engine the default (openssl -engine pkcs11: keys are then legacy
  // ones); Java and others cannot read that, so convert to uncompressed.
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0,
                                      &len) != 1) {
    return CkError(CKR_DEVICE_ERROR, "EC public key unreadable");
  }
  Bytes encoded(len);
  if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY,
                                      encoded.data(), encoded.size(),
                                      &len) != 1) {
    return CkError(CKR_DEVICE_ERROR, "EC public key unreadable");
  }
  using EcGroupPtr = std::unique_ptr<EC_GROUP, OpenSslDeleter<EC_GROUP_free>>;
  using EcPointPtr = std::unique_ptr<EC_POINT, OpenSslDeleter<EC_POINT_free>>;
  EcGroupPtr group(EC_GROUP_new_by_curve_name(
      a == KeyAlgorithm::kEcP384 ? NID_secp384r1 : NID_X9_62_prime256v1));
  EcPointPtr ec_point(group ? EC_POINT_new(group.get()) : nullptr);
  Bytes point(1 + 2 * FieldBytes(a));
  if (!ec_point ||
      EC_POINT_oct2point(group.get(), ec_point.get(), encoded.data(), len,
                         nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), ec_point.get(),
                         POINT_CONVERSION_UNCOMPRESSED, point.data(),
                         point.size(), nullptr) != point.size()) {
    return CkError(CKR_DEVICE_ERROR, "EC public key unreadable");
  }
  return DerOctetString(point);
}

void SetCommon(P11Object& o, const KeyFacts& k, const VersionFacts& v,
               CK_OBJECT_CLASS cls) {
  std::string suffix = v.primary ? "" : VersionSuffix(v.version);
  o.set_class(cls);
  o.set_algorithm(k.algorithm);
  o.set_key_id(k.id);
  o.set_version(v.primary ? 0 : v.version);
  o.set_identity(k.id + "/" + std::to_string(cls) + "/" +
                 (v.primary ? std::string("primary") : suffix));
  o.SetUlong(CKA_CLASS, cls);
  o.SetBool(CKA_TOKEN, true);
  o.SetBool(CKA_PRIVATE, cls != CKO_PUBLIC_KEY);
  // CKA_LABEL and CKA_ID of the primary version may be changed
  // (C_SetAttributeValue); older versions are read-only.
  o.SetBool(CKA_MODIFIABLE, v.primary);
  o.SetBool(CKA_COPYABLE, false);
  // A public key goes with its private key (destroy that one).
  o.SetBool(CKA_DESTROYABLE, cls != CKO_PUBLIC_KEY);
  o.SetString(CKA_LABEL, k.label + suffix);
  o.SetString(CKA_ID, k.id + suffix);
  o.SetUlong(CKA_KEY_TYPE, CkKeyType(k.algorithm));
  o.SetBytes(CKA_START_DATE, {});
  o.SetBytes(CKA_END_DATE, {});
  o.SetBool(CKA_DERIVE, false);
  o.SetBool(CKA_LOCAL, !k.imported);
  o.SetUlong(CKA_KEY_GEN_MECHANISM, k.imported
                                        ? CK_UNAVAILABLE_INFORMATION
                                        : GenerationMechanism(k.algorithm));
}

void SetSecretFacts(P11Object& o, const KeyFacts& k) {
  o.SetBool(CKA_SENSITIVE, true);
  o.SetBool(CKA_ALWAYS_SENSITIVE, !k.imported);
  o.SetBool(CKA_EXTRACTABLE, k.exportable);
  o.SetBool(CKA_NEVER_EXTRACTABLE, !k.exportable && !k.imported);
  o.SetBool(CKA_WRAP_WITH_TRUSTED, false);
  o.SetBool(CKA_ALWAYS_AUTHENTICATE, false);
}

CkResult<std::shared_ptr<EVP_PKEY>> ParseSpki(const Bytes& spki) {
  const unsigned char* p = spki.data();
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size()));
  if (raw == nullptr) {
    return CkError(CKR_DEVICE_ERROR, "server sent an unreadable public key");
  }
  return std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free);
}

CkStatus AddAsymmetric(const KeyFacts& k, const VersionFacts& v,
                       std::vector<std::shared_ptr<P11Object>>& out) {
  CK_ASSIGN_OR_RETURN(std::shared_ptr<EVP_PKEY> pkey, ParseSpki(v.spki));
  auto priv = std::make_shared<P11Object>();
  auto pub = std::make_shared<P11Object>();
  SetCommon(*priv, k, v, CKO_PRIVATE_KEY);
  SetCommon(*pub, k, v, CKO_PUBLIC_KEY);
  priv->set_public_key(pkey);
  pub->set_public_key(pkey);
  SetSecretFacts(*priv, k);
  priv->SetBytes(CKA_SUBJECT, {});
  pub->SetBytes(CKA_SUBJECT, {});
  priv->SetBool(CKA_SIGN, k.usages.count("sign") > 0);
  priv->SetBool(CKA_SIGN_RECOVER, false);
  priv->SetBool(CKA_DECRYPT, k.usages.count("decrypt") > 0);
  priv->SetBool(CKA_UNWRAP, k.usages.count("unwrap") > 0);
  pub->SetBool(CKA_VERIFY,
               k.usages.count("verify") > 0 || k.usages.count("sign") > 0);
  pub->SetBool(CKA_VERIFY_RECOVER, false);
  pub->SetBool(CKA_ENCRYPT,
               k.usages.count("encrypt") > 0 || k.usages.count("decrypt") > 0);
  pub->SetBool(CKA_WRAP, k.usages.count("wrap") > 0);
  pub->SetBool(CKA_TRUSTED, false);
  CK_RETURN_IF_ERROR(
      SetPublicKeyAttributes(*priv, k.algorithm, v.spki, pkey, false));
  CK_RETURN_IF_ERROR(
      SetPublicKeyAttributes(*pub, k.algorithm, v.spki, pkey, true));
  if (IsRsa(k.algorithm)) {
    for (CK_ATTRIBUTE_TYPE t :
         {CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1,
          CKA_EXPONENT_2, CKA_COEFFICIENT}) {
      priv->SetSensitive(t);
    }
  } else {
    priv->SetSensitive(CKA_VALUE);
  }
  out.push_back(std::move(priv));
  out.push_back(std::move(pub));
  return CkStatus::Ok();
}

void AddSecret(const KeyFacts& k, const VersionFacts& v,
               std::vector<std::shared_ptr<P11Object>>& out) {
  auto o = std::make_shared<P11Object>();
  SetCommon(*o, k, v, CKO_SECRET_KEY);
  SetSecretFacts(*o, k);
  bool hmac = k.algorithm == KeyAlgorithm::kHmacSha256;
  o->SetBool(CKA_ENCRYPT, k.usages.count("encrypt") > 0);
  o->SetBool(CKA_DECRYPT, k.usages.count("decrypt") > 0);
  o->SetBool(CKA_SIGN, hmac || k.usages.count("sign") > 0);
  o->SetBool(CKA_VERIFY, hmac || k.usages.count("verify") > 0);
  o->SetBool(CKA_WRAP, k.usages.count("wrap") > 0);
  o->SetBool(CKA_UNWRAP, k.usages.count("unwrap") > 0);
  o->SetBool(CKA_TRUSTED, false);
  o->SetUlong(CKA_VALUE_LEN, SecretKeyBytes(k.algorithm));
  o->SetSensitive(CKA_VALUE);
  out.push_back(std::move(o));
}

std::string StringField(const cJSON* o, const char* name) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsString(v) ? v->valuestring : "";
}

}  // namespace

CkStatus SetPublicKeyAttributes(P11Object& o, KeyAlgorithm algorithm,
                                const Bytes& spki,
                                std::shared_ptr<EVP_PKEY> pkey,
                                bool with_point) {
  o.SetBytes(CKA_PUBLIC_KEY_INFO, spki);
  if (IsRsa(algorithm)) {
    Bytes n = BignumBytes(pkey.get(), OSSL_PKEY_PARAM_RSA_N);
    Bytes e = BignumBytes(pkey.get(), OSSL_PKEY_PARAM_RSA_E);
    o.SetUlong(CKA_MODULUS_BITS, n.size() * 8);
    o.SetBytes(CKA_MODULUS, n);
    o.SetBytes(CKA_PUBLIC_EXPONENT, e);
  } else {
    o.SetBytes(CKA_EC_PARAMS, EcParamsDer(algorithm));
    if (with_point) {
      CK_ASSIGN_OR_RETURN(Bytes point, EcPoint(pkey.get(), algorithm));
      o.SetBytes(CKA_EC_POINT, point);
    }
  }
  o.set_public_key(std::move(pkey));
  return CkStatus::Ok();
}

std::optional<KeyAlgorithm> PublicKeyAlgorithm(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyAlgorithm::kEd25519;
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    return RsaAlgorithmForBits(EVP_PKEY_get_bits(pkey));
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                       sizeof(group), &len) != 1) {
      return std::nullopt;
    }
    std::string name(group, len);
    if (name == "prime256v1" || name == "P-256") return KeyAlgorithm::kEcP256;
    if (name == "secp384r1" || name == "P-384") return KeyAlgorithm::kEcP384;
  }
  return std::nullopt;
}

std::string VersionSuffix(int version) {
  return ":v" + std::to_string(version);
}

Bytes DerOctetString(ByteView content) {
  Bytes out = {0x04};
  size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else if (n < 0x100) {
    out.insert(out.end(), {0x81, static_cast<uint8_t>(n)});
  } else {
    out.insert(out.end(), {0x82, static_cast<uint8_t>(n >> 8),
                           static_cast<uint8_t>(n & 0xff)});
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

CkResult<std::vector<std::shared_ptr<P11Object>>> ObjectsForKey(
    const cJSON* key) {
  std::vector<std::shared_ptr<P11Object>> out;
  KeyFacts k;
  k.id = StringField(key, "id");
  k.label = StringField(key, "label");
  auto algorithm = ParseKeyAlgorithm(StringField(key, "algorithm"));
  if (!algorithm || k.id.empty()) {
    KMS_LOG(kDebug) << "skipping key \"" << k.id << "\" of algorithm "
                    << StringField(key, "algorithm");
    return out;
  }
  k.algorithm = *algorithm;
  const cJSON* usages = cJSON_GetObjectItemCaseSensitive(key, "usages");
  const cJSON* u = nullptr;
  cJSON_ArrayForEach(u, usages) {
    if (cJSON_IsString(u)) k.usages.insert(u->valuestring);
  }
  k.exportable =
      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(key, "exportable"));
  k.imported = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(key, "imported"));
  const cJSON* primary =
      cJSON_GetObjectItemCaseSensitive(key, "primary_version");
  int primary_version = cJSON_IsNumber(primary) ? primary->valueint : 0;
  const cJSON* versions = cJSON_GetObjectItemCaseSensitive(key, "versions");
  const cJSON* item = nullptr;
  cJSON_ArrayForEach(item, versions) {
    if (StringField(item, "state") != "ENABLED") continue;
    VersionFacts v;
    const cJSON* number = cJSON_GetObjectItemCaseSensitive(item, "version");
    if (!cJSON_IsNumber(number)) continue;
    v.version = number->valueint;
    v.primary = v.version == primary_version;
    if (IsSymmetric(k.algorithm)) {
      AddSecret(k, v, out);
      continue;
    }
    auto spki = Base64Decode(StringField(item, "public_key"));
    if (!spki.ok() || spki->empty()) {
      return CkError(CKR_DEVICE_ERROR, "key " + k.id + " version " +
                                           std::to_string(v.version) +
                                           " has no public key");
    }
    v.spki = std::move(spki).value();
    CK_RETURN_IF_ERROR(AddAsymmetric(k, v, out));
  }
  return out;
}

}  // namespace kms::p11
