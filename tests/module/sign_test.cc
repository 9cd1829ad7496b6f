// Objects of server keys, and signatures made through the module checked
// independently with OpenSSL from the public key read via the module.
#include "tests/integration/openssl_check.h"
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

using SignTest = ModuleTest;

Bytes SignWith(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s, CK_MECHANISM m,
               CK_OBJECT_HANDLE key, const Bytes& data, bool multipart) {
  EXPECT_CKR(CKR_OK, p11->C_SignInit(s, &m, key));
  CK_ULONG len = 0;
  Bytes sig;
  if (multipart) {
    size_t half = data.size() / 2;
    EXPECT_CKR(CKR_OK,
               p11->C_SignUpdate(s, const_cast<CK_BYTE*>(data.data()), half));
    EXPECT_CKR(CKR_OK,
               p11->C_SignUpdate(s, const_cast<CK_BYTE*>(data.data()) + half,
                                 data.size() - half));
    EXPECT_CKR(CKR_OK, p11->C_SignFinal(s, nullptr, &len));
    sig.resize(len);
    EXPECT_CKR(CKR_OK, p11->C_SignFinal(s, sig.data(), &len));
  } else {
    auto* d = const_cast<CK_BYTE*>(data.data());
    EXPECT_CKR(CKR_OK, p11->C_Sign(s, d, data.size(), nullptr, &len));
    sig.resize(len);
    CK_ULONG short_len = 1;
    EXPECT_CKR(CKR_BUFFER_TOO_SMALL,
               p11->C_Sign(s, d, data.size(), sig.data(), &short_len));
    EXPECT_CKR(CKR_OK, p11->C_Sign(s, d, data.size(), sig.data(), &len));
  }
  sig.resize(len);
  return sig;
}

void ExpectVerifies(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s, CK_MECHANISM m,
                    CK_OBJECT_HANDLE pub, Bytes data, Bytes sig) {
  ASSERT_CKR(CKR_OK, p11->C_VerifyInit(s, &m, pub));
  EXPECT_CKR(CKR_OK, p11->C_Verify(s, data.data(), data.size(), sig.data(),
                                   sig.size()));
  sig[sig.size() / 2] ^= 1;
  ASSERT_CKR(CKR_OK, p11->C_VerifyInit(s, &m, pub));
  EXPECT_CKR(CKR_SIGNATURE_INVALID, p11->C_Verify(s, data.data(), data.size(),
                                                  sig.data(), sig.size()));
}

TEST_F(SignTest, EcdsaP256) {
  std::string id = CreateKey("sign-ec", "EC_P256");
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE priv = FindOne(s, CKO_PRIVATE_KEY, "sign-ec");
  CK_OBJECT_HANDLE pub = FindOne(s, CKO_PUBLIC_KEY, "sign-ec");
  EXPECT_EQ(Attribute(s, priv, CKA_ID), Bytes(id.begin(), id.end()));
  EXPECT_EQ(Attribute(s, priv, CKA_SENSITIVE), Bytes{CK_TRUE});
  EXPECT_EQ(Attribute(s, priv, CKA_EXTRACTABLE), Bytes{CK_FALSE});
  // Secret attributes are sensitive; every entry of the template is filled.
  CK_BYTE buf[8];
  CK_ATTRIBUTE t[3] = {{CKA_VALUE, nullptr, 0},
                       {CKA_LABEL, nullptr, 0},
                       {CKA_MODULUS, buf, sizeof(buf)}};
  EXPECT_CKR(CKR_ATTRIBUTE_SENSITIVE,
             p11()->C_GetAttributeValue(s, priv, t, 3));
  EXPECT_EQ(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
  EXPECT_EQ(t[1].ulValueLen, 7u);
  EXPECT_EQ(t[2].ulValueLen, CK_UNAVAILABLE_INFORMATION);
  CK_ATTRIBUTE small = {CKA_LABEL, buf, 2};
  EXPECT_CKR(CKR_BUFFER_TOO_SMALL,
             p11()->C_GetAttributeValue(s, priv, &small, 1));
  Bytes spki = Attribute(s, pub, CKA_PUBLIC_KEY_INFO);
  EvpPkeyPtr key = PublicKeyFromDer(View(spki));
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(Attribute(s, pub, CKA_EC_POINT).size(), 67u);  // 04 41 04 X Y

  Bytes message = RandomBytes(300);
  Bytes digest = Digest(MdByName("SHA256"), View(message));
  for (bool multipart : {false, true}) {
    Bytes sig = SignWith(p11(), s, {CKM_ECDSA_SHA256, nullptr, 0}, priv,
                         message, multipart);
    ASSERT_EQ(sig.size(), 64u);
    EXPECT_TRUE(VerifyEcdsaRaw(key.get(), View(digest), View(sig)));
    ExpectVerifies(p11(), s, {CKM_ECDSA_SHA256, nullptr, 0}, pub, message, sig);
  }
  Bytes raw = SignWith(p11(), s, {CKM_ECDSA, nullptr, 0}, priv, digest, false);
  EXPECT_TRUE(VerifyEcdsaRaw(key.get(), View(digest), View(raw)));
  // Wrong key type for the mechanism.
  CK_MECHANISM rsa = {CKM_SHA256_RSA_PKCS, nullptr, 0};
  EXPECT_CKR(CKR_KEY_TYPE_INCONSISTENT, p11()->C_SignInit(s, &rsa, priv));
}

TEST_F(SignTest, RsaPkcs1AndPss) {
  CreateKey("sign-rsa", "RSA_2048");
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE priv = FindOne(s, CKO_PRIVATE_KEY, "sign-rsa");
  CK_OBJECT_HANDLE pub = FindOne(s, CKO_PUBLIC_KEY, "sign-rsa");
  EXPECT_EQ(Attribute(s, pub, CKA_MODULUS).size(), 256u);
  EvpPkeyPtr key =
      PublicKeyFromDer(View(Attribute(s, pub, CKA_PUBLIC_KEY_INFO)));
  ASSERT_NE(key, nullptr);
  Bytes message = RandomBytes(100);
  const EVP_MD* sha256 = MdByName("SHA256");
  Bytes digest = Digest(sha256, View(message));

  Bytes sig = SignWith(p11(), s, {CKM_SHA256_RSA_PKCS, nullptr, 0}, priv,
                       message, true);
  EXPECT_TRUE(VerifyRsaPkcs1(key.get(), sha256, View(digest), View(sig)));
  ExpectVerifies(p11(), s, {CKM_SHA256_RSA_PKCS, nullptr, 0}, pub, message,
                 sig);

  Bytes info = DigestInfo(sha256, View(digest));
  Bytes raw = SignWith(p11(), s, {CKM_RSA_PKCS, nullptr, 0}, priv, info, false);
  EXPECT_TRUE(VerifyRsaPkcs1(key.get(), nullptr, View(info), View(raw)));

  CK_RSA_PKCS_PSS_PARAMS pss = {CKM_SHA256, CKG_MGF1_SHA256, 32};
  CK_MECHANISM m = {CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof(pss)};
  Bytes psig = SignWith(p11(), s, m, priv, message, false);
  EXPECT_TRUE(
      VerifyRsaPss(key.get(), sha256, sha256, 32, View(digest), View(psig)));
  ExpectVerifies(p11(), s, m, pub, message, psig);
  CK_MECHANISM raw_pss = {CKM_RSA_PKCS_PSS, &pss, sizeof(pss)};
  Bytes rsig = SignWith(p11(), s, raw_pss, priv, digest, false);
  EXPECT_TRUE(
      VerifyRsaPss(key.get(), sha256, sha256, 32, View(digest), View(rsig)));

  CK_RSA_PKCS_PSS_PARAMS mismatched = {CKM_SHA384, CKG_MGF1_SHA256, 32};
  CK_MECHANISM bad = {CKM_SHA256_RSA_PKCS_PSS, &mismatched, sizeof(mismatched)};
  EXPECT_CKR(CKR_MECHANISM_PARAM_INVALID, p11()->C_SignInit(s, &bad, priv));
  CK_MECHANISM no_params = {CKM_RSA_PKCS_PSS, nullptr, 0};
  EXPECT_CKR(CKR_MECHANISM_PARAM_INVALID,
             p11()->C_SignInit(s, &no_params, priv));
}

TEST_F(SignTest, Ed25519AndHmac) {
  CreateKey("sign-ed", "ED25519");
  CreateKey("sign-hmac", "HMAC_SHA256");
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE priv = FindOne(s, CKO_PRIVATE_KEY, "sign-ed");
  CK_OBJECT_HANDLE pub = FindOne(s, CKO_PUBLIC_KEY, "sign-ed");
  EvpPkeyPtr key =
      PublicKeyFromDer(View(Attribute(s, pub, CKA_PUBLIC_KEY_INFO)));
  ASSERT_NE(key, nullptr);
  Bytes message = RandomBytes(200);
  Bytes sig = SignWith(p11(), s, {CKM_EDDSA, nullptr, 0}, priv, message, true);
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_TRUE(VerifyEd25519(key.get(), View(message), View(sig)));
  ExpectVerifies(p11(), s, {CKM_EDDSA, nullptr, 0}, pub, message, sig);

  CK_OBJECT_HANDLE secret = FindOne(s, CKO_SECRET_KEY, "sign-hmac");
  CK_ATTRIBUTE value = {CKA_VALUE, nullptr, 0};
  EXPECT_CKR(CKR_ATTRIBUTE_SENSITIVE,
             p11()->C_GetAttributeValue(s, secret, &value, 1));
  Bytes mac =
      SignWith(p11(), s, {CKM_SHA256_HMAC, nullptr, 0}, secret, message, false);
  ASSERT_EQ(mac.size(), 32u);
  ExpectVerifies(p11(), s, {CKM_SHA256_HMAC, nullptr, 0}, secret, message, mac);
}

}  // namespace
}  // namespace kms::testing
