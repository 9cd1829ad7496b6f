// C_CreateObject, C_DestroyObject, C_SetAttributeValue and C_GetObjectSize
// through the module against a real kmsd: certificates, data objects and
// public keys stored in the key ring (or kept as session objects), keys
// imported from templates, attributes checked against OpenSSL's view of the
// same bytes and every key used and checked with OpenSSL.
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "tests/integration/openssl_check.h"
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

using ObjectManagementTest = ModuleTest;

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;
CK_BYTE kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
CK_BYTE kEd25519Oid[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
CK_OBJECT_CLASS kCertClass = CKO_CERTIFICATE;
CK_OBJECT_CLASS kDataClass = CKO_DATA;
CK_OBJECT_CLASS kPublicClass = CKO_PUBLIC_KEY;
CK_OBJECT_CLASS kPrivateClass = CKO_PRIVATE_KEY;
CK_OBJECT_CLASS kSecretClass = CKO_SECRET_KEY;
CK_CERTIFICATE_TYPE kX509 = CKC_X_509;

CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE t, const void* v, CK_ULONG n) {
  return {t, const_cast<void*>(v), n};
}
CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE t, const Bytes& v) {
  return Attr(t, v.data(), v.size());
}
CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE t, const std::string& v) {
  return Attr(t, v.data(), v.size());
}
template <typename T>
CK_ATTRIBUTE Ulong(CK_ATTRIBUTE_TYPE t, T* v) {
  return Attr(t, v, sizeof(*v));
}

Bytes ToB(const std::string& s) { return Bytes(s.begin(), s.end()); }

template <typename T, int (*Encode)(const T*, unsigned char**)>
Bytes Der(const T* value) {
  int n = Encode(value, nullptr);
  Bytes out(n > 0 ? n : 0);
  unsigned char* p = out.data();
  Encode(value, &p);
  return out;
}

// OpenSSL's own reading of a certificate, to compare the module's with.
struct CertView {
  Bytes subject, issuer, serial;
};
CertView ViewOf(const Bytes& der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, der.size()));
  if (!cert) return {};
  return {
      Der<X509_NAME, i2d_X509_NAME>(X509_get_subject_name(cert.get())),
      Der<X509_NAME, i2d_X509_NAME>(X509_get_issuer_name(cert.get())),
      Der<ASN1_INTEGER, i2d_ASN1_INTEGER>(X509_get0_serialNumber(cert.get()))};
}

// A certificate for `key` with subject CN=cn, issued by CN=issuer_cn with
// `issuer_key`, serial 0x0102030405.
Bytes IssuedCertificate(EVP_PKEY* key, const std::string& cn,
                        EVP_PKEY* issuer_key, const std::string& issuer_cn) {
  X509Ptr cert(X509_new());
  BignumPtr serial(BN_new());
  BN_set_word(serial.get(), 0x0102030405);
  X509_set_version(cert.get(), 2);
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L);
  X509_set_pubkey(cert.get(), key);
  X509_NAME_add_entry_by_txt(
      X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(
      X509_get_issuer_name(cert.get()), "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(issuer_cn.c_str()), -1, -1, 0);
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) return {};
  return Der<X509, i2d_X509>(cert.get());
}

Bytes Bn(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  EVP_PKEY_get_bn_param(key, name, &raw);
  BignumPtr bn(raw);
  Bytes out(bn ? BN_num_bytes(bn.get()) : 0);
  if (bn) BN_bn2bin(bn.get(), out.data());
  return out;
}

Bytes OctetString(const Bytes& content) {
  Bytes out(2 + content.size());
  out[0] = 0x04;
  out[1] = static_cast<uint8_t>(content.size());
  std::copy(content.begin(), content.end(), out.begin() + 2);
  return out;
}

Bytes EcPoint(EVP_PKEY* key) {
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0,
                                  &len);
  Bytes point(len);
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                  point.size(), &len);
  return point;
}

Bytes RawKey(EVP_PKEY* key, bool is_private) {
  Bytes out(32);
  size_t len = out.size();
  if (is_private) {
    EVP_PKEY_get_raw_private_key(key, out.data(), &len);
  } else {
    EVP_PKEY_get_raw_public_key(key, out.data(), &len);
  }
  return out;
}

// An ECDSA signature by OpenSSL, as PKCS#11's r||s.
Bytes EcdsaRaw(EVP_PKEY* key, const Bytes& digest) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  size_t len = 0;
  EVP_PKEY_sign_init(ctx.get());
  EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size());
  Bytes der(len);
  EVP_PKEY_sign(ctx.get(), der.data(), &len, digest.data(), digest.size());
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, len);
  Bytes raw(64);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

Bytes SignWith(EVP_PKEY* key, const EVP_MD* md, const Bytes& message) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key);
  EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size());
  Bytes sig(len);
  EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size());
  sig.resize(len);
  return sig;
}

class Objects : public ObjectManagementTest {
 protected:
  CK_RV Create(CK_SESSION_HANDLE s, std::vector<CK_ATTRIBUTE> t,
               CK_OBJECT_HANDLE* h) {
    return p11()->C_CreateObject(s, t.data(), t.size(), h);
  }
  CK_OBJECT_HANDLE CreateOk(CK_SESSION_HANDLE s, std::vector<CK_ATTRIBUTE> t) {
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    EXPECT_CKR(CKR_OK, Create(s, t, &h));
    return h;
  }
  // The template points into copies kept for the test's lifetime.
  std::vector<CK_ATTRIBUTE> CertTemplate(const Bytes& der, const Bytes& id,
                                         const std::string& label,
                                         CK_BBOOL* token = &kTrue) {
    const Bytes& d = kept_.emplace_back(der);
    const Bytes& i = kept_.emplace_back(id);
    const Bytes& l = kept_.emplace_back(ToB(label));
    return {Ulong(CKA_CLASS, &kCertClass),
            Ulong(CKA_CERTIFICATE_TYPE, &kX509),
            Attr(CKA_TOKEN, token, 1),
            Attr(CKA_VALUE, d),
            Attr(CKA_ID, i),
            Attr(CKA_LABEL, l)};
  }
  std::deque<Bytes> kept_;
  CK_RV Verify(CK_SESSION_HANDLE s, CK_MECHANISM m, CK_OBJECT_HANDLE key,
               const Bytes& data, const Bytes& sig) {
    CK_RV rv = p11()->C_VerifyInit(s, &m, key);
    if (rv != CKR_OK) return rv;
    return p11()->C_Verify(s, const_cast<uint8_t*>(data.data()), data.size(),
                           const_cast<uint8_t*>(sig.data()), sig.size());
  }
  Bytes Sign(CK_SESSION_HANDLE s, CK_MECHANISM m, CK_OBJECT_HANDLE key,
             const Bytes& data) {
    EXPECT_CKR(CKR_OK, p11()->C_SignInit(s, &m, key));
    CK_ULONG len = 0;
    EXPECT_CKR(CKR_OK, p11()->C_Sign(s, const_cast<uint8_t*>(data.data()),
                                     data.size(), nullptr, &len));
    Bytes sig(len);
    EXPECT_CKR(CKR_OK, p11()->C_Sign(s, const_cast<uint8_t*>(data.data()),
                                     data.size(), sig.data(), &len));
    sig.resize(len);
    return sig;
  }
};

TEST_F(Objects, CertificateAttributesAgreeWithOpenSsl) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  EvpPkeyPtr ca = GenerateEc("P-256");
  EvpPkeyPtr leaf = GenerateEc("P-256");
  Bytes der = IssuedCertificate(leaf.get(), "leaf.example", ca.get(), "My CA");
  ASSERT_FALSE(der.empty());
  Bytes id = {0x42, 0x43};
  CK_OBJECT_HANDLE h = CreateOk(s, CertTemplate(der, id, "leaf-cert"));
  ASSERT_NE(h, CK_INVALID_HANDLE);
  CertView v = ViewOf(der);
  EXPECT_EQ(Attribute(s, h, CKA_VALUE), der);
  EXPECT_EQ(Attribute(s, h, CKA_SUBJECT), v.subject);
  EXPECT_EQ(Attribute(s, h, CKA_ISSUER), v.issuer);
  EXPECT_NE(v.subject, v.issuer);
  EXPECT_EQ(Attribute(s, h, CKA_SERIAL_NUMBER), v.serial);
  EXPECT_EQ(Attribute(s, h, CKA_SERIAL_NUMBER),
            (Bytes{0x02, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05}));
  EXPECT_EQ(Attribute(s, h, CKA_ID), id);
  EXPECT_EQ(Attribute(s, h, CKA_LABEL), ToB("leaf-cert"));
  EXPECT_EQ(Attribute(s, h, CKA_TRUSTED), Bytes{CK_FALSE});
  EXPECT_EQ(Attribute(s, h, CKA_PRIVATE), Bytes{CK_FALSE});
  EXPECT_EQ(Attribute(s, h, CKA_TOKEN), Bytes{CK_TRUE});
  Bytes sha1 = Digest(EVP_sha1(), View(der));
  EXPECT_EQ(Attribute(s, h, CKA_CHECK_VALUE),
            Bytes(sha1.begin(), sha1.begin() + 3));
  EXPECT_EQ(Attribute(s, h, CKA_PUBLIC_KEY_INFO), PublicKeySpki(leaf.get()));
  EXPECT_EQ(Attribute(s, h, CKA_START_DATE).size(), 8u);
  EXPECT_EQ(Attribute(s, h, CKA_URL), Bytes());
  Bytes type = Attribute(s, h, CKA_CERTIFICATE_TYPE);
  ASSERT_EQ(type.size(), sizeof(CK_ULONG));
  CK_ULONG t = 0;
  std::memcpy(&t, type.data(), sizeof(t));
  EXPECT_EQ(t, CKC_X_509);

  // Stored on the server: a fresh library instance finds it by CKA_ID.
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  s = OpenLoggedIn();
  auto found = Find(s, {Attr(CKA_ID, id), Ulong(CKA_CLASS, &kCertClass)});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(Attribute(s, found[0], CKA_ISSUER), v.issuer);

  // Destroyed: gone at once and for the next instance too.
  ASSERT_CKR(CKR_OK, p11()->C_DestroyObject(s, found[0]));
  CK_ATTRIBUTE a = {CKA_VALUE, nullptr, 0};
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID,
             p11()->C_GetAttributeValue(s, found[0], &a, 1));
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  s = OpenLoggedIn();
  EXPECT_TRUE(Find(s, {Attr(CKA_ID, id)}).empty());
}

TEST_F(Objects, CertificatePairsWithKeyByIdAndCaCertificateIsListed) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  Bytes id = {0x77, 0x01};
  std::string label = "paired";
  std::vector<CK_ATTRIBUTE> pub = {Attr(CKA_TOKEN, &kTrue, 1),
                                   Attr(CKA_EC_PARAMS, kP256, sizeof(kP256)),
                                   Attr(CKA_ID, id), Attr(CKA_LABEL, label)};
  std::vector<CK_ATTRIBUTE> priv = {Attr(CKA_TOKEN, &kTrue, 1),
                                    Attr(CKA_SIGN, &kTrue, 1), Attr(CKA_ID, id),
                                    Attr(CKA_LABEL, label)};
  CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
  ASSERT_CKR(CKR_OK,
             p11()->C_GenerateKeyPair(s, &gen, pub.data(), pub.size(),
                                      priv.data(), priv.size(), &hpub, &hpriv));
  EvpPkeyPtr ca = GenerateRsa(2048);
  EvpPkeyPtr kmsd_key =
      PublicKeyFromDer(View(Attribute(s, hpub, CKA_PUBLIC_KEY_INFO)));
  Bytes leaf = IssuedCertificate(kmsd_key.get(), "paired", ca.get(), "Root");
  Bytes root = SelfSignedCertificate(ca.get(), "Root");
  CreateOk(s, CertTemplate(leaf, id, label));
  Bytes root_id = {0xca};
  CreateOk(s, CertTemplate(root, root_id, "root-ca"));

  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  s = OpenLoggedIn();
  auto by_id = Find(s, {Attr(CKA_ID, id)});
  ASSERT_EQ(by_id.size(), 3u);  // private key, public key, certificate
  std::set<CK_ULONG> classes;
  for (auto h : by_id) {
    Bytes c = Attribute(s, h, CKA_CLASS);
    CK_ULONG v = 0;
    std::memcpy(&v, c.data(), sizeof(v));
    classes.insert(v);
  }
  EXPECT_EQ(classes, (std::set<CK_ULONG>{CKO_PRIVATE_KEY, CKO_PUBLIC_KEY,
                                         CKO_CERTIFICATE}));
  auto certs = Find(s, {Ulong(CKA_CLASS, &kCertClass)});
  EXPECT_EQ(certs.size(), 2u);
  auto ca_found = Find(s, {Attr(CKA_ID, root_id)});
  ASSERT_EQ(ca_found.size(), 1u);
  EXPECT_EQ(Attribute(s, ca_found[0], CKA_SUBJECT), ViewOf(root).subject);
}

TEST_F(Objects, DataObjectRoundTripAndPrivacy) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  std::string app = "my app";
  Bytes value = ToB("some data\x01\x02");
  Bytes oid = {0x06, 0x03, 0x2a, 0x03, 0x04};
  CK_OBJECT_HANDLE h = CreateOk(
      s, {Ulong(CKA_CLASS, &kDataClass), Attr(CKA_TOKEN, &kTrue, 1),
          Attr(CKA_APPLICATION, app), Attr(CKA_VALUE, value),
          Attr(CKA_OBJECT_ID, oid), Attr(CKA_LABEL, std::string("secret"))});
  EXPECT_EQ(Attribute(s, h, CKA_VALUE), value);
  EXPECT_EQ(Attribute(s, h, CKA_APPLICATION), ToB(app));
  EXPECT_EQ(Attribute(s, h, CKA_OBJECT_ID), oid);
  EXPECT_EQ(Attribute(s, h, CKA_PRIVATE), Bytes{CK_TRUE});  // the default
  CK_OBJECT_HANDLE pub =
      CreateOk(s, {Ulong(CKA_CLASS, &kDataClass), Attr(CKA_TOKEN, &kTrue, 1),
                   Attr(CKA_PRIVATE, &kFalse, 1), Attr(CKA_VALUE, ToB("open")),
                   Attr(CKA_LABEL, std::string("public-data"))});
  // CKA_VALUE defaults to empty.
  CK_OBJECT_HANDLE empty =
      CreateOk(s, {Ulong(CKA_CLASS, &kDataClass), Attr(CKA_TOKEN, &kTrue, 1)});
  EXPECT_EQ(Attribute(s, empty, CKA_VALUE), Bytes());
  EvpPkeyPtr key = GenerateEc("P-256");
  CreateOk(s, CertTemplate(SelfSignedCertificate(key.get(), "pub"), {0x99},
                           "public-cert"));
  CreateKey("server-key", "EC_P256");

  // A new instance before login: public objects only (no private key, no
  // private data), yet the public key of the kmsd key.
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  s = OpenSession();
  auto labels = [&](CK_SESSION_HANDLE session) {
    std::set<std::string> out;
    for (auto o : Find(session, {})) {
      Bytes l = Attribute(session, o, CKA_LABEL);
      Bytes p = Attribute(session, o, CKA_PRIVATE);
      EXPECT_TRUE(p == Bytes{CK_FALSE} || p == Bytes{CK_TRUE});
      out.insert(std::string(l.begin(), l.end()) +
                 (p == Bytes{CK_TRUE} ? "(private)" : ""));
    }
    return out;
  };
  auto before = labels(s);
  EXPECT_TRUE(before.count("public-data"));
  EXPECT_TRUE(before.count("public-cert"));
  EXPECT_TRUE(before.count("server-key"));  // its public key
  EXPECT_FALSE(before.count("secret(private)"));
  EXPECT_FALSE(before.count("server-key(private)"));
  EXPECT_CKR(CKR_OK, p11()->C_CloseSession(s));

  s = OpenLoggedIn();
  auto after = labels(s);
  EXPECT_TRUE(after.count("secret(private)"));
  EXPECT_TRUE(after.count("server-key(private)"));
  EXPECT_TRUE(after.count("public-data"));

  // After logout, public only again.
  CK_SESSION_HANDLE other = OpenSession();
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  auto again = labels(other);
  EXPECT_FALSE(again.count("secret(private)"));
  EXPECT_TRUE(again.count("public-data"));
  (void)pub;
}

TEST_F(Objects, PublicKeysVerifyAndEncryptLocally) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  Bytes message = ToB("message to verify");
  CK_KEY_TYPE rsa_type = CKK_RSA, ec_type = CKK_EC, ed_type = CKK_EC_EDWARDS;
  // RSA.
  EvpPkeyPtr rsa = GenerateRsa(2048);
  Bytes n = Bn(rsa.get(), OSSL_PKEY_PARAM_RSA_N);
  Bytes e = Bn(rsa.get(), OSSL_PKEY_PARAM_RSA_E);
  CK_OBJECT_HANDLE hrsa =
      CreateOk(s, {Ulong(CKA_CLASS, &kPublicClass),
                   Ulong(CKA_KEY_TYPE, &rsa_type), Attr(CKA_TOKEN, &kTrue, 1),
                   Attr(CKA_MODULUS, n), Attr(CKA_PUBLIC_EXPONENT, e),
                   Attr(CKA_VERIFY, &kTrue, 1), Attr(CKA_ENCRYPT, &kTrue, 1),
                   Attr(CKA_LABEL, std::string("rsa-pub"))});
  EXPECT_EQ(Attribute(s, hrsa, CKA_MODULUS), n);
  EXPECT_EQ(Attribute(s, hrsa, CKA_PUBLIC_KEY_INFO), PublicKeySpki(rsa.get()));
  Bytes sig = SignWith(rsa.get(), EVP_sha256(), message);
  CK_MECHANISM sha256_rsa = {CKM_SHA256_RSA_PKCS, nullptr, 0};
  EXPECT_CKR(CKR_OK, Verify(s, sha256_rsa, hrsa, message, sig));
  sig[5] ^= 1;
  EXPECT_CKR(CKR_SIGNATURE_INVALID, Verify(s, sha256_rsa, hrsa, message, sig));
  CK_RSA_PKCS_OAEP_PARAMS oaep = {CKM_SHA256, CKG_MGF1_SHA256, 0, nullptr, 0};
  CK_MECHANISM m_oaep = {CKM_RSA_PKCS_OAEP, &oaep, sizeof(oaep)};
  ASSERT_CKR(CKR_OK, p11()->C_EncryptInit(s, &m_oaep, hrsa));
  Bytes ct(256);
  CK_ULONG ct_len = ct.size();
  ASSERT_CKR(CKR_OK, p11()->C_Encrypt(s, message.data(), message.size(),
                                      ct.data(), &ct_len));
  ct.resize(ct_len);
  auto plain = RsaDecrypt(rsa.get(), EVP_sha256(), {}, View(ct));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*plain, message);

  // EC P-256, as a session object.
  EvpPkeyPtr ec = GenerateEc("P-256");
  CK_OBJECT_HANDLE hec = CreateOk(
      s, {Ulong(CKA_CLASS, &kPublicClass), Ulong(CKA_KEY_TYPE, &ec_type),
          Attr(CKA_EC_PARAMS, kP256, sizeof(kP256)),
          Attr(CKA_EC_POINT, OctetString(EcPoint(ec.get())))});
  EXPECT_EQ(Attribute(s, hec, CKA_TOKEN), Bytes{CK_FALSE});
  EXPECT_EQ(Attribute(s, hec, CKA_EC_POINT), OctetString(EcPoint(ec.get())));
  Bytes digest = Digest(EVP_sha256(), View(message));
  Bytes raw = EcdsaRaw(ec.get(), digest);
  CK_MECHANISM ecdsa = {CKM_ECDSA_SHA256, nullptr, 0};
  EXPECT_CKR(CKR_OK, Verify(s, ecdsa, hec, message, raw));
  raw[40] ^= 1;
  EXPECT_CKR(CKR_SIGNATURE_INVALID, Verify(s, ecdsa, hec, message, raw));

  // Ed25519 (bare 32-byte point accepted too).
  EvpPkeyPtr ed = GenerateEd25519();
  CK_OBJECT_HANDLE hed =
      CreateOk(s, {Ulong(CKA_CLASS, &kPublicClass),
                   Ulong(CKA_KEY_TYPE, &ed_type), Attr(CKA_TOKEN, &kTrue, 1),
                   Attr(CKA_EC_PARAMS, kEd25519Oid, sizeof(kEd25519Oid)),
                   Attr(CKA_EC_POINT, RawKey(ed.get(), false))});
  EXPECT_EQ(Attribute(s, hed, CKA_EC_POINT),
            OctetString(RawKey(ed.get(), false)));
  Bytes ed_sig = SignWith(ed.get(), nullptr, message);
  CK_MECHANISM eddsa = {CKM_EDDSA, nullptr, 0};
  EXPECT_CKR(CKR_OK, Verify(s, eddsa, hed, message, ed_sig));
  ed_sig[0] ^= 1;
  EXPECT_CKR(CKR_SIGNATURE_INVALID, Verify(s, eddsa, hed, message, ed_sig));
  // Stored public keys can be destroyed.
  EXPECT_CKR(CKR_OK, p11()->C_DestroyObject(s, hed));
  EXPECT_CKR(CKR_OK, p11()->C_DestroyObject(s, hrsa));
}

TEST_F(Objects, PrivateKeysImportedSignVerifiedByOpenSsl) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  Bytes message = ToB("sign me");
  Bytes digest = Digest(EVP_sha256(), View(message));
  CK_KEY_TYPE rsa_type = CKK_RSA, ec_type = CKK_EC, ed_type = CKK_EC_EDWARDS;

  EvpPkeyPtr rsa = GenerateRsa(2048);
  std::string label = "imported-rsa";
  Bytes id = ToB("ir");
  std::vector<CK_ATTRIBUTE> t = {
      Ulong(CKA_CLASS, &kPrivateClass), Ulong(CKA_KEY_TYPE, &rsa_type),
      Attr(CKA_TOKEN, &kTrue, 1),       Attr(CKA_SIGN, &kTrue, 1),
      Attr(CKA_LABEL, label),           Attr(CKA_ID, id)};
  std::vector<Bytes> parts;
  for (auto [type, name] :
       std::vector<std::pair<CK_ATTRIBUTE_TYPE, const char*>>{
           {CKA_MODULUS, OSSL_PKEY_PARAM_RSA_N},
           {CKA_PUBLIC_EXPONENT, OSSL_PKEY_PARAM_RSA_E},
           {CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D},
           {CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1},
           {CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2},
           {CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
           {CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
           {CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1}}) {
    parts.push_back(Bn(rsa.get(), name));
  }
  std::vector<CK_ATTRIBUTE_TYPE> types = {
      CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
      CKA_PRIME_2, CKA_EXPONENT_1,      CKA_EXPONENT_2,       CKA_COEFFICIENT};
  for (size_t i = 0; i < types.size(); ++i)
    t.push_back(Attr(types[i], parts[i]));
  // An inconsistent key (wrong CRT coefficient) is refused.
  Bytes bad = parts[7];
  bad[bad.size() - 1] ^= 1;
  auto bad_t = t;
  bad_t.back() = Attr(CKA_COEFFICIENT, bad);
  CK_OBJECT_HANDLE h = 0;
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, Create(s, bad_t, &h));
  CK_OBJECT_HANDLE hrsa = CreateOk(s, t);
  EXPECT_EQ(Attribute(s, hrsa, CKA_CLASS).size(), sizeof(CK_ULONG));
  EXPECT_EQ(Attribute(s, hrsa, CKA_LOCAL), Bytes{CK_FALSE});
  EXPECT_EQ(Attribute(s, hrsa, CKA_ID), ToB("ir"));
  CK_ATTRIBUTE secret = {CKA_PRIVATE_EXPONENT, nullptr, 0};
  EXPECT_CKR(CKR_ATTRIBUTE_SENSITIVE,
             p11()->C_GetAttributeValue(s, hrsa, &secret, 1));
  CK_MECHANISM sha256_rsa = {CKM_SHA256_RSA_PKCS, nullptr, 0};
  Bytes sig = Sign(s, sha256_rsa, hrsa, message);
  EXPECT_TRUE(VerifyRsaPkcs1(rsa.get(), EVP_sha256(), View(digest), View(sig)));

  EvpPkeyPtr ec = GenerateEc("P-256");
  CK_OBJECT_HANDLE hec = CreateOk(
      s, {Ulong(CKA_CLASS, &kPrivateClass), Ulong(CKA_KEY_TYPE, &ec_type),
          Attr(CKA_EC_PARAMS, kP256, sizeof(kP256)),
          Attr(CKA_VALUE, Bn(ec.get(), OSSL_PKEY_PARAM_PRIV_KEY)),
          Attr(CKA_SIGN, &kTrue, 1)});
  EXPECT_EQ(Attribute(s, hec, CKA_TOKEN), Bytes{CK_FALSE});  // session key
  CK_MECHANISM ecdsa = {CKM_ECDSA_SHA256, nullptr, 0};
  sig = Sign(s, ecdsa, hec, message);
  EXPECT_TRUE(VerifyEcdsaRaw(ec.get(), View(digest), View(sig)));

  EvpPkeyPtr ed = GenerateEd25519();
  CK_OBJECT_HANDLE hed =
      CreateOk(s, {Ulong(CKA_CLASS, &kPrivateClass),
                   Ulong(CKA_KEY_TYPE, &ed_type), Attr(CKA_TOKEN, &kTrue, 1),
                   Attr(CKA_EC_PARAMS, kEd25519Oid, sizeof(kEd25519Oid)),
                   Attr(CKA_VALUE, RawKey(ed.get(), true))});
  CK_MECHANISM eddsa = {CKM_EDDSA, nullptr, 0};
  sig = Sign(s, eddsa, hed, message);
  EXPECT_TRUE(VerifyEd25519(ed.get(), View(message), View(sig)));
}

TEST_F(Objects, SecretKeysImportedMatchOpenSsl) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_KEY_TYPE aes = CKK_AES, hmac = CKK_GENERIC_SECRET;
  Bytes aes_key = RandomBytes(32);
  CK_OBJECT_HANDLE hk =
      CreateOk(s, {Ulong(CKA_CLASS, &kSecretClass), Ulong(CKA_KEY_TYPE, &aes),
                   Attr(CKA_TOKEN, &kTrue, 1), Attr(CKA_VALUE, aes_key),
                   Attr(CKA_ENCRYPT, &kTrue, 1), Attr(CKA_DECRYPT, &kTrue, 1)});
  CK_ATTRIBUTE value = {CKA_VALUE, nullptr, 0};
  EXPECT_CKR(CKR_ATTRIBUTE_SENSITIVE,
             p11()->C_GetAttributeValue(s, hk, &value, 1));
  Bytes iv = RandomBytes(12), aad = ToB("aad"), plain = ToB("known vector");
  CK_GCM_PARAMS gcm = {iv.data(), iv.size(), 96, aad.data(), aad.size(), 128};
  CK_MECHANISM m = {CKM_AES_GCM, &gcm, sizeof(gcm)};
  ASSERT_CKR(CKR_OK, p11()->C_EncryptInit(s, &m, hk));
  Bytes ct(plain.size() + 16);
  CK_ULONG len = ct.size();
  ASSERT_CKR(CKR_OK,
             p11()->C_Encrypt(s, plain.data(), plain.size(), ct.data(), &len));
  Bytes tag;
  auto expected =
      AesEncrypt("GCM", View(aes_key), View(iv), View(aad), View(plain), &tag);
  ASSERT_TRUE(expected.has_value());
  expected->insert(expected->end(), tag.begin(), tag.end());
  EXPECT_EQ(ct, *expected);

  Bytes mac_key = RandomBytes(32);
  CK_OBJECT_HANDLE hm =
      CreateOk(s, {Ulong(CKA_CLASS, &kSecretClass), Ulong(CKA_KEY_TYPE, &hmac),
                   Attr(CKA_VALUE, mac_key), Attr(CKA_SIGN, &kTrue, 1)});
  Bytes message = ToB("mac me");
  CK_MECHANISM hm_m = {CKM_SHA256_HMAC, nullptr, 0};
  EXPECT_EQ(Sign(s, hm_m, hm, message),
            HmacSha256(View(mac_key), View(message)));
  // Wrong sizes.
  Bytes short_key = RandomBytes(24);
  CK_OBJECT_HANDLE h = 0;
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID,
             Create(s,
                    {Ulong(CKA_CLASS, &kSecretClass), Ulong(CKA_KEY_TYPE, &aes),
                     Attr(CKA_VALUE, short_key)},
                    &h));
  CK_ULONG len32 = 32;
  EXPECT_CKR(CKR_ATTRIBUTE_READ_ONLY,
             Create(s,
                    {Ulong(CKA_CLASS, &kSecretClass), Ulong(CKA_KEY_TYPE, &aes),
                     Attr(CKA_VALUE, aes_key), Ulong(CKA_VALUE_LEN, &len32)},
                    &h));
  EXPECT_CKR(CKR_TEMPLATE_INCONSISTENT,
             Create(s,
                    {Ulong(CKA_CLASS, &kSecretClass), Ulong(CKA_KEY_TYPE, &aes),
                     Attr(CKA_VALUE, aes_key), Attr(CKA_SIGN, &kTrue, 1)},
                    &h));
}

TEST_F(Objects, SessionObjectsVanishWithTheirSession) {
  CK_SESSION_HANDLE a = OpenSession();
  CK_SESSION_HANDLE b = OpenSession();
  // Public session objects need no login.
  CK_OBJECT_HANDLE h = CreateOk(
      a, {Ulong(CKA_CLASS, &kDataClass), Attr(CKA_PRIVATE, &kFalse, 1),
          Attr(CKA_VALUE, ToB("temp")), Attr(CKA_LABEL, std::string("tmp"))});
  EXPECT_EQ(Attribute(b, h, CKA_TOKEN), Bytes{CK_FALSE});
  EXPECT_EQ(Find(b, {Attr(CKA_LABEL, std::string("tmp"))}).size(), 1u);
  EvpPkeyPtr key = GenerateEc("P-256");
  CK_BBOOL* session_object = &kFalse;
  CK_OBJECT_HANDLE cert =
      CreateOk(a, CertTemplate(SelfSignedCertificate(key.get(), "t"), {1},
                               "tmp-cert", session_object));
  ASSERT_CKR(CKR_OK, p11()->C_CloseSession(a));
  CK_ATTRIBUTE v = {CKA_VALUE, nullptr, 0};
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID,
             p11()->C_GetAttributeValue(b, h, &v, 1));
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID,
             p11()->C_GetAttributeValue(b, cert, &v, 1));
  EXPECT_TRUE(Find(b, {Attr(CKA_LABEL, std::string("tmp"))}).empty());
  // A private session object needs a login and ends with it.
  CK_OBJECT_HANDLE p = 0;
  EXPECT_CKR(
      CKR_USER_NOT_LOGGED_IN,
      Create(b, {Ulong(CKA_CLASS, &kDataClass), Attr(CKA_VALUE, ToB("x"))},
             &p));
  std::string pin = Pin();
  ASSERT_CKR(
      CKR_OK,
      p11()->C_Login(b, CKU_USER, reinterpret_cast<CK_UTF8CHAR_PTR>(pin.data()),
                     pin.size()));
  p = CreateOk(b, {Ulong(CKA_CLASS, &kDataClass), Attr(CKA_VALUE, ToB("x"))});
  EXPECT_EQ(Attribute(b, p, CKA_VALUE), ToB("x"));
  ASSERT_CKR(CKR_OK, p11()->C_Logout(b));
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID,
             p11()->C_GetAttributeValue(b, p, &v, 1));
}

TEST_F(Objects, SetAttributeValueChangesLabelAndIdEverywhere) {
  // Made before the module first lists the key ring (no cache wait).
  std::string key_id = CreateKey("relabel-me", "EC_P256");
  CK_SESSION_HANDLE a = OpenLoggedIn();
  CK_SESSION_HANDLE b = OpenSession();
  EvpPkeyPtr key = GenerateEc("P-256");
  CK_OBJECT_HANDLE cert = CreateOk(
      a,
      CertTemplate(SelfSignedCertificate(key.get(), "c"), {0x10}, "old-cert"));
  std::string new_label = "new-cert";
  Bytes new_id = {0x11, 0x12};
  std::vector<CK_ATTRIBUTE> change = {Attr(CKA_LABEL, new_label),
                                      Attr(CKA_ID, new_id)};
  ASSERT_CKR(CKR_OK, p11()->C_SetAttributeValue(a, cert, change.data(), 2));
  EXPECT_EQ(Attribute(b, cert, CKA_LABEL), ToB(new_label));
  EXPECT_EQ(Find(b, {Attr(CKA_ID, new_id)}),
            std::vector<CK_OBJECT_HANDLE>{cert});

  // A kmsd key: the label is the key's, the id its alias.
  CK_OBJECT_HANDLE priv = FindOne(a, CKO_PRIVATE_KEY, "relabel-me");
  CK_OBJECT_HANDLE pub = FindOne(a, CKO_PUBLIC_KEY, "relabel-me");
  std::string key_label = "relabelled";
  Bytes key_ck_id = {0xab, 0xcd};
  std::vector<CK_ATTRIBUTE> key_change = {Attr(CKA_LABEL, key_label),
                                          Attr(CKA_ID, key_ck_id)};
  ASSERT_CKR(CKR_OK, p11()->C_SetAttributeValue(a, priv, key_change.data(), 2));
  EXPECT_EQ(Attribute(b, pub, CKA_LABEL), ToB(key_label));
  EXPECT_EQ(Attribute(a, priv, CKA_ID), key_ck_id);
  std::string only_label = "relabelled-2";
  CK_ATTRIBUTE l2 = Attr(CKA_LABEL, only_label);
  ASSERT_CKR(CKR_OK, p11()->C_SetAttributeValue(a, priv, &l2, 1));
  EXPECT_EQ(Attribute(a, pub, CKA_ID), key_ck_id);  // the alias stays
  // Persisted: a fresh instance sees both.
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  a = OpenLoggedIn();
  auto found = Find(a, {Attr(CKA_ID, key_ck_id)});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(Attribute(a, found[0], CKA_LABEL), ToB(only_label));
  auto certs = Find(a, {Attr(CKA_ID, new_id)});
  ASSERT_EQ(certs.size(), 1u);

  // Errors, checked before anything is sent.
  cert = certs[0];
  Bytes junk = {1, 2, 3};
  CK_ATTRIBUTE value = Attr(CKA_VALUE, junk);
  EXPECT_CKR(CKR_ATTRIBUTE_READ_ONLY,
             p11()->C_SetAttributeValue(a, cert, &value, 1));
  CK_ATTRIBUTE modulus = Attr(CKA_MODULUS, junk);
  EXPECT_CKR(CKR_ATTRIBUTE_TYPE_INVALID,
             p11()->C_SetAttributeValue(a, cert, &modulus, 1));
  std::string never = "never";
  std::vector<CK_ATTRIBUTE> mixed = {Attr(CKA_LABEL, never),
                                     Attr(CKA_VALUE, junk)};
  EXPECT_CKR(CKR_ATTRIBUTE_READ_ONLY,
             p11()->C_SetAttributeValue(a, cert, mixed.data(), 2));
  EXPECT_EQ(Attribute(a, cert, CKA_LABEL), ToB(new_label));
  CK_SESSION_HANDLE ro = OpenSession(false);
  EXPECT_CKR(CKR_SESSION_READ_ONLY,
             p11()->C_SetAttributeValue(ro, cert, change.data(), 1));
  EXPECT_CKR(CKR_ARGUMENTS_BAD,
             p11()->C_SetAttributeValue(a, cert, nullptr, 1));
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID,
             p11()->C_SetAttributeValue(a, 999999, change.data(), 1));
  // An older version's objects are read-only.
  auto client = kmsd().LoggedInApp();
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)
                  ->Call("POST", "/v1/keyrings/dev/keys/" + key_id + "/rotate",
                         Json::Object())
                  .ok());
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  a = OpenLoggedIn();
  CK_OBJECT_HANDLE v1 = FindOne(a, CKO_PRIVATE_KEY, only_label + ":v1");
  EXPECT_EQ(Attribute(a, v1, CKA_MODIFIABLE), Bytes{CK_FALSE});
  EXPECT_CKR(CKR_ACTION_PROHIBITED, p11()->C_SetAttributeValue(a, v1, &l2, 1));
}

TEST_F(Objects, GetObjectSize) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  Bytes value(1000, 0x5a);
  CK_OBJECT_HANDLE h =
      CreateOk(s, {Ulong(CKA_CLASS, &kDataClass), Attr(CKA_VALUE, value)});
  CK_ULONG size = 0;
  ASSERT_CKR(CKR_OK, p11()->C_GetObjectSize(s, h, &size));
  EXPECT_GE(size, value.size());
  EXPECT_LT(size, value.size() + 200);
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GetObjectSize(s, h, nullptr));
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID,
             p11()->C_GetObjectSize(s, 999999, &size));
  EXPECT_CKR(CKR_SESSION_HANDLE_INVALID,
             p11()->C_GetObjectSize(424242, h, &size));
  CK_OBJECT_HANDLE copy = 0;
  EXPECT_CKR(CKR_FUNCTION_NOT_SUPPORTED,
             p11()->C_CopyObject(s, h, nullptr, 0, &copy));
}

TEST_F(Objects, CreateObjectErrors) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE h = 0;
  EvpPkeyPtr key = GenerateEc("P-256");
  Bytes der = SelfSignedCertificate(key.get(), "err");
  Bytes junk = {0x30, 0x03, 0x01, 0x01, 0xff};
  // No class; no value.
  EXPECT_CKR(CKR_TEMPLATE_INCOMPLETE,
             Create(s, {Attr(CKA_VALUE, der), Attr(CKA_TOKEN, &kTrue, 1)}, &h));
  EXPECT_CKR(CKR_TEMPLATE_INCOMPLETE,
             Create(s,
                    {Ulong(CKA_CLASS, &kCertClass),
                     Ulong(CKA_CERTIFICATE_TYPE, &kX509)},
                    &h));
  EXPECT_CKR(
      CKR_TEMPLATE_INCOMPLETE,
      Create(s, {Ulong(CKA_CLASS, &kCertClass), Attr(CKA_VALUE, der)}, &h));
  // Bad DER, bad boolean size.
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID,
             Create(s, CertTemplate(junk, {}, "bad"), &h));
  CK_ULONG wide_bool = 1;
  auto t = CertTemplate(der, {}, "x");
  t[2] = Ulong(CKA_TOKEN, &wide_bool);
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, Create(s, t, &h));
  // Subject that contradicts the certificate.
  t = CertTemplate(der, {}, "x");
  t.push_back(Attr(CKA_SUBJECT, junk));
  EXPECT_CKR(CKR_TEMPLATE_INCONSISTENT, Create(s, t, &h));
  // ... but the right one is accepted.
  t = CertTemplate(der, {}, "x", &kFalse);
  Bytes subject = ViewOf(der).subject;
  t.push_back(Attr(CKA_SUBJECT, subject));
  EXPECT_CKR(CKR_OK, Create(s, t, &h));
  // Attributes the token sets.
  for (CK_ATTRIBUTE_TYPE ro :
       {CKA_LOCAL, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE}) {
    t = CertTemplate(der, {}, "x");
    t.push_back(Attr(ro, &kTrue, 1));
    EXPECT_CKR(CKR_ATTRIBUTE_READ_ONLY, Create(s, t, &h)) << ro;
  }
  CK_MECHANISM_TYPE mech = CKM_EC_KEY_PAIR_GEN;
  t = CertTemplate(der, {}, "x");
  t.push_back(Ulong(CKA_KEY_GEN_MECHANISM, &mech));
  EXPECT_CKR(CKR_ATTRIBUTE_READ_ONLY, Create(s, t, &h));
  // An attribute data objects do not have.
  EXPECT_CKR(
      CKR_ATTRIBUTE_TYPE_INVALID,
      Create(s, {Ulong(CKA_CLASS, &kDataClass), Attr(CKA_MODULUS, junk)}, &h));
  // Bad object identifier.
  EXPECT_CKR(
      CKR_ATTRIBUTE_VALUE_INVALID,
      Create(s, {Ulong(CKA_CLASS, &kDataClass), Attr(CKA_OBJECT_ID, junk)},
             &h));
  // Arguments.
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_CreateObject(s, nullptr, 1, &h));
  t = CertTemplate(der, {}, "x");
  EXPECT_CKR(CKR_ARGUMENTS_BAD,
             p11()->C_CreateObject(s, t.data(), t.size(), nullptr));
  // A token object in a R/O session; a private or token object without login.
  CK_SESSION_HANDLE ro = OpenSession(false);
  EXPECT_CKR(CKR_SESSION_READ_ONLY, Create(ro, CertTemplate(der, {}, "x"), &h));
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, Create(s, CertTemplate(der, {}, "x"), &h));
  EXPECT_CKR(
      CKR_USER_NOT_LOGGED_IN,
      Create(s, {Ulong(CKA_CLASS, &kDataClass), Attr(CKA_VALUE, der)}, &h));
  // Public session objects are fine.
  EXPECT_CKR(CKR_OK, Create(s, CertTemplate(der, {}, "x", &kFalse), &h));
  // A certificate type other than X.509; a curve kmsd does not offer.
  ASSERT_CKR(CKR_OK,
             p11()->C_Login(s, CKU_USER,
                            reinterpret_cast<CK_UTF8CHAR_PTR>(Pin().data()),
                            Pin().size()));
  CK_CERTIFICATE_TYPE wtls = CKC_WTLS;
  t = CertTemplate(der, {}, "x");
  t[1] = Ulong(CKA_CERTIFICATE_TYPE, &wtls);
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, Create(s, t, &h));
  CK_KEY_TYPE ec_type = CKK_EC;
  CK_BYTE x448[] = {0x06, 0x03, 0x2b, 0x65, 0x6f};
  EXPECT_CKR(
      CKR_ATTRIBUTE_VALUE_INVALID,
      Create(
          s,
          {Ulong(CKA_CLASS, &kPublicClass), Ulong(CKA_KEY_TYPE, &ec_type),
           Attr(CKA_EC_PARAMS, x448, sizeof(x448)), Attr(CKA_EC_POINT, junk)},
          &h));
  EXPECT_CKR(
      CKR_TEMPLATE_INCOMPLETE,
      Create(s,
             {Ulong(CKA_CLASS, &kPublicClass), Ulong(CKA_KEY_TYPE, &ec_type),
              Attr(CKA_EC_PARAMS, kP256, sizeof(kP256))},
             &h));
  EXPECT_CKR(
      CKR_ATTRIBUTE_VALUE_INVALID,
      Create(s,
             {Ulong(CKA_CLASS, &kPublicClass), Ulong(CKA_KEY_TYPE, &ec_type),
              Attr(CKA_EC_PARAMS, kP256, sizeof(kP256)),
              Attr(CKA_EC_POINT, OctetString(Bytes(65, 0x04)))},
             &h));
}

// A key ring that does not allow import: the module's second token.
TEST_F(Objects, ImportRefusedWhereTheKeyRingForbidsIt) {
  auto admin = kmsd().AdminClient();
  Json ring = Json::Object();
  ring.Set("name", "no-import").Set("allow_import", false);
  ASSERT_TRUE(admin->Call("POST", "/v1/keyrings", ring).ok());
  Json grant = Json::Object();
  grant.Set("key_ring", "no-import").SetStrings("permissions", {"create"});
  ASSERT_TRUE(admin->Call("POST", "/v1/clients/app/grants", grant).ok());
  Json pin = Json::Object();
  pin.Set("key_ring", "no-import").Set("pin", Pin());
  ASSERT_TRUE(admin->Call("POST", "/v1/clients/app/pin", pin).ok());
  std::string original = kmsd().env("KMS_PKCS11_CONFIG");
  auto text = ReadFile(original);
  ASSERT_TRUE(text.ok());
  auto config = Json::Parse(*text);
  ASSERT_TRUE(config.ok());
  Json token = Json::Object();
  token.Set("label", "no-import").Set("key_ring", "no-import");
  cJSON_AddItemToArray(
      cJSON_GetObjectItemCaseSensitive(config->get(), "tokens"),
      token.release());
  // Relative paths in the configuration are resolved against its directory.
  std::string path = original + ".no-import.json";
  ASSERT_TRUE(WriteFileAtomic(path, config->Dump(), 0600).ok());
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  setenv("KMS_PKCS11_CONFIG", path.c_str(), 1);
  CK_RV init = p11()->C_Initialize(nullptr);
  setenv("KMS_PKCS11_CONFIG", original.c_str(), 1);
  ASSERT_CKR(CKR_OK, init);
  CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
  ASSERT_CKR(CKR_OK,
             p11()->C_OpenSession(1, CKF_SERIAL_SESSION | CKF_RW_SESSION,
                                  nullptr, nullptr, &s));
  std::string p = Pin();
  ASSERT_CKR(CKR_OK, p11()->C_Login(s, CKU_USER,
                                    reinterpret_cast<CK_UTF8CHAR_PTR>(p.data()),
                                    p.size()));
  CK_KEY_TYPE aes = CKK_AES;
  Bytes key = RandomBytes(16);
  CK_OBJECT_HANDLE h = 0;
  EXPECT_CKR(CKR_ACTION_PROHIBITED,
             Create(s,
                    {Ulong(CKA_CLASS, &kSecretClass), Ulong(CKA_KEY_TYPE, &aes),
                     Attr(CKA_TOKEN, &kTrue, 1), Attr(CKA_VALUE, key)},
                    &h));
  // Objects are fine there.
  EXPECT_CKR(CKR_OK, Create(s,
                            {Ulong(CKA_CLASS, &kDataClass),
                             Attr(CKA_TOKEN, &kTrue, 1), Attr(CKA_VALUE, key)},
                            &h));
}

TEST_F(Objects, FindByLabelOrIdAsksTheServerForJustThoseKeys) {
  std::string first_id = CreateKey("found-first", "EC_P256");
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE first = FindOne(s, CKO_PRIVATE_KEY, "found-first");
  // Made after the cache was filled, well within its TTL: a find by label
  // or id asks kmsd for those keys, so it shows without waiting.
  std::string later_id = CreateKey("made-later", "EC_P256");
  CK_OBJECT_HANDLE later = FindOne(s, CKO_PRIVATE_KEY, "made-later");
  EXPECT_NE(later, first);
  EXPECT_EQ(Attribute(s, later, CKA_ID), ToB(later_id));
  EXPECT_EQ(Find(s, {Attr(CKA_ID, ToB(later_id))}).size(), 2u);
  // Handles stay.
  EXPECT_EQ(FindOne(s, CKO_PRIVATE_KEY, "found-first"), first);
  EXPECT_EQ(
      Find(s, {Attr(CKA_ID, ToB(first_id)), Ulong(CKA_CLASS, &kPrivateClass)}),
      std::vector<CK_OBJECT_HANDLE>{first});
  EXPECT_TRUE(Find(s, {Attr(CKA_LABEL, std::string("no-such-label"))}).empty());
  EXPECT_TRUE(Find(s, {Attr(CKA_ID, ToB("no-such-key"))}).empty());
}

}  // namespace
}  // namespace kms::testing
