// C_WrapKey / C_UnwrapKey through the module against kmsd, checked with
// OpenSSL on keys whose bytes the test knows (imported into the dev key
// ring), and the vendor mechanism CKM_KMS_AES_GCM_ROTATING across a key
// rotation.
#include <unistd.h>

#include <cstring>

#include "module/include/kms/pkcs11_vendor.h"
#include "tests/integration/openssl_check.h"
#include "tests/integration/test_json.h"
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

using WrapTest = ModuleTest;
using RotatingGcmTest = ModuleTest;

std::string Unique(const std::string& prefix) {
  static int n = 0;
  return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(++n);
}

class Keys {
 public:
  Keys(CK_FUNCTION_LIST* p11, KmsdProcess& kmsd) : p11_(p11), kmsd_(kmsd) {}

  // Imports `material` as a key of the dev ring and returns its id.
  std::string Import(const std::string& label, const std::string& algorithm,
                     ByteView material, std::vector<std::string> usages,
                     bool exportable) {
    auto client = kmsd_.LoggedInApp();
    EXPECT_TRUE(client.ok());
    if (!client.ok()) return "";
    Json body = Json::Object();
    body.Set("label", label);
    body.Set("algorithm", algorithm);
    body.SetBase64("material", material);
    body.SetStrings("usages", usages);
    body.Set("exportable", exportable);
    Json key = Ok((*client)->Call("POST", "/v1/keyrings/dev/import", body));
    return Str(key, "id");
  }

 private:
  CK_FUNCTION_LIST* p11_;
  KmsdProcess& kmsd_;
};

CK_RV Wrap(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s, CK_MECHANISM m,
           CK_OBJECT_HANDLE wrapping, CK_OBJECT_HANDLE key, Bytes* out) {
  CK_ULONG len = 0;
  CK_RV rv = p11->C_WrapKey(s, &m, wrapping, key, nullptr, &len);
  if (rv != CKR_OK) return rv;
  out->assign(len, 0);
  rv = p11->C_WrapKey(s, &m, wrapping, key, out->data(), &len);
  out->resize(rv == CKR_OK ? len : 0);
  return rv;
}

struct SecretTemplate {
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_AES;
  CK_BBOOL yes = CK_TRUE;
  CK_BBOOL no = CK_FALSE;
  std::string label;
  std::vector<CK_ATTRIBUTE> attrs;

  explicit SecretTemplate(std::string l) : label(std::move(l)) {
    attrs = {{CKA_CLASS, &cls, sizeof(cls)},
             {CKA_KEY_TYPE, &type, sizeof(type)},
             {CKA_ENCRYPT, &yes, 1},
             {CKA_DECRYPT, &yes, 1},
             {CKA_TOKEN, &no, 1},
             {CKA_LABEL, label.data(), label.size()}};
  }
};

CK_RV Unwrap(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s, CK_MECHANISM m,
             CK_OBJECT_HANDLE unwrapping, Bytes wrapped,
             std::vector<CK_ATTRIBUTE> attrs, CK_OBJECT_HANDLE* key) {
  return p11->C_UnwrapKey(s, &m, unwrapping, wrapped.data(), wrapped.size(),
                          attrs.data(), attrs.size(), key);
}

// Encrypts with AES-GCM through the module and decrypts with OpenSSL under
// `known`: the module's key holds exactly those bytes.
void ExpectKeyIs(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s,
                 CK_OBJECT_HANDLE key, const Bytes& known) {
  Bytes iv = RandomBytes(12), plain = RandomBytes(45);
  CK_GCM_PARAMS gcm = {iv.data(), iv.size(), 96, nullptr, 0, 128};
  CK_MECHANISM m = {CKM_AES_GCM, &gcm, sizeof(gcm)};
  ASSERT_CKR(CKR_OK, p11->C_EncryptInit(s, &m, key));
  Bytes ct(plain.size() + 16);
  CK_ULONG len = ct.size();
  ASSERT_CKR(CKR_OK,
             p11->C_Encrypt(s, plain.data(), plain.size(), ct.data(), &len));
  ASSERT_EQ(len, ct.size());
  Bytes tag(ct.end() - 16, ct.end());
  ct.resize(ct.size() - 16);
  auto decrypted =
      AesDecrypt("GCM", View(known), View(iv), {}, View(ct), View(tag));
  ASSERT_TRUE(decrypted.has_value()) << "the key is not the known one";
  EXPECT_EQ(*decrypted, plain);
}

CK_ULONG Ulong(const Bytes& b) {
  CK_ULONG v = 0;
  if (b.size() == sizeof(v)) std::memcpy(&v, b.data(), sizeof(v));
  return v;
}

TEST_F(WrapTest, AesKeyWrapIsCheckedByOpenSsl) {
  Keys keys(p11(), kmsd());
  Bytes kek = RandomBytes(32), secret = RandomBytes(32),
        small = RandomBytes(16);
  std::string kek_label = Unique("kek"), target_label = Unique("target"),
              small_label = Unique("small");
  keys.Import(kek_label, "AES_256", View(kek), {"wrap", "unwrap"}, false);
  keys.Import(target_label, "AES_256", View(secret), {"encrypt", "decrypt"},
              true);
  keys.Import(small_label, "AES_128", View(small), {"encrypt"}, true);
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE wrapping = FindOne(s, CKO_SECRET_KEY, kek_label);
  CK_OBJECT_HANDLE target = FindOne(s, CKO_SECRET_KEY, target_label);
  CK_OBJECT_HANDLE target16 = FindOne(s, CKO_SECRET_KEY, small_label);
  EXPECT_EQ(Attribute(s, target, CKA_EXTRACTABLE), Bytes{CK_TRUE});

  for (CK_MECHANISM_TYPE type :
       {CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD, CKM_AES_KEY_WRAP_KWP}) {
    SCOPED_TRACE(type);
    const bool pad = type != CKM_AES_KEY_WRAP;
    CK_MECHANISM m = {type, nullptr, 0};
    // Length query, then a short buffer: neither ends anything.
    CK_ULONG len = 0;
    ASSERT_CKR(CKR_OK,
               p11()->C_WrapKey(s, &m, wrapping, target, nullptr, &len));
    EXPECT_EQ(len, 40u);
    Bytes wrapped(len);
    CK_ULONG short_len = 39;
    EXPECT_CKR(
        CKR_BUFFER_TOO_SMALL,
        p11()->C_WrapKey(s, &m, wrapping, target, wrapped.data(), &short_len));
    EXPECT_EQ(short_len, 40u);
    ASSERT_CKR(CKR_OK,
               p11()->C_WrapKey(s, &m, wrapping, target, wrapped.data(), &len));
    ASSERT_EQ(len, 40u);
    auto unwrapped = AesKeyUnwrap(View(kek), pad, View(wrapped));
    ASSERT_TRUE(unwrapped.has_value());
    EXPECT_EQ(*unwrapped, secret);
    // Both RFCs are deterministic: OpenSSL wraps to the same bytes.
    EXPECT_EQ(AesKeyWrap(View(kek), pad, View(secret)), wrapped);

    Bytes wrapped16;
    ASSERT_CKR(CKR_OK, Wrap(p11(), s, m, wrapping, target16, &wrapped16));
    EXPECT_EQ(wrapped16.size(), 24u);
    EXPECT_EQ(AesKeyUnwrap(View(kek), pad, View(wrapped16)), small);
  }
}

TEST_F(WrapTest, GeneratedExtractableKeyWrapsAndIsTheKeyItUses) {
  Keys keys(p11(), kmsd());
  Bytes kek = RandomBytes(32);
  std::string kek_label = Unique("kek");
  keys.Import(kek_label, "AES_256", View(kek), {"wrap"}, false);
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE wrapping = FindOne(s, CKO_SECRET_KEY, kek_label);
  CK_MECHANISM gen = {CKM_AES_KEY_GEN, nullptr, 0};
  CK_ULONG len = 32;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE t[] = {{CKA_VALUE_LEN, &len, sizeof(len)},
                      {CKA_ENCRYPT, &yes, 1},
                      {CKA_DECRYPT, &yes, 1},
                      {CKA_EXTRACTABLE, &yes, 1}};
  CK_OBJECT_HANDLE key = 0;
  ASSERT_CKR(CKR_OK, p11()->C_GenerateKey(s, &gen, t, 4, &key));
  EXPECT_EQ(Attribute(s, key, CKA_EXTRACTABLE), Bytes{CK_TRUE});
  Bytes wrapped;
  ASSERT_CKR(CKR_OK, Wrap(p11(), s, {CKM_AES_KEY_WRAP_PAD, nullptr, 0},
                          wrapping, key, &wrapped));
  auto secret = AesKeyUnwrap(View(kek), true, View(wrapped));
  ASSERT_TRUE(secret.has_value());
  ASSERT_EQ(secret->size(), 32u);
  ExpectKeyIs(p11(), s, key, *secret);
}

TEST_F(WrapTest, UnwrapsWhatOpenSslWrapped) {
  Keys keys(p11(), kmsd());
  Bytes kek = RandomBytes(32);
  std::string kek_label = Unique("kek");
  keys.Import(kek_label, "AES_256", View(kek), {"wrap", "unwrap"}, false);
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE unwrapping = FindOne(s, CKO_SECRET_KEY, kek_label);
  for (bool pad : {false, true}) {
    SCOPED_TRACE(pad);
    Bytes secret = RandomBytes(pad ? 16 : 32);
    auto wrapped = AesKeyWrap(View(kek), pad, View(secret));
    ASSERT_TRUE(wrapped.has_value());
    SecretTemplate t(Unique("dek"));
    std::string id = Unique("id");
    t.attrs.push_back({CKA_ID, id.data(), id.size()});
    CK_MECHANISM m = {pad ? CKM_AES_KEY_WRAP_PAD : CKM_AES_KEY_WRAP, nullptr,
                      0};
    CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
    ASSERT_CKR(CKR_OK,
               Unwrap(p11(), s, m, unwrapping, *wrapped, t.attrs, &key));
    EXPECT_EQ(Ulong(Attribute(s, key, CKA_VALUE_LEN)), secret.size());
    EXPECT_EQ(Attribute(s, key, CKA_TOKEN), Bytes{CK_FALSE});
    EXPECT_EQ(Attribute(s, key, CKA_LABEL), ToBytes(t.label));
    EXPECT_EQ(Attribute(s, key, CKA_EXTRACTABLE), Bytes{CK_FALSE});
    // Found at once by the application's CKA_ID.
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    auto found = Find(
        s, {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, id.data(), id.size()}});
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0], key);
    ExpectKeyIs(p11(), s, key, secret);
  }
}

TEST_F(WrapTest, RsaOaepUnwrapsOpenSslWrapAndWrapsForItself) {
  Keys keys(p11(), kmsd());
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  CK_ULONG bits = 2048;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE pub_t[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)},
                          {CKA_WRAP, &yes, 1}};
  CK_ATTRIBUTE priv_t[] = {{CKA_UNWRAP, &yes, 1}};
  CK_OBJECT_HANDLE pub = 0, priv = 0;
  ASSERT_CKR(CKR_OK, p11()->C_GenerateKeyPair(s, &gen, pub_t, 2, priv_t, 1,
                                              &pub, &priv));
  EvpPkeyPtr rsa =
      PublicKeyFromDer(View(Attribute(s, pub, CKA_PUBLIC_KEY_INFO)));
  ASSERT_NE(rsa, nullptr);

  struct Case {
    CK_MECHANISM_TYPE hash;
    CK_RSA_PKCS_MGF_TYPE mgf;
    const char* name;
    std::string label;
  };
  for (const Case& c : {Case{CKM_SHA256, CKG_MGF1_SHA256, "SHA256", "ctx"},
                        Case{CKM_SHA_1, CKG_MGF1_SHA1, "SHA1", ""}}) {
    SCOPED_TRACE(c.name);
    std::string label = c.label;
    CK_RSA_PKCS_OAEP_PARAMS oaep = {c.hash, c.mgf, CKZ_DATA_SPECIFIED,
                                    label.empty() ? nullptr : label.data(),
                                    label.size()};
    CK_MECHANISM m = {CKM_RSA_PKCS_OAEP, &oaep, sizeof(oaep)};
    Bytes secret = RandomBytes(32);
    auto wrapped =
        RsaEncrypt(rsa.get(), MdByName(c.name), View(label), View(secret));
    ASSERT_TRUE(wrapped.has_value());
    SecretTemplate t(Unique("oaep-dek"));
    CK_ULONG value_len = 32;
    // RSA-OAEP does not tell the key's length: the template must.
    CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
    EXPECT_CKR(CKR_TEMPLATE_INCOMPLETE,
               Unwrap(p11(), s, m, priv, *wrapped, t.attrs, &key));
    t.attrs.push_back({CKA_VALUE_LEN, &value_len, sizeof(value_len)});
    CK_BBOOL extractable = CK_TRUE;
    t.attrs.push_back({CKA_EXTRACTABLE, &extractable, 1});
    ASSERT_CKR(CKR_OK, Unwrap(p11(), s, m, priv, *wrapped, t.attrs, &key));
    ExpectKeyIs(p11(), s, key, secret);

    // The unwrapped key is extractable: wrap it again under the public key
    // and unwrap that into a third key holding the same bytes.
    Bytes rewrapped;
    CK_ULONG len = 0;
    ASSERT_CKR(CKR_OK, p11()->C_WrapKey(s, &m, pub, key, nullptr, &len));
    EXPECT_EQ(len, 256u);
    ASSERT_CKR(CKR_OK, Wrap(p11(), s, m, pub, key, &rewrapped));
    EXPECT_EQ(rewrapped.size(), 256u);
    SecretTemplate again(Unique("oaep-again"));
    again.attrs.push_back({CKA_VALUE_LEN, &value_len, sizeof(value_len)});
    CK_OBJECT_HANDLE key2 = CK_INVALID_HANDLE;
    ASSERT_CKR(CKR_OK,
               Unwrap(p11(), s, m, priv, rewrapped, again.attrs, &key2));
    ExpectKeyIs(p11(), s, key2, secret);

    // The wrong OAEP label does not unwrap.
    std::string other = "other";
    CK_RSA_PKCS_OAEP_PARAMS bad = oaep;
    bad.pSourceData = other.data();
    bad.ulSourceDataLen = other.size();
    CK_MECHANISM bad_m = {CKM_RSA_PKCS_OAEP, &bad, sizeof(bad)};
    EXPECT_CKR(CKR_WRAPPED_KEY_INVALID,
               Unwrap(p11(), s, bad_m, priv, *wrapped, t.attrs, &key2));
  }
}

TEST_F(WrapTest, Errors) {
  Keys keys(p11(), kmsd());
  Bytes kek = RandomBytes(32);
  std::string kek_label = Unique("kek"), plain_label = Unique("plain"),
              locked_label = Unique("locked"), open_label = Unique("open");
  keys.Import(kek_label, "AES_256", View(kek), {"wrap", "unwrap"}, false);
  keys.Import(plain_label, "AES_256", View(RandomBytes(32)),
              {"encrypt", "decrypt"}, true);
  keys.Import(locked_label, "AES_256", View(RandomBytes(32)), {"encrypt"},
              false);
  // An EC key pair: its public key is no wrapping key and no target.
  ASSERT_FALSE(CreateKey(open_label, "EC_P256").empty());
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE wrapping = FindOne(s, CKO_SECRET_KEY, kek_label);
  CK_OBJECT_HANDLE no_wrap = FindOne(s, CKO_SECRET_KEY, plain_label);
  CK_OBJECT_HANDLE locked = FindOne(s, CKO_SECRET_KEY, locked_label);
  CK_MECHANISM kw = {CKM_AES_KEY_WRAP, nullptr, 0};
  CK_MECHANISM kwp = {CKM_AES_KEY_WRAP_PAD, nullptr, 0};
  CK_ULONG len = 0;
  Bytes out;

  EXPECT_CKR(CKR_KEY_UNEXTRACTABLE,
             p11()->C_WrapKey(s, &kw, wrapping, locked, nullptr, &len));
  EXPECT_CKR(CKR_KEY_FUNCTION_NOT_PERMITTED,
             p11()->C_WrapKey(s, &kw, no_wrap, no_wrap, nullptr, &len));
  EXPECT_CKR(CKR_WRAPPING_KEY_HANDLE_INVALID,
             p11()->C_WrapKey(s, &kw, 987654, no_wrap, nullptr, &len));
  EXPECT_CKR(CKR_KEY_HANDLE_INVALID,
             p11()->C_WrapKey(s, &kw, wrapping, 987654, nullptr, &len));
  EXPECT_CKR(CKR_ARGUMENTS_BAD,
             p11()->C_WrapKey(s, &kw, wrapping, no_wrap, nullptr, nullptr));
  Bytes iv(8);
  CK_MECHANISM kw_iv = {CKM_AES_KEY_WRAP, iv.data(), iv.size()};
  EXPECT_CKR(CKR_MECHANISM_PARAM_INVALID,
             p11()->C_WrapKey(s, &kw_iv, wrapping, no_wrap, nullptr, &len));
  CK_MECHANISM ecb = {CKM_AES_ECB, nullptr, 0};
  EXPECT_CKR(CKR_MECHANISM_INVALID,
             p11()->C_WrapKey(s, &ecb, wrapping, no_wrap, nullptr, &len));
  CK_RSA_PKCS_OAEP_PARAMS mixed = {CKM_SHA256, CKG_MGF1_SHA1,
                                   CKZ_DATA_SPECIFIED, nullptr, 0};
  CK_MECHANISM oaep_mixed = {CKM_RSA_PKCS_OAEP, &mixed, sizeof(mixed)};
  EXPECT_CKR(
      CKR_MECHANISM_PARAM_INVALID,
      p11()->C_WrapKey(s, &oaep_mixed, wrapping, no_wrap, nullptr, &len));
  CK_RSA_PKCS_OAEP_PARAMS good = {CKM_SHA256, CKG_MGF1_SHA256,
                                  CKZ_DATA_SPECIFIED, nullptr, 0};
  CK_MECHANISM oaep = {CKM_RSA_PKCS_OAEP, &good, sizeof(good)};
  EXPECT_CKR(CKR_WRAPPING_KEY_TYPE_INCONSISTENT,
             p11()->C_WrapKey(s, &oaep, wrapping, no_wrap, nullptr, &len));

  CK_OBJECT_HANDLE ec_pub = FindOne(s, CKO_PUBLIC_KEY, open_label);
  EXPECT_CKR(CKR_KEY_NOT_WRAPPABLE,
             p11()->C_WrapKey(s, &kw, wrapping, ec_pub, nullptr, &len));
  EXPECT_CKR(CKR_WRAPPING_KEY_TYPE_INCONSISTENT,
             p11()->C_WrapKey(s, &kw, ec_pub, no_wrap, nullptr, &len));

  // Unwrap.
  Bytes secret = RandomBytes(32);
  Bytes wrapped = *AesKeyWrap(View(kek), false, View(secret));
  SecretTemplate t(Unique("e"));
  CK_OBJECT_HANDLE key = 0;
  EXPECT_CKR(CKR_UNWRAPPING_KEY_HANDLE_INVALID,
             Unwrap(p11(), s, kw, 987654, wrapped, t.attrs, &key));
  EXPECT_CKR(CKR_KEY_FUNCTION_NOT_PERMITTED,
             Unwrap(p11(), s, kw, no_wrap, wrapped, t.attrs, &key));
  EXPECT_CKR(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT,
             Unwrap(p11(), s, kw, ec_pub, wrapped, t.attrs, &key));
  Bytes tampered = wrapped;
  tampered[5] ^= 1;
  EXPECT_CKR(CKR_WRAPPED_KEY_INVALID,
             Unwrap(p11(), s, kw, wrapping, tampered, t.attrs, &key));
  // The RFC 5649 check refuses an RFC 3394 text.
  EXPECT_CKR(CKR_WRAPPED_KEY_INVALID,
             Unwrap(p11(), s, kwp, wrapping, wrapped, t.attrs, &key));
  EXPECT_CKR(CKR_WRAPPED_KEY_LEN_RANGE,
             Unwrap(p11(), s, kw, wrapping,
                    Bytes(wrapped.begin(), wrapped.end() - 3), t.attrs, &key));
  EXPECT_CKR(CKR_WRAPPED_KEY_LEN_RANGE,
             Unwrap(p11(), s, kw, wrapping, Bytes(16), t.attrs, &key));
  // A 24-byte secret is no kmsd key.
  Bytes odd = *AesKeyWrap(View(kek), false, View(RandomBytes(24)));
  EXPECT_CKR(CKR_WRAPPED_KEY_LEN_RANGE,
             Unwrap(p11(), s, kw, wrapping, odd, t.attrs, &key));

  std::vector<CK_ATTRIBUTE> no_class(t.attrs.begin() + 1, t.attrs.end());
  EXPECT_CKR(CKR_TEMPLATE_INCOMPLETE,
             Unwrap(p11(), s, kw, wrapping, wrapped, no_class, &key));
  SecretTemplate priv(Unique("e"));
  priv.cls = CKO_PRIVATE_KEY;
  EXPECT_CKR(CKR_TEMPLATE_INCONSISTENT,
             Unwrap(p11(), s, kw, wrapping, wrapped, priv.attrs, &key));
  SecretTemplate sized(Unique("e"));
  CK_ULONG sixteen = 16;
  sized.attrs.push_back({CKA_VALUE_LEN, &sixteen, sizeof(sixteen)});
  EXPECT_CKR(CKR_TEMPLATE_INCONSISTENT,
             Unwrap(p11(), s, kw, wrapping, wrapped, sized.attrs, &key));
  SecretTemplate sign(Unique("e"));
  sign.attrs.push_back({CKA_SIGN, &sign.yes, 1});
  EXPECT_CKR(CKR_TEMPLATE_INCONSISTENT,
             Unwrap(p11(), s, kw, wrapping, wrapped, sign.attrs, &key));

  // A token key needs a R/W session; a session key does not.
  CK_SESSION_HANDLE ro = OpenSession(false);
  SecretTemplate token_key(Unique("e"));
  token_key.attrs[4].pValue = &token_key.yes;
  EXPECT_CKR(CKR_SESSION_READ_ONLY,
             Unwrap(p11(), ro, kw, wrapping, wrapped, token_key.attrs, &key));
  EXPECT_CKR(CKR_OK, Unwrap(p11(), ro, kw, wrapping, wrapped, t.attrs, &key));

  // Without a login nothing is wrapped.
  p11()->C_Logout(s);
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN,
             p11()->C_WrapKey(s, &kw, wrapping, no_wrap, nullptr, &len));
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN,
             Unwrap(p11(), s, kw, wrapping, wrapped, t.attrs, &key));
}

TEST_F(WrapTest, MechanismInfo) {
  for (CK_MECHANISM_TYPE type : {CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD,
                                 CKM_AES_KEY_WRAP_KWP, CKM_RSA_PKCS_OAEP}) {
    CK_MECHANISM_INFO info = {};
    ASSERT_CKR(CKR_OK, p11()->C_GetMechanismInfo(0, type, &info));
    EXPECT_TRUE(info.flags & CKF_WRAP);
    EXPECT_TRUE(info.flags & CKF_UNWRAP);
  }
  CK_MECHANISM_INFO info = {};
  ASSERT_CKR(CKR_OK,
             p11()->C_GetMechanismInfo(0, CKM_KMS_AES_GCM_ROTATING, &info));
  EXPECT_EQ(info.flags & (CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP),
            CKF_ENCRYPT | CKF_DECRYPT);
  EXPECT_EQ(info.ulMinKeySize, 16u);
  EXPECT_EQ(info.ulMaxKeySize, 32u);
}

// ---- CKM_KMS_AES_GCM_ROTATING ----

struct Parsed {
  bool ok = false;
  uint32_t version = 0;
  Bytes iv, ciphertext, tag;
};

Parsed Parse(const Bytes& text) {
  Parsed p;
  if (text.size() < 34 || text[0] != 0x4B || text[1] != 0x01) return p;
  p.version = (uint32_t{text[2]} << 24) | (uint32_t{text[3]} << 16) |
              (uint32_t{text[4]} << 8) | text[5];
  p.iv.assign(text.begin() + 6, text.begin() + 18);
  p.ciphertext.assign(text.begin() + 18, text.end() - 16);
  p.tag.assign(text.end() - 16, text.end());
  p.ok = true;
  return p;
}

Bytes Gcm(CK_FUNCTION_LIST* p11, CK_SESSION_HANDLE s, bool encrypt,
          const Bytes& aad, CK_OBJECT_HANDLE key, const Bytes& in,
          bool multipart, CK_RV expected = CKR_OK) {
  CK_MECHANISM m = {CKM_KMS_AES_GCM_ROTATING,
                    aad.empty() ? nullptr : const_cast<uint8_t*>(aad.data()),
                    aad.size()};
  auto init = encrypt ? p11->C_EncryptInit : p11->C_DecryptInit;
  auto single = encrypt ? p11->C_Encrypt : p11->C_Decrypt;
  auto update = encrypt ? p11->C_EncryptUpdate : p11->C_DecryptUpdate;
  auto final = encrypt ? p11->C_EncryptFinal : p11->C_DecryptFinal;
  EXPECT_CKR(CKR_OK, init(s, &m, key));
  Bytes data = in;
  CK_ULONG len = 0;
  Bytes out;
  if (multipart) {
    size_t third = data.size() / 3;
    CK_ULONG n = 0;
    EXPECT_CKR(CKR_OK, update(s, data.data(), third, nullptr, &n));
    EXPECT_CKR(CKR_OK, update(s, data.data() + third, data.size() - third,
                              nullptr, &n));
    EXPECT_CKR(CKR_OK, final(s, nullptr, &len));
    out.resize(len);
    EXPECT_CKR(expected, final(s, out.data(), &len));
  } else {
    EXPECT_CKR(CKR_OK, single(s, data.data(), data.size(), nullptr, &len));
    EXPECT_EQ(len, encrypt ? in.size() + 34 : in.size() - 34);
    out.resize(len);
    EXPECT_STREQ(RvName(expected),
                 RvName(single(s, data.data(), data.size(), out.data(), &len)));
  }
  if (expected != CKR_OK) return {};
  out.resize(len);
  return out;
}

TEST_F(RotatingGcmTest, SurvivesRotationAndIsPlainGcm) {
  Keys keys(p11(), kmsd());
  Bytes secret = RandomBytes(32);
  std::string label = Unique("rot");
  std::string id = keys.Import(label, "AES_256", View(secret),
                               {"encrypt", "decrypt"}, false);
  ASSERT_FALSE(id.empty());
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE key = FindOne(s, CKO_SECRET_KEY, label);
  Bytes plain = RandomBytes(100), aad = ToBytes("record 7");

  Bytes old_text = Gcm(p11(), s, true, aad, key, plain, false);
  Parsed p = Parse(old_text);
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.version, 1u);
  // Plain AES-256-GCM under the imported bytes, with the parameter as AAD.
  auto opened = AesDecrypt("GCM", View(secret), View(p.iv), View(aad),
                           View(p.ciphertext), View(p.tag));
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, plain);
  EXPECT_EQ(Parse(Gcm(p11(), s, true, aad, key, plain, true)).version, 1u);

  // Rotate (as the admin, a management call).
  auto admin = kmsd().AdminClient();
  Json rotated = Ok(admin->Call(
      "POST", "/v1/keyrings/dev/keys/" + id + "/rotate", Json::Object()));
  ASSERT_EQ(Num(rotated, "primary_version"), 2);

  // The same handle follows the rotation once the cache refreshes; a new
  // login fetches at once.
  p11()->C_Logout(s);
  s = OpenLoggedIn();
  key = FindOne(s, CKO_SECRET_KEY, label);
  EXPECT_EQ(Gcm(p11(), s, false, aad, key, old_text, false), plain);
  EXPECT_EQ(Gcm(p11(), s, false, aad, key, old_text, true), plain);
  Bytes new_text = Gcm(p11(), s, true, aad, key, plain, false);
  Parsed q = Parse(new_text);
  ASSERT_TRUE(q.ok);
  EXPECT_EQ(q.version, 2u);
  EXPECT_FALSE(AesDecrypt("GCM", View(secret), View(q.iv), View(aad),
                          View(q.ciphertext), View(q.tag))
                   .has_value());
  EXPECT_EQ(Gcm(p11(), s, false, aad, key, new_text, true), plain);

  // Empty plaintext and no AAD.
  Bytes empty_text = Gcm(p11(), s, true, {}, key, {}, false);
  EXPECT_EQ(empty_text.size(), 34u);
  EXPECT_TRUE(Gcm(p11(), s, false, {}, key, empty_text, false).empty());
}

TEST_F(RotatingGcmTest, RefusesTamperedText) {
  Keys keys(p11(), kmsd());
  std::string label = Unique("rot");
  keys.Import(label, "AES_256", View(RandomBytes(32)), {"encrypt", "decrypt"},
              false);
  CK_SESSION_HANDLE s = OpenLoggedIn();
  CK_OBJECT_HANDLE key = FindOne(s, CKO_SECRET_KEY, label);
  Bytes plain = RandomBytes(40), aad = ToBytes("aad");
  Bytes text = Gcm(p11(), s, true, aad, key, plain, false);
  for (size_t at : {size_t{10}, size_t{20}, text.size() - 1}) {
    Bytes bad = text;
    bad[at] ^= 0x01;
    Gcm(p11(), s, false, aad, key, bad, false, CKR_ENCRYPTED_DATA_INVALID);
  }
  Gcm(p11(), s, false, ToBytes("other"), key, text, true,
      CKR_ENCRYPTED_DATA_INVALID);
  Bytes magic = text;
  magic[0] = 0x00;
  Gcm(p11(), s, false, aad, key, magic, false, CKR_ENCRYPTED_DATA_INVALID);
  Bytes format = text;
  format[1] = 0x02;
  Gcm(p11(), s, false, aad, key, format, true, CKR_ENCRYPTED_DATA_INVALID);
  Bytes version = text;
  version[5] = 9;  // a version the key never had
  Gcm(p11(), s, false, aad, key, version, false, CKR_ENCRYPTED_DATA_INVALID);

  CK_MECHANISM m = {CKM_KMS_AES_GCM_ROTATING, nullptr, 0};
  ASSERT_CKR(CKR_OK, p11()->C_DecryptInit(s, &m, key));
  Bytes out(64);
  CK_ULONG len = out.size();
  EXPECT_CKR(CKR_ENCRYPTED_DATA_LEN_RANGE,
             p11()->C_Decrypt(s, text.data(), 33, out.data(), &len));
  CK_MECHANISM bad_param = {CKM_KMS_AES_GCM_ROTATING, nullptr, 5};
  EXPECT_CKR(CKR_MECHANISM_PARAM_INVALID,
             p11()->C_EncryptInit(s, &bad_param, key));
}

}  // namespace
}  // namespace kms::testing
