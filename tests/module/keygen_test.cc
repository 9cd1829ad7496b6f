// C_GenerateKeyPair / C_GenerateKey / C_DestroyObject through the module:
// templates honoured or refused, keys usable, public keys checked with
// OpenSSL, session keys gone (on the server too) when their session closes.
#include "tests/integration/openssl_check.h"
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

using KeygenTest = ModuleTest;

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;
CK_BYTE kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
CK_BYTE kEdwardsName[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r',
                          'd',  's',  '2', '5', '5', '1', '9'};
CK_BYTE kUnknownCurve[] = {0x06, 0x03, 0x2b, 0x65, 0x6f};  // X448

CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE t, void* v, CK_ULONG n) {
  return {t, v, n};
}
CK_ATTRIBUTE Label(std::string& s) {
  return {CKA_LABEL, s.data(), s.size()};
}

// Is a key with this id listed by the server (not destroyed)?
bool ServerLists(KmsdProcess& kmsd, const std::string& label) {
  auto client = kmsd.LoggedInApp();
  if (!client.ok()) return false;
  auto reply = (*client)->Call("GET", "/v1/keyrings/dev/keys?label=" + label);
  if (!reply.ok()) return false;
  return cJSON_GetArraySize(
             cJSON_GetObjectItemCaseSensitive(reply->get(), "keys")) > 0;
}

TEST_F(KeygenTest, EcP256TokenPairWithIdSignsAndIsFoundById) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  std::string label = "gen-ec";
  CK_BYTE id[] = {0xa1, 0xb2, 0xc3};
  std::vector<CK_ATTRIBUTE> pub = {Attr(CKA_TOKEN, &kTrue, 1),
                                   Attr(CKA_EC_PARAMS, kP256, sizeof(kP256)),
                                   Attr(CKA_VERIFY, &kTrue, 1), Label(label),
                                   Attr(CKA_ID, id, sizeof(id))};
  std::vector<CK_ATTRIBUTE> priv = {
      Attr(CKA_TOKEN, &kTrue, 1), Attr(CKA_PRIVATE, &kTrue, 1),
      Attr(CKA_SENSITIVE, &kTrue, 1), Attr(CKA_SIGN, &kTrue, 1), Label(label),
      Attr(CKA_ID, id, sizeof(id))};
  CK_MECHANISM m = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
  ASSERT_CKR(CKR_OK,
             p11()->C_GenerateKeyPair(s, &m, pub.data(), pub.size(),
                                      priv.data(), priv.size(), &hpub, &hpriv));
  EXPECT_EQ(Attribute(s, hpriv, CKA_ID), Bytes(id, id + 3));
  EXPECT_EQ(Attribute(s, hpub, CKA_ID), Bytes(id, id + 3));
  EXPECT_EQ(Attribute(s, hpub, CKA_LABEL), Bytes(label.begin(), label.end()));
  EXPECT_EQ(Attribute(s, hpriv, CKA_TOKEN), Bytes{CK_TRUE});
  EXPECT_EQ(Attribute(s, hpub, CKA_EC_PARAMS), Bytes(kP256, kP256 + 10));
  EXPECT_EQ(Attribute(s, hpriv, CKA_LOCAL), Bytes{CK_TRUE});
  EvpPkeyPtr key =
      PublicKeyFromDer(View(Attribute(s, hpub, CKA_PUBLIC_KEY_INFO)));
  ASSERT_NE(key, nullptr);
  Bytes digest = RandomBytes(32);
  CK_MECHANISM ecdsa = {CKM_ECDSA, nullptr, 0};
  ASSERT_CKR(CKR_OK, p11()->C_SignInit(s, &ecdsa, hpriv));
  Bytes sig(64);
  CK_ULONG len = sig.size();
  ASSERT_CKR(CKR_OK, p11()->C_Sign(s, digest.data(), digest.size(), sig.data(),
                                   &len));
  EXPECT_TRUE(VerifyEcdsaRaw(key.get(), View(digest), View(sig)));

  // A fresh library (no cache) finds the pair by the application's CKA_ID.
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  s = OpenLoggedIn();
  CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
  auto found = Find(s, {Attr(CKA_ID, id, sizeof(id)),
                        Attr(CKA_CLASS, &cls, sizeof(cls))});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(Attribute(s, found[0], CKA_LABEL),
            Bytes(label.begin(), label.end()));
  // The alias object behind the CKA_ID is not shown.
  CK_OBJECT_CLASS data = CKO_DATA;
  EXPECT_TRUE(Find(s, {Attr(CKA_CLASS, &data, sizeof(data))}).empty());

  // Destroy: the public key goes with the private one, at once.
  CK_OBJECT_HANDLE pub_handle = FindOne(s, CKO_PUBLIC_KEY, label);
  EXPECT_CKR(CKR_ACTION_PROHIBITED, p11()->C_DestroyObject(s, pub_handle));
  EXPECT_CKR(CKR_OK, p11()->C_DestroyObject(s, found[0]));
  EXPECT_TRUE(Find(s, {Attr(CKA_ID, id, sizeof(id))}).empty());
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID, p11()->C_DestroyObject(s, found[0]));
  EXPECT_FALSE(ServerLists(kmsd(), label));
}

TEST_F(KeygenTest, RsaPairAndTemplateChecks) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  std::string label = "gen-rsa";
  CK_ULONG bits = 2048;
  CK_BYTE exponent[] = {0x01, 0x00, 0x01};
  std::vector<CK_ATTRIBUTE> pub = {
      Attr(CKA_TOKEN, &kTrue, 1), Attr(CKA_MODULUS_BITS, &bits, sizeof(bits)),
      Attr(CKA_PUBLIC_EXPONENT, exponent, 3), Attr(CKA_ENCRYPT, &kTrue, 1),
      Attr(CKA_VERIFY, &kTrue, 1), Label(label)};
  std::vector<CK_ATTRIBUTE> priv = {Attr(CKA_TOKEN, &kTrue, 1),
                                    Attr(CKA_DECRYPT, &kTrue, 1),
                                    Attr(CKA_SIGN, &kTrue, 1), Label(label)};
  CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
  ASSERT_CKR(CKR_OK,
             p11()->C_GenerateKeyPair(s, &m, pub.data(), pub.size(),
                                      priv.data(), priv.size(), &hpub, &hpriv));
  Bytes modulus_bits = Attribute(s, hpub, CKA_MODULUS_BITS);
  ASSERT_EQ(modulus_bits.size(), sizeof(CK_ULONG));
  EXPECT_EQ(*reinterpret_cast<CK_ULONG*>(modulus_bits.data()), 2048u);
  EXPECT_EQ(Attribute(s, hpub, CKA_PUBLIC_EXPONENT), Bytes(exponent, exponent + 3));
  EXPECT_EQ(Attribute(s, hpriv, CKA_DECRYPT), Bytes{CK_TRUE});
  EXPECT_EQ(Attribute(s, hpriv, CKA_SIGN), Bytes{CK_TRUE});
  EvpPkeyPtr key =
      PublicKeyFromDer(View(Attribute(s, hpub, CKA_PUBLIC_KEY_INFO)));
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 2048);

  auto expect = [&](CK_RV rv, CK_MECHANISM mech, std::vector<CK_ATTRIBUTE> pu,
                    std::vector<CK_ATTRIBUTE> pr) {
    CK_OBJECT_HANDLE a = 0, b = 0;
    EXPECT_CKR(rv, p11()->C_GenerateKeyPair(s, &mech, pu.data(), pu.size(),
                                            pr.data(), pr.size(), &a, &b));
  };
  CK_ULONG odd_bits = 1024;
  expect(CKR_ATTRIBUTE_VALUE_INVALID, m,
         {Attr(CKA_MODULUS_BITS, &odd_bits, sizeof(odd_bits))}, {});
  CK_BYTE three[] = {0x03};
  expect(CKR_ATTRIBUTE_VALUE_INVALID, m,
         {Attr(CKA_MODULUS_BITS, &bits, sizeof(bits)),
          Attr(CKA_PUBLIC_EXPONENT, three, 1)},
         {});
  expect(CKR_TEMPLATE_INCOMPLETE, m, {}, {});
  std::string other = "other";
  expect(CKR_TEMPLATE_INCONSISTENT, m,
         {Attr(CKA_MODULUS_BITS, &bits, sizeof(bits)), Label(label)},
         {Label(other)});
  CK_OBJECT_CLASS wrong = CKO_SECRET_KEY;
  expect(CKR_TEMPLATE_INCONSISTENT, m,
         {Attr(CKA_MODULUS_BITS, &bits, sizeof(bits)),
          Attr(CKA_CLASS, &wrong, sizeof(wrong))},
         {});
  CK_MECHANISM ec = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  expect(CKR_TEMPLATE_INCONSISTENT, ec,
         {Attr(CKA_EC_PARAMS, kP256, sizeof(kP256))},
         {Attr(CKA_DECRYPT, &kTrue, 1)});
  expect(CKR_ATTRIBUTE_VALUE_INVALID, ec,
         {Attr(CKA_EC_PARAMS, kUnknownCurve, sizeof(kUnknownCurve))}, {});
  expect(CKR_ATTRIBUTE_VALUE_INVALID, ec,
         {Attr(CKA_EC_PARAMS, kP256, sizeof(kP256))},
         {Attr(CKA_SENSITIVE, &kFalse, 1)});
  expect(CKR_ATTRIBUTE_TYPE_INVALID, ec,
         {Attr(CKA_EC_PARAMS, kP256, sizeof(kP256))},
         {Attr(CKA_VENDOR_DEFINED + 7, &kTrue, 1)});
  CK_MECHANISM sha = {CKM_SHA256, nullptr, 0};
  expect(CKR_MECHANISM_INVALID, sha, {}, {});
  // Read-only session, no login.
  CK_SESSION_HANDLE ro = OpenSession(false);
  expect(CKR_OK, ec, {Attr(CKA_EC_PARAMS, kP256, sizeof(kP256))}, {});
  {
    std::vector<CK_ATTRIBUTE> pu = {Attr(CKA_EC_PARAMS, kP256, sizeof(kP256)),
                                    Attr(CKA_TOKEN, &kTrue, 1)};
    CK_OBJECT_HANDLE a = 0, b = 0;
    EXPECT_CKR(CKR_SESSION_READ_ONLY,
               p11()->C_GenerateKeyPair(ro, &ec, pu.data(), pu.size(), nullptr,
                                        0, &a, &b));
  }
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  expect(CKR_USER_NOT_LOGGED_IN, ec,
         {Attr(CKA_EC_PARAMS, kP256, sizeof(kP256))}, {});
}

TEST_F(KeygenTest, Ed25519SessionKeyVanishesOnClose) {
  CK_SESSION_HANDLE keep = OpenLoggedIn();
  CK_SESSION_HANDLE s = OpenSession();
  std::string label = "gen-ed-session";
  std::vector<CK_ATTRIBUTE> pub = {
      Attr(CKA_EC_PARAMS, kEdwardsName, sizeof(kEdwardsName)), Label(label)};
  std::vector<CK_ATTRIBUTE> priv = {Attr(CKA_TOKEN, &kFalse, 1), Label(label)};
  CK_MECHANISM m = {CKM_EC_EDWARDS_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
  ASSERT_CKR(CKR_OK,
             p11()->C_GenerateKeyPair(s, &m, pub.data(), pub.size(),
                                      priv.data(), priv.size(), &hpub, &hpriv));
  EXPECT_EQ(Attribute(s, hpriv, CKA_TOKEN), Bytes{CK_FALSE});
  Bytes key_type = Attribute(s, hpub, CKA_KEY_TYPE);
  EXPECT_EQ(*reinterpret_cast<CK_KEY_TYPE*>(key_type.data()), CKK_EC_EDWARDS);
  EXPECT_TRUE(ServerLists(kmsd(), label));
  Bytes message = RandomBytes(50);
  CK_MECHANISM eddsa = {CKM_EDDSA, nullptr, 0};
  ASSERT_CKR(CKR_OK, p11()->C_SignInit(s, &eddsa, hpriv));
  Bytes sig(64);
  CK_ULONG len = sig.size();
  ASSERT_CKR(CKR_OK, p11()->C_Sign(s, message.data(), message.size(),
                                   sig.data(), &len));
  EvpPkeyPtr key =
      PublicKeyFromDer(View(Attribute(s, hpub, CKA_PUBLIC_KEY_INFO)));
  EXPECT_TRUE(VerifyEd25519(key.get(), View(message), View(sig)));

  ASSERT_CKR(CKR_OK, p11()->C_CloseSession(s));
  EXPECT_FALSE(ServerLists(kmsd(), label));
  EXPECT_TRUE(Find(keep, {Label(label)}).empty());
}

TEST_F(KeygenTest, SecretKeys) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_MECHANISM aes = {CKM_AES_KEY_GEN, nullptr, 0};
  for (CK_ULONG len : {16ul, 32ul}) {
    std::string label = "gen-aes-" + std::to_string(len);
    std::vector<CK_ATTRIBUTE> t = {
        Attr(CKA_VALUE_LEN, &len, sizeof(len)), Attr(CKA_TOKEN, &kTrue, 1),
        Attr(CKA_ENCRYPT, &kTrue, 1), Attr(CKA_DECRYPT, &kTrue, 1),
        Label(label)};
    CK_OBJECT_HANDLE h = 0;
    ASSERT_CKR(CKR_OK, p11()->C_GenerateKey(s, &aes, t.data(), t.size(), &h));
    Bytes got = Attribute(s, h, CKA_VALUE_LEN);
    EXPECT_EQ(*reinterpret_cast<CK_ULONG*>(got.data()), len);
    EXPECT_EQ(Attribute(s, h, CKA_ENCRYPT), Bytes{CK_TRUE});
    EXPECT_EQ(FindOne(s, CKO_SECRET_KEY, label), h);
  }
  CK_ULONG bad = 24;
  std::vector<CK_ATTRIBUTE> t = {Attr(CKA_VALUE_LEN, &bad, sizeof(bad))};
  CK_OBJECT_HANDLE h = 0;
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID,
             p11()->C_GenerateKey(s, &aes, t.data(), t.size(), &h));
  EXPECT_CKR(CKR_TEMPLATE_INCOMPLETE,
             p11()->C_GenerateKey(s, &aes, nullptr, 0, &h));
  CK_ULONG len = 16;
  std::vector<CK_ATTRIBUTE> signing = {Attr(CKA_VALUE_LEN, &len, sizeof(len)),
                                       Attr(CKA_SIGN, &kTrue, 1)};
  EXPECT_CKR(CKR_TEMPLATE_INCONSISTENT,
             p11()->C_GenerateKey(s, &aes, signing.data(), signing.size(), &h));

  CK_MECHANISM generic = {CKM_GENERIC_SECRET_KEY_GEN, nullptr, 0};
  std::string label = "gen-hmac";
  CK_ULONG hlen = 32;
  std::vector<CK_ATTRIBUTE> ht = {Attr(CKA_VALUE_LEN, &hlen, sizeof(hlen)),
                                  Attr(CKA_TOKEN, &kTrue, 1),
                                  Attr(CKA_SIGN, &kTrue, 1), Label(label)};
  ASSERT_CKR(CKR_OK,
             p11()->C_GenerateKey(s, &generic, ht.data(), ht.size(), &h));
  Bytes message = RandomBytes(40);
  CK_MECHANISM hmac = {CKM_SHA256_HMAC, nullptr, 0};
  ASSERT_CKR(CKR_OK, p11()->C_SignInit(s, &hmac, h));
  Bytes mac(32);
  CK_ULONG mac_len = mac.size();
  ASSERT_CKR(CKR_OK, p11()->C_Sign(s, message.data(), message.size(),
                                   mac.data(), &mac_len));
  ASSERT_CKR(CKR_OK, p11()->C_VerifyInit(s, &hmac, h));
  EXPECT_CKR(CKR_OK, p11()->C_Verify(s, message.data(), message.size(),
                                     mac.data(), mac.size()));
  EXPECT_CKR(CKR_OK, p11()->C_DestroyObject(s, h));
  EXPECT_FALSE(ServerLists(kmsd(), label));
}

}  // namespace
}  // namespace kms::testing
