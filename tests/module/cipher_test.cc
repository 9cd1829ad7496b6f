// C_Encrypt* / C_Decrypt* through the module against kmsd. RSA ciphertexts
// made by OpenSSL from the public key are decrypted by the module.
#include "tests/integration/openssl_check.h"
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

using CipherTest = ModuleTest;

Bytes Crypt(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s, bool encrypt,
            CK_MECHANISM m, CK_OBJECT_HANDLE key, Bytes in, bool multipart,
            CK_RV expected = CKR_OK) {
  auto init = encrypt ? p11->C_EncryptInit : p11->C_DecryptInit;
  auto single = encrypt ? p11->C_Encrypt : p11->C_Decrypt;
  auto update = encrypt ? p11->C_EncryptUpdate : p11->C_DecryptUpdate;
  auto final = encrypt ? p11->C_EncryptFinal : p11->C_DecryptFinal;
  EXPECT_CKR(CKR_OK, init(s, &m, key));
  CK_ULONG len = 0;
  Bytes out;
  if (multipart) {
    size_t half = in.size() / 2;
    CK_ULONG n = 0;
    EXPECT_CKR(CKR_OK, update(s, in.data(), half, nullptr, &n));
    EXPECT_EQ(n, 0u);
    EXPECT_CKR(CKR_OK,
               update(s, in.data() + half, in.size() - half, nullptr, &n));
    EXPECT_CKR(CKR_OK, final(s, nullptr, &len));
    out.resize(len);
    EXPECT_CKR(expected, final(s, out.data(), &len));
  } else {
    EXPECT_CKR(CKR_OK, single(s, in.data(), in.size(), nullptr, &len));
    out.resize(len);
    EXPECT_CKR(expected, single(s, in.data(), in.size(), out.data(), &len));
  }
  out.resize(expected == CKR_OK ? len : 0);
  return out;
}

CK_OBJECT_HANDLE MakeAes(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s) {
  CK_MECHANISM gen = {CKM_AES_KEY_GEN, nullptr, 0};
  CK_ULONG len = 32;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE t[] = {{CKA_VALUE_LEN, &len, sizeof(len)},
                      {CKA_ENCRYPT, &yes, 1},
                      {CKA_DECRYPT, &yes, 1}};
  CK_OBJECT_HANDLE h = 0;
  EXPECT_CKR(CKR_OK, p11->C_GenerateKey(s, &gen, t, 3, &h));
  return h;
}

TEST_F(CipherTest, AesModesRoundTrip) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE key = MakeAes(p11(), s);
  Bytes plain = RandomBytes(100);
  Bytes iv = RandomBytes(12), aad = RandomBytes(20);
  CK_GCM_PARAMS gcm = {iv.data(), iv.size(), 96, aad.data(), aad.size(), 128};
  CK_MECHANISM m = {CKM_AES_GCM, &gcm, sizeof(gcm)};
  for (bool multipart : {false, true}) {
    Bytes ct = Crypt(p11(), s, true, m, key, plain, multipart);
    ASSERT_EQ(ct.size(), plain.size() + 16);
    EXPECT_EQ(Crypt(p11(), s, false, m, key, ct, !multipart), plain);
    ct[3] ^= 1;
    Crypt(p11(), s, false, m, key, ct, multipart, CKR_ENCRYPTED_DATA_INVALID);
  }
  Bytes iv16 = RandomBytes(16);
  CK_MECHANISM pad = {CKM_AES_CBC_PAD, iv16.data(), 16};
  Bytes ct = Crypt(p11(), s, true, pad, key, plain, false);
  EXPECT_EQ(ct.size(), 112u);
  EXPECT_EQ(Crypt(p11(), s, false, pad, key, ct, true), plain);
  CK_MECHANISM cbc = {CKM_AES_CBC, iv16.data(), 16};
  Bytes blocks = RandomBytes(64);
  EXPECT_EQ(Crypt(p11(), s, false, cbc, key,
                  Crypt(p11(), s, true, cbc, key, blocks, false), false),
            blocks);
  CK_AES_CTR_PARAMS ctr = {128, {}};
  std::copy(iv16.begin(), iv16.end(), ctr.cb);
  CK_MECHANISM ctr_m = {CKM_AES_CTR, &ctr, sizeof(ctr)};
  EXPECT_EQ(Crypt(p11(), s, false, ctr_m, key,
                  Crypt(p11(), s, true, ctr_m, key, plain, true), false),
            plain);
  // Bad parameters.
  CK_MECHANISM short_iv = {CKM_AES_CBC, iv16.data(), 8};
  EXPECT_CKR(CKR_MECHANISM_PARAM_INVALID,
             p11()->C_EncryptInit(s, &short_iv, key));
  CK_GCM_PARAMS bad_tag = gcm;
  bad_tag.ulTagBits = 40;
  CK_MECHANISM bad = {CKM_AES_GCM, &bad_tag, sizeof(bad_tag)};
  EXPECT_CKR(CKR_MECHANISM_PARAM_INVALID, p11()->C_EncryptInit(s, &bad, key));
  CK_MECHANISM oaep = {CKM_RSA_PKCS, nullptr, 0};
  EXPECT_CKR(CKR_KEY_TYPE_INCONSISTENT, p11()->C_EncryptInit(s, &oaep, key));
}

// Up to 4 MiB per operation (kmsd's http.max_data_bytes holds it in
// base64); one byte more is refused before any request.
TEST_F(CipherTest, AesGcmUpToFourMiB) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE key = MakeAes(p11(), s);
  constexpr size_t kMax = size_t{4} << 20;
  Bytes plain = RandomBytes(kMax);
  Bytes iv = RandomBytes(12);
  CK_GCM_PARAMS gcm = {iv.data(), iv.size(), 96, nullptr, 0, 128};
  CK_MECHANISM m = {CKM_AES_GCM, &gcm, sizeof(gcm)};
  for (bool multipart : {false, true}) {
    Bytes ct = Crypt(p11(), s, true, m, key, plain, multipart);
    ASSERT_EQ(ct.size(), plain.size() + 16);
    EXPECT_TRUE(Crypt(p11(), s, false, m, key, ct, !multipart) == plain);
  }
  plain.push_back(0);
  CK_ULONG len = 0;
  ASSERT_CKR(CKR_OK, p11()->C_EncryptInit(s, &m, key));
  EXPECT_CKR(CKR_DATA_LEN_RANGE,
             p11()->C_Encrypt(s, plain.data(), plain.size(), nullptr, &len));
  ASSERT_CKR(CKR_OK, p11()->C_EncryptInit(s, &m, key));
  EXPECT_CKR(CKR_OK,
             p11()->C_EncryptUpdate(s, plain.data(), kMax, nullptr, &len));
  EXPECT_CKR(CKR_DATA_LEN_RANGE,
             p11()->C_EncryptUpdate(s, plain.data(), 1, nullptr, &len));
  // The failed call ended the operation.
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED,
             p11()->C_EncryptFinal(s, nullptr, &len));
  // Ciphertext longer than any this module makes.
  Bytes too_long(kMax + 65);
  ASSERT_CKR(CKR_OK, p11()->C_DecryptInit(s, &m, key));
  EXPECT_CKR(
      CKR_ENCRYPTED_DATA_LEN_RANGE,
      p11()->C_Decrypt(s, too_long.data(), too_long.size(), nullptr, &len));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED,
             p11()->C_DecryptFinal(s, nullptr, &len));
}

TEST_F(CipherTest, RsaOaepAndPkcs1) {
  CreateKey("cipher-rsa", "RSA_2048");
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE priv = FindOne(s, CKO_PRIVATE_KEY, "cipher-rsa");
  CK_OBJECT_HANDLE pub = FindOne(s, CKO_PUBLIC_KEY, "cipher-rsa");
  EvpPkeyPtr key =
      PublicKeyFromDer(View(Attribute(s, pub, CKA_PUBLIC_KEY_INFO)));
  ASSERT_NE(key, nullptr);
  Bytes plain = RandomBytes(40);
  Bytes label = {'l', 'b', 'l'};
  CK_RSA_PKCS_OAEP_PARAMS p = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED,
                               label.data(), label.size()};
  CK_MECHANISM m = {CKM_RSA_PKCS_OAEP, &p, sizeof(p)};
  auto independent =
      RsaEncrypt(key.get(), MdByName("SHA256"), View(label), View(plain));
  ASSERT_TRUE(independent.has_value());
  EXPECT_EQ(Crypt(p11(), s, false, m, priv, *independent, false), plain);
  Bytes ct = Crypt(p11(), s, true, m, pub, plain, true);
  EXPECT_EQ(ct.size(), 256u);
  EXPECT_EQ(Crypt(p11(), s, false, m, priv, ct, true), plain);
  CK_RSA_PKCS_OAEP_PARAMS sha1 = {CKM_SHA_1, CKG_MGF1_SHA1, 0, nullptr, 0};
  CK_MECHANISM m1 = {CKM_RSA_PKCS_OAEP, &sha1, sizeof(sha1)};
  EXPECT_EQ(Crypt(p11(), s, false, m1, priv,
                  Crypt(p11(), s, true, m1, pub, plain, false), false),
            plain);
  CK_MECHANISM pkcs = {CKM_RSA_PKCS, nullptr, 0};
  auto v15 = RsaEncrypt(key.get(), nullptr, {}, View(plain));
  ASSERT_TRUE(v15.has_value());
  EXPECT_EQ(Crypt(p11(), s, false, pkcs, priv, *v15, false), plain);
  // The MGF1 hash need not be the label hash (Wycheproof has such vectors).
  CK_RSA_PKCS_OAEP_PARAMS mixed = {CKM_SHA384, CKG_MGF1_SHA1, 0, nullptr, 0};
  CK_MECHANISM mm = {CKM_RSA_PKCS_OAEP, &mixed, sizeof(mixed)};
  EXPECT_EQ(Crypt(p11(), s, false, mm, priv,
                  Crypt(p11(), s, true, mm, pub, plain, false), false),
            plain);
  CK_RSA_PKCS_OAEP_PARAMS unknown_mgf = {CKM_SHA256, 0x99, 0, nullptr, 0};
  CK_MECHANISM bad = {CKM_RSA_PKCS_OAEP, &unknown_mgf, sizeof(unknown_mgf)};
  EXPECT_CKR(CKR_MECHANISM_PARAM_INVALID, p11()->C_EncryptInit(s, &bad, pub));
}

}  // namespace
}  // namespace kms::testing
