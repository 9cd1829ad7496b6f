#include "module/objects/key_material.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include <string>

#include "common/openssl_raii.h"
#include "common/status.h"
#include "module/objects/key_objects.h"

namespace kms::p11 {
namespace {

using ParamBldPtr =
    std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter<OSSL_PARAM_BLD_free>>;
// Private components pushed as secure BIGNUMs land in the secure heap,
// which OSSL_PARAM_free clears.
using ParamsPtr = std::unique_ptr<OSSL_PARAM, OpenSslDeleter<OSSL_PARAM_free>>;
using Pkcs8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO,
                                 OpenSslDeleter<PKCS8_PRIV_KEY_INFO_free>>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, OpenSslDeleter<EC_GROUP_free>>;
using EcPointPtr =
    std::unique_ptr<EC_POINT, OpenSslDeleter<EC_POINT_clear_free>>;

CkStatus Invalid(const std::string& what) {
  ERR_clear_error();
  return CkError(CKR_ATTRIBUTE_VALUE_INVALID, what);
}

CkResult<const Bytes*> Required(TemplateReader& r, CK_ATTRIBUTE_TYPE type,
                                const char* name) {
  CK_ASSIGN_OR_RETURN(const Bytes* value, r.Raw(type));
  if (value == nullptr) {
    return CkError(CKR_TEMPLATE_INCOMPLETE, std::string(name) + " missing");
  }
  if (value->empty()) return Invalid(std::string(name) + " is empty");
  return value;
}

// A big-endian integer in BIGNUM memory that is wiped on release.
CkResult<BignumPtr> Bignum(const Bytes& value) {
  BignumPtr bn(BN_secure_new());
  if (!bn || BN_bin2bn(value.data(), static_cast<int>(value.size()),
                       bn.get()) == nullptr) {
    return CkError(CKR_HOST_MEMORY, "BIGNUM");
  }
  return bn;
}

CkResult<EvpPkeyPtr> FromData(const char* type, OSSL_PARAM_BLD* builder,
                              int selection, const char* what) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(builder));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
    return Invalid(std::string("not a valid ") + what);
  }
  return EvpPkeyPtr(raw);
}

// The curve's field size and OpenSSL names, or CKR_ATTRIBUTE_VALUE_INVALID.
CkResult<KeyAlgorithm> Curve(TemplateReader& r, CK_KEY_TYPE type) {
  CK_ASSIGN_OR_RETURN(const Bytes* params,
                      Required(r, CKA_EC_PARAMS, "CKA_EC_PARAMS"));
  auto algorithm = EcAlgorithmFromParams(View(*params));
  if (!algorithm) return Invalid("CKA_EC_PARAMS names no supported curve");
  if ((*algorithm == KeyAlgorithm::kEd25519) != (type == CKK_EC_EDWARDS)) {
    return CkError(CKR_TEMPLATE_INCONSISTENT,
                   "CKA_EC_PARAMS do not fit CKA_KEY_TYPE");
  }
  return *algorithm;
}

// `value` bare (of `size` bytes) or wrapped in a DER OCTET STRING.
CkResult<Bytes> Unwrapped(const Bytes& value, size_t size, const char* name) {
  if (value.size() == size) return value;
  const unsigned char* p = value.data();
  Asn1OctetStringPtr octets(
      d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(value.size())));
  if (!octets || p != value.data() + value.size() ||
      static_cast<size_t>(ASN1_STRING_length(octets.get())) != size) {
    return Invalid(std::string(name) + " has the wrong length or encoding");
  }
  const unsigned char* data = ASN1_STRING_get0_data(octets.get());
  return Bytes(data, data + size);
}

const char* GroupName(KeyAlgorithm a) {
  return a == KeyAlgorithm::kEcP256 ? "P-256" : "P-384";
}

CkResult<Bytes> Spki(EVP_PKEY* pkey) {
  int size = i2d_PUBKEY(pkey, nullptr);
  if (size <= 0) return Invalid("public key not encodable");
  Bytes der(static_cast<size_t>(size));
  unsigned char* p = der.data();
  if (i2d_PUBKEY(pkey, &p) != size) return Invalid("public key not encodable");
  return der;
}

CkResult<SecureBytes> Pkcs8(EVP_PKEY* pkey) {
  Pkcs8Ptr p8(EVP_PKEY2PKCS8(pkey));
  int size = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr) : 0;
  if (size <= 0) return Invalid("private key not encodable");
  SecureBytes der(static_cast<size_t>(size));
  unsigned char* p = der.data();
  if (i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &p) != size) {
    return Invalid("private key not encodable");
  }
  return der;
}

// The full consistency check (RSA CRT values, EC scalar range).
CkStatus CheckKey(EVP_PKEY* pkey, const char* what) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_check(ctx.get()) != 1) {
    return Invalid(std::string("inconsistent ") + what);
  }
  return CkStatus::Ok();
}

CkResult<KeyAlgorithm> SupportedAlgorithm(EVP_PKEY* pkey) {
  auto algorithm = PublicKeyAlgorithm(pkey);
  if (!algorithm) {
    return Invalid("RSA keys must have 2048, 3072 or 4096 bits");
  }
  return *algorithm;
}

CkResult<EvpPkeyPtr> RsaPublic(TemplateReader& r) {
  CK_ASSIGN_OR_RETURN(const Bytes* n, Required(r, CKA_MODULUS, "CKA_MODULUS"));
  CK_ASSIGN_OR_RETURN(const Bytes* e,
                      Required(r, CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT"));
  CK_ASSIGN_OR_RETURN(BignumPtr bn_n, Bignum(*n));
  CK_ASSIGN_OR_RETURN(BignumPtr bn_e, Bignum(*e));
  ParamBldPtr b(OSSL_PARAM_BLD_new());
  if (!b ||
      OSSL_PARAM_BLD_push_BN(b.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(b.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return CkError(CKR_HOST_MEMORY, "parameters");
  }
  return FromData("RSA", b.get(), EVP_PKEY_PUBLIC_KEY, "RSA public key");
}

CkResult<EvpPkeyPtr> EcPublic(TemplateReader& r, KeyAlgorithm a) {
  CK_ASSIGN_OR_RETURN(const Bytes* point,
                      Required(r, CKA_EC_POINT, "CKA_EC_POINT"));
  if (a == KeyAlgorithm::kEd25519) {
    CK_ASSIGN_OR_RETURN(Bytes raw, Unwrapped(*point, 32, "CKA_EC_POINT"));
    EvpPkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                raw.data(), raw.size()));
    if (!pkey) return Invalid("not a valid Ed25519 public key");
    return pkey;
  }
  CK_ASSIGN_OR_RETURN(Bytes raw,
                      Unwrapped(*point, 1 + 2 * FieldBytes(a), "CKA_EC_POINT"));
  ParamBldPtr b(OSSL_PARAM_BLD_new());
  if (!b ||
      OSSL_PARAM_BLD_push_utf8_string(b.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      GroupName(a), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(b.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       raw.data(), raw.size()) != 1) {
    return CkError(CKR_HOST_MEMORY, "parameters");
  }
  CK_ASSIGN_OR_RETURN(
      EvpPkeyPtr pkey,
      FromData("EC", b.get(), EVP_PKEY_PUBLIC_KEY, "EC public key"));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
    return Invalid("CKA_EC_POINT is not a point of the curve");
  }
  return pkey;
}

CkResult<EvpPkeyPtr> RsaPrivate(TemplateReader& r) {
  struct Part {
    CK_ATTRIBUTE_TYPE type;
    const char* name;
    const char* param;
  };
  const Part parts[] = {
      {CKA_MODULUS, "CKA_MODULUS", OSSL_PKEY_PARAM_RSA_N},
      {CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT", OSSL_PKEY_PARAM_RSA_E},
      {CKA_PRIVATE_EXPONENT, "CKA_PRIVATE_EXPONENT", OSSL_PKEY_PARAM_RSA_D},
      {CKA_PRIME_1, "CKA_PRIME_1", OSSL_PKEY_PARAM_RSA_FACTOR1},
      {CKA_PRIME_2, "CKA_PRIME_2", OSSL_PKEY_PARAM_RSA_FACTOR2},
      {CKA_EXPONENT_1, "CKA_EXPONENT_1", OSSL_PKEY_PARAM_RSA_EXPONENT1},
      {CKA_EXPONENT_2, "CKA_EXPONENT_2", OSSL_PKEY_PARAM_RSA_EXPONENT2},
      {CKA_COEFFICIENT, "CKA_COEFFICIENT", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
  };
  ParamBldPtr b(OSSL_PARAM_BLD_new());
  if (!b) return CkError(CKR_HOST_MEMORY, "parameters");
  std::vector<BignumPtr> numbers;  // must outlive the builder's use
  for (const Part& part : parts) {
    CK_ASSIGN_OR_RETURN(const Bytes* value, Required(r, part.type, part.name));
    CK_ASSIGN_OR_RETURN(BignumPtr bn, Bignum(*value));
    if (OSSL_PARAM_BLD_push_BN(b.get(), part.param, bn.get()) != 1) {
      return CkError(CKR_HOST_MEMORY, "parameters");
    }
    numbers.push_back(std::move(bn));
  }
  CK_ASSIGN_OR_RETURN(
      EvpPkeyPtr pkey,
      FromData("RSA", b.get(), EVP_PKEY_KEYPAIR, "RSA private key"));
  CK_RETURN_IF_ERROR(CheckKey(pkey.get(), "RSA private key components"));
  return pkey;
}

CkResult<EvpPkeyPtr> EcPrivate(TemplateReader& r, KeyAlgorithm a) {
  CK_ASSIGN_OR_RETURN(const Bytes* value, Required(r, CKA_VALUE, "CKA_VALUE"));
  if (a == KeyAlgorithm::kEd25519) {
    CK_ASSIGN_OR_RETURN(Bytes raw, Unwrapped(*value, 32, "CKA_VALUE"));
    EvpPkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                                 raw.data(), raw.size()));
    SecureWipe(raw.data(), raw.size());
    if (!pkey) return Invalid("not a valid Ed25519 private key");
    return pkey;
  }
  if (value->size() > FieldBytes(a)) return Invalid("CKA_VALUE too long");
  CK_ASSIGN_OR_RETURN(BignumPtr d, Bignum(*value));
  // The public point, which PKCS#8 carries and kmsd needs: d x G.
  EcGroupPtr group(EC_GROUP_new_by_curve_name(
      a == KeyAlgorithm::kEcP256 ? NID_X9_62_prime256v1 : NID_secp384r1));
  EcPointPtr point(group ? EC_POINT_new(group.get()) : nullptr);
  if (!point || BN_is_zero(d.get()) ||
      BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0 ||
      EC_POINT_mul(group.get(), point.get(), d.get(), nullptr, nullptr,
                   nullptr) != 1) {
    return Invalid("CKA_VALUE is not a private key of the curve");
  }
  Bytes pub(1 + 2 * FieldBytes(a));
  if (EC_POINT_point2oct(group.get(), point.get(),
                         POINT_CONVERSION_UNCOMPRESSED, pub.data(), pub.size(),
                         nullptr) != pub.size()) {
    return Invalid("EC public point");
  }
  ParamBldPtr b(OSSL_PARAM_BLD_new());
  if (!b ||
      OSSL_PARAM_BLD_push_utf8_string(b.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      GroupName(a), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(b.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       pub.data(), pub.size()) != 1 ||
      OSSL_PARAM_BLD_push_BN(b.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1) {
    return CkError(CKR_HOST_MEMORY, "parameters");
  }
  return FromData("EC", b.get(), EVP_PKEY_KEYPAIR, "EC private key");
}

}  // namespace

CkResult<PublicKeyMaterial> PublicKeyFromTemplate(TemplateReader& r,
                                                  CK_KEY_TYPE type) {
  EvpPkeyPtr pkey;
  switch (type) {
    case CKK_RSA: {
      CK_ASSIGN_OR_RETURN(pkey, RsaPublic(r));
      break;
    }
    case CKK_EC:
    case CKK_EC_EDWARDS: {
      CK_ASSIGN_OR_RETURN(KeyAlgorithm a, Curve(r, type));
      CK_ASSIGN_OR_RETURN(pkey, EcPublic(r, a));
      break;
    }
    default:
      return Invalid("CKA_KEY_TYPE not supported for public keys");
  }
  PublicKeyMaterial out;
  CK_ASSIGN_OR_RETURN(out.algorithm, SupportedAlgorithm(pkey.get()));
  CK_ASSIGN_OR_RETURN(out.spki, Spki(pkey.get()));
  return out;
}

CkResult<PrivateKeyMaterial> PrivateKeyFromTemplate(TemplateReader& r,
                                                    CK_KEY_TYPE type) {
  EvpPkeyPtr pkey;
  switch (type) {
    case CKK_RSA: {
      CK_ASSIGN_OR_RETURN(pkey, RsaPrivate(r));
      break;
    }
    case CKK_EC:
    case CKK_EC_EDWARDS: {
      CK_ASSIGN_OR_RETURN(KeyAlgorithm a, Curve(r, type));
      CK_ASSIGN_OR_RETURN(pkey, EcPrivate(r, a));
      break;
    }
    default:
      return Invalid("CKA_KEY_TYPE not supported for private keys");
  }
  PrivateKeyMaterial out;
  CK_ASSIGN_OR_RETURN(out.algorithm, SupportedAlgorithm(pkey.get()));
  CK_ASSIGN_OR_RETURN(out.pkcs8, Pkcs8(pkey.get()));
  return out;
}

}  // namespace kms::p11
