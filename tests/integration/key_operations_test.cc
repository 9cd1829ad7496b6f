// Key use against a real kmsd (SoftHSMv2 root), every result checked
// independently with OpenSSL: signatures with the public key kmsd returns,
// ciphertexts and wrapped keys with key material the test generated and
// imported, RSA decryption of what OpenSSL encrypted. Also key usage
// refusals and the random endpoint.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/kmsd_process.h"
#include "tests/integration/openssl_check.h"
#include "tests/integration/test_json.h"

namespace kms::testing {
namespace {

class KeyOperationsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto kmsd = KmsdProcess::Start("softhsm");
    if (!kmsd.ok()) {
      start_error_ = kmsd.status().ToString();
      return;
    }
    kmsd_ = std::move(kmsd).value();
    auto app = kmsd_->LoggedInApp("dev");
    if (!app.ok()) {
      start_error_ = app.status().ToString();
      return;
    }
    app_ = std::move(app).value();
  }

  static void TearDownTestSuite() {
    app_.reset();
    kmsd_.reset();
  }

  void SetUp() override { ASSERT_NE(app_, nullptr) << start_error_; }

  static std::string KeyPath(const std::string& id) {
    return "/v1/keyrings/dev/keys/" + id;
  }

  // POST /v1/keyrings/dev/keys/{id}/{op} as the logged-in app.
  static Result<Json> Use(const std::string& id, const std::string& op,
                          const Json& body) {
    return app_->Call("POST", KeyPath(id) + "/" + op, body);
  }

  static std::string CreateKey(const std::string& algorithm,
                               const std::vector<std::string>& usages = {},
                               bool exportable = false) {
    Json body = Json::Object();
    body.Set("label", "ops-" + algorithm).Set("algorithm", algorithm);
    if (!usages.empty()) body.SetStrings("usages", usages);
    if (exportable) body.Set("exportable", true);
    Json key = Ok(app_->Call("POST", "/v1/keyrings/dev/keys", body));
    EXPECT_EQ(Str(key, "algorithm"), algorithm);
    return Str(key, "id");
  }

  static std::string Import(const std::string& algorithm, ByteView material,
                            const std::vector<std::string>& usages,
                            bool exportable = false) {
    Json body = Json::Object();
    body.Set("label", "imported-" + algorithm).Set("algorithm", algorithm);
    body.SetBase64("material", material);
    body.SetStrings("usages", usages);
    if (exportable) body.Set("exportable", true);
    Json key = Ok(app_->Call("POST", "/v1/keyrings/dev/import", body));
    EXPECT_TRUE(
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(key.get(), "imported")))
        << key.Dump();
    return Str(key, "id");
  }

  static Bytes PublicKeyDer(const std::string& id) {
    Json reply = Ok(app_->Call("GET", KeyPath(id) + "/public-key"));
    return B64(reply, "public_key");
  }

  static EvpPkeyPtr PublicKey(const std::string& id) {
    Bytes der = PublicKeyDer(id);
    EvpPkeyPtr key = PublicKeyFromDer(View(der));
    EXPECT_NE(key, nullptr) << "public key of " << id << " does not parse";
    return key;
  }

  static Bytes SignDigest(const std::string& id, const std::string& scheme,
                          ByteView data, const char* hash = nullptr) {
    Json body = Json::Object();
    body.Set("scheme", scheme).SetBase64("data", data);
    if (hash != nullptr) body.Set("hash", hash);
    return B64(Ok(Use(id, "sign", body)), "signature");
  }

  // GCM encryption with a fixed IV, for comparing two keys' output.
  static Bytes GcmWithFixedIv(const std::string& id, ByteView plaintext) {
    static const Bytes kIv(12, 0x42);
    Json body = Json::Object();
    body.Set("mode", "GCM")
        .SetBase64("plaintext", plaintext)
        .SetBase64("iv", View(kIv));
    Json reply = Ok(Use(id, "encrypt", body));
    Bytes out = B64(reply, "ciphertext");
    Bytes tag = B64(reply, "tag");
    out.insert(out.end(), tag.begin(), tag.end());
    return out;
  }

  static inline std::unique_ptr<KmsdProcess> kmsd_;
  static inline std::unique_ptr<ApiClient> app_;
  static inline std::string start_error_;
};

// ---- Signatures ----

TEST_F(KeyOperationsTest, RsaPkcs1SignaturesVerifyWithOpenSsl) {
  const Bytes message = ToBytes("the quick brown fox");
  for (const auto& [algorithm, size] :
       std::vector<std::pair<std::string, size_t>>{
           {"RSA_2048", 256}, {"RSA_3072", 384}, {"RSA_4096", 512}}) {
    SCOPED_TRACE(algorithm);
    std::string id = CreateKey(algorithm);
    EvpPkeyPtr pub = PublicKey(id);
    ASSERT_NE(pub, nullptr);
    for (const char* hash : {"SHA256", "SHA384", "SHA512"}) {
      SCOPED_TRACE(hash);
      const EVP_MD* md = MdByName(hash);
      Bytes digest = Digest(md, View(message));
      Bytes sig = SignDigest(id, "RSA_PKCS1", View(digest), hash);
      EXPECT_EQ(sig.size(), size);
      EXPECT_TRUE(VerifyRsaPkcs1(pub.get(), md, View(digest), View(sig)));
      // The check can fail: another digest does not verify.
      Bytes other = Digest(md, View(ToBytes("another message")));
      EXPECT_FALSE(VerifyRsaPkcs1(pub.get(), md, View(other), View(sig)));
    }
    // Without a hash the data is a complete DigestInfo; the result is the
    // same standard PKCS#1 v1.5 SHA-256 signature.
    const Bytes digest = Digest(EVP_sha256(), View(message));
    const Bytes info = DigestInfo(EVP_sha256(), View(digest));
    ASSERT_EQ(info.size(), 19u + 32u);
    Bytes raw_sig = SignDigest(id, "RSA_PKCS1", View(info));
    EXPECT_EQ(raw_sig.size(), size);
    EXPECT_TRUE(
        VerifyRsaPkcs1(pub.get(), EVP_sha256(), View(digest), View(raw_sig)));
    EXPECT_TRUE(VerifyRsaPkcs1(pub.get(), nullptr, View(info), View(raw_sig)));
    // PKCS#1 v1.5 is deterministic.
    EXPECT_EQ(raw_sig, SignDigest(id, "RSA_PKCS1", View(digest), "SHA256"));
  }
}

TEST_F(KeyOperationsTest, RsaPssSignaturesVerifyWithOpenSsl) {
  std::string id = CreateKey("RSA_2048");
  EvpPkeyPtr pub = PublicKey(id);
  ASSERT_NE(pub, nullptr);
  const Bytes message = ToBytes("pss message");
  struct Case {
    const char* hash;
    const char* mgf1;  // nullptr: not sent (defaults to hash)
    int salt;          // -1: not sent (defaults to the hash size)
    int expected_salt;
  };
  const Case cases[] = {
      {"SHA256", nullptr, -1, 32},
      {"SHA256", "SHA256", 32, 32},
      {"SHA256", nullptr, 0, 0},
      {"SHA384", "SHA384", 48, 48},
      {"SHA512", nullptr, 64, 64},
      {"SHA256", "SHA1", 20, 20},
      {"SHA1", "SHA1", 20, 20},
      // The largest salt for a 2048-bit key and SHA-512: 256 - 64 - 2.
      {"SHA512", "SHA512", 190, 190},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.hash) + " mgf1 " +
                 (c.mgf1 ? c.mgf1 : "(default)") + " salt " +
                 std::to_string(c.salt));
    const EVP_MD* md = MdByName(c.hash);
    Bytes digest = Digest(md, View(message));
    Json body = Json::Object();
    body.Set("scheme", "RSA_PSS").Set("hash", c.hash);
    body.SetBase64("data", View(digest));
    if (c.mgf1 != nullptr) body.Set("mgf1_hash", c.mgf1);
    if (c.salt >= 0) body.Set("salt_length", c.salt);
    Json reply = Ok(Use(id, "sign", body));
    Bytes sig = B64(reply, "signature");
    EXPECT_EQ(sig.size(), 256u);
    const EVP_MD* mgf1 = MdByName(c.mgf1 ? c.mgf1 : c.hash);
    EXPECT_TRUE(VerifyRsaPss(pub.get(), md, mgf1, c.expected_salt, View(digest),
                             View(sig)));
    // A verifier expecting another salt length refuses it.
    EXPECT_FALSE(VerifyRsaPss(pub.get(), md, mgf1, c.expected_salt + 1,
                              View(digest), View(sig)));
    if (c.expected_salt > 0) {
      // Salted PSS is randomised.
      Bytes again = B64(Ok(Use(id, "sign", body)), "signature");
      EXPECT_NE(sig, again);
    }
  }
  // A salt too long for the key is refused.
  Bytes digest = Digest(EVP_sha512(), View(message));
  Json body = Json::Object();
  body.Set("scheme", "RSA_PSS").Set("hash", "SHA512").Set("salt_length", 191);
  body.SetBase64("data", View(digest));
  EXPECT_TRUE(Fails(Use(id, "sign", body), ErrorCode::kInvalidArgument));
}

TEST_F(KeyOperationsTest, EcdsaRawSignaturesVerifyWithOpenSsl) {
  const Bytes message = ToBytes("ecdsa message");
  for (const auto& [algorithm, hash, size] :
       std::vector<std::tuple<std::string, std::string, size_t>>{
           {"EC_P256", "SHA256", 64},
           {"EC_P384", "SHA384", 96},
           {"EC_P384", "SHA256", 96}}) {
    SCOPED_TRACE(algorithm + " " + hash);
    std::string id = CreateKey(algorithm);
    EvpPkeyPtr pub = PublicKey(id);
    ASSERT_NE(pub, nullptr);
    const Bytes digest = Digest(MdByName(hash), View(message));
    for (int i = 0; i < 8; ++i) {
      // Several signatures: r or s with leading zero bytes must still be
      // padded to the field size.
      Bytes sig = SignDigest(id, "ECDSA", View(digest));
      ASSERT_EQ(sig.size(), size);
      EXPECT_TRUE(VerifyEcdsaRaw(pub.get(), View(digest), View(sig)));
    }
    Bytes with_hash = SignDigest(id, "ECDSA", View(digest), hash.c_str());
    EXPECT_TRUE(VerifyEcdsaRaw(pub.get(), View(digest), View(with_hash)));
    Bytes other = Digest(MdByName(hash), View(ToBytes("other")));
    EXPECT_FALSE(VerifyEcdsaRaw(pub.get(), View(other), View(with_hash)));
  }
}

TEST_F(KeyOperationsTest, Ed25519SignsTheMessage) {
  std::string id = CreateKey("ED25519");
  EvpPkeyPtr pub = PublicKey(id);
  ASSERT_NE(pub, nullptr);
  for (size_t length : {size_t{1}, size_t{32}, size_t{1000}}) {
    SCOPED_TRACE(length);
    Bytes message = RandomBytes(length);
    Bytes sig = SignDigest(id, "ED25519", View(message));
    ASSERT_EQ(sig.size(), 64u);
    EXPECT_TRUE(VerifyEd25519(pub.get(), View(message), View(sig)));
    // Over the message itself, not a digest of it.
    Bytes digest = Digest(EVP_sha512(), View(message));
    EXPECT_FALSE(VerifyEd25519(pub.get(), View(digest), View(sig)));
  }
}

TEST_F(KeyOperationsTest, HmacSignThenServerVerify) {
  std::string id = CreateKey("HMAC_SHA256");
  const Bytes message = ToBytes("authenticate me");
  Bytes mac = SignDigest(id, "HMAC", View(message));
  ASSERT_EQ(mac.size(), 32u);
  EXPECT_EQ(mac, SignDigest(id, "HMAC", View(message)));  // deterministic

  Json good = Json::Object();
  good.Set("scheme", "HMAC")
      .SetBase64("data", View(message))
      .SetBase64("signature", View(mac));
  Json reply = Ok(Use(id, "verify", good));
  EXPECT_TRUE(
      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply.get(), "valid")));

  Bytes wrong = mac;
  wrong[5] ^= 0x01;
  Json bad = Json::Object();
  bad.Set("scheme", "HMAC")
      .SetBase64("data", View(message))
      .SetBase64("signature", View(wrong));
  EXPECT_TRUE(Fails(Use(id, "verify", bad), ErrorCode::kSignatureInvalid));
  EXPECT_EQ(app_->last_http_status(), 400);

  Bytes cut(mac.begin(), mac.begin() + 16);
  Json short_mac = Json::Object();
  short_mac.Set("scheme", "HMAC")
      .SetBase64("data", View(message))
      .SetBase64("signature", View(cut));
  EXPECT_TRUE(
      Fails(Use(id, "verify", short_mac), ErrorCode::kSignatureInvalid));

  Json other_data = Json::Object();
  other_data.Set("scheme", "HMAC")
      .SetBase64("data", View(ToBytes("authenticate mE")))
      .SetBase64("signature", View(mac));
  EXPECT_TRUE(
      Fails(Use(id, "verify", other_data), ErrorCode::kSignatureInvalid));
}

// ---- RSA decryption of what OpenSSL encrypted ----

TEST_F(KeyOperationsTest, RsaDecryptsWhatOpenSslEncrypted) {
  for (const std::string algorithm : {"RSA_2048", "RSA_3072"}) {
    SCOPED_TRACE(algorithm);
    std::string id = CreateKey(algorithm);
    EvpPkeyPtr pub = PublicKey(id);
    ASSERT_NE(pub, nullptr);
    const Bytes secret = RandomBytes(32);
    const Bytes label = ToBytes("context label");
    struct Case {
      const char* mode;
      const char* hash;  // nullptr for PKCS#1 v1.5
      bool with_label;
    };
    for (const Case& c :
         {Case{"RSA_OAEP", "SHA1", false}, Case{"RSA_OAEP", "SHA1", true},
          Case{"RSA_OAEP", "SHA256", false}, Case{"RSA_OAEP", "SHA256", true},
          Case{"RSA_OAEP", "SHA512", true},
          Case{"RSA_PKCS1", nullptr, false}}) {
      SCOPED_TRACE(std::string(c.mode) + " " + (c.hash ? c.hash : "") +
                   (c.with_label ? " label" : ""));
      const EVP_MD* md = c.hash ? MdByName(c.hash) : nullptr;
      Bytes used_label = c.with_label ? label : Bytes();
      auto ct = RsaEncrypt(pub.get(), md, View(used_label), View(secret));
      ASSERT_TRUE(ct.has_value());
      Json body = Json::Object();
      body.Set("mode", c.mode).SetBase64("ciphertext", View(*ct));
      if (c.hash != nullptr) body.Set("hash", c.hash);
      if (c.with_label) body.SetBase64("label", View(label));
      Json reply = Ok(Use(id, "decrypt", body));
      EXPECT_EQ(B64(reply, "plaintext"), secret);
      EXPECT_EQ(Num(reply, "version"), 1);
      if (c.with_label) {
        // The label is bound: another one does not decrypt.
        Json wrong = Json::Object();
        wrong.Set("mode", c.mode).SetBase64("ciphertext", View(*ct));
        wrong.Set("hash", c.hash).SetBase64("label", View(ToBytes("other")));
        EXPECT_TRUE(
            Fails(Use(id, "decrypt", wrong), ErrorCode::kDecryptFailed));
      }
    }
    // A ciphertext of the wrong length is refused as such.
    Json cut = Json::Object();
    cut.Set("mode", "RSA_OAEP").SetBase64("ciphertext", View(secret));
    EXPECT_TRUE(Fails(Use(id, "decrypt", cut), ErrorCode::kDataInvalid));
  }
}

// ---- Imported keys: the test holds the material ----

TEST_F(KeyOperationsTest, ImportedAesCiphertextsMatchOpenSsl) {
  for (size_t key_size : {size_t{16}, size_t{32}}) {
    const std::string algorithm = key_size == 16 ? "AES_128" : "AES_256";
    SCOPED_TRACE(algorithm);
    const Bytes key = RandomBytes(key_size);
    std::string id = Import(algorithm, View(key), {"encrypt", "decrypt"});
    const Bytes plaintext = ToBytes("attack at dawn, bring 37 bytes!!!!!!!");
    ASSERT_EQ(plaintext.size(), 37u);
    const Bytes aad = ToBytes("associated data");

    // GCM, server encrypts with a supplied IV and AAD; OpenSSL decrypts.
    {
      const Bytes iv = RandomBytes(12);
      Json body = Json::Object();
      body.Set("mode", "GCM")
          .SetBase64("plaintext", View(plaintext))
          .SetBase64("iv", View(iv))
          .SetBase64("aad", View(aad));
      Json reply = Ok(Use(id, "encrypt", body));
      EXPECT_EQ(B64(reply, "iv"), iv);
      Bytes ct = B64(reply, "ciphertext");
      Bytes tag = B64(reply, "tag");
      EXPECT_EQ(tag.size(), 16u);
      auto pt = AesDecrypt("GCM", View(key), View(iv), View(aad), View(ct),
                           View(tag));
      ASSERT_TRUE(pt.has_value());
      EXPECT_EQ(*pt, plaintext);
      // Deterministic given the IV: byte-equal to OpenSSL's encryption.
      Bytes local_tag;
      auto local = AesEncrypt("GCM", View(key), View(iv), View(aad),
                              View(plaintext), &local_tag);
      ASSERT_TRUE(local.has_value());
      EXPECT_EQ(*local, ct);
      EXPECT_EQ(local_tag, tag);
      // Without the AAD OpenSSL refuses it.
      EXPECT_FALSE(
          AesDecrypt("GCM", View(key), View(iv), {}, View(ct), View(tag))
              .has_value());
    }
    // GCM with a generated IV and no AAD.
    {
      Json body = Json::Object();
      body.Set("mode", "GCM").SetBase64("plaintext", View(plaintext));
      Json reply = Ok(Use(id, "encrypt", body));
      Bytes iv = B64(reply, "iv");
      EXPECT_EQ(iv.size(), 12u);
      auto pt =
          AesDecrypt("GCM", View(key), View(iv), {},
                     View(B64(reply, "ciphertext")), View(B64(reply, "tag")));
      ASSERT_TRUE(pt.has_value());
      EXPECT_EQ(*pt, plaintext);
      Json again = Ok(Use(id, "encrypt", body));
      EXPECT_NE(B64(again, "iv"), iv);
    }
    // GCM the other way round: OpenSSL encrypts, the server decrypts, with
    // and without AAD; a changed tag does not decrypt.
    for (bool with_aad : {false, true}) {
      SCOPED_TRACE(with_aad ? "GCM decrypt with AAD" : "GCM decrypt");
      const Bytes iv = RandomBytes(12);
      const Bytes used_aad = with_aad ? aad : Bytes();
      Bytes tag;
      auto ct = AesEncrypt("GCM", View(key), View(iv), View(used_aad),
                           View(plaintext), &tag);
      ASSERT_TRUE(ct.has_value());
      Json body = Json::Object();
      body.Set("mode", "GCM")
          .SetBase64("ciphertext", View(*ct))
          .SetBase64("iv", View(iv))
          .SetBase64("tag", View(tag));
      if (with_aad) body.SetBase64("aad", View(aad));
      EXPECT_EQ(B64(Ok(Use(id, "decrypt", body)), "plaintext"), plaintext);
      tag[0] ^= 0x80;
      Json tampered = Json::Object();
      tampered.Set("mode", "GCM")
          .SetBase64("ciphertext", View(*ct))
          .SetBase64("iv", View(iv))
          .SetBase64("tag", View(tag));
      if (with_aad) tampered.SetBase64("aad", View(aad));
      EXPECT_TRUE(
          Fails(Use(id, "decrypt", tampered), ErrorCode::kDecryptFailed));
    }
    // CBC_PAD, CBC (whole blocks) and CTR, both directions.
    for (const std::string mode : {"CBC_PAD", "CBC", "CTR"}) {
      SCOPED_TRACE(mode);
      const Bytes input = mode == "CBC"
                              ? Bytes(plaintext.begin(), plaintext.begin() + 32)
                              : plaintext;
      // Server encrypts with a generated IV; OpenSSL decrypts.
      Json body = Json::Object();
      body.Set("mode", mode).SetBase64("plaintext", View(input));
      Json reply = Ok(Use(id, "encrypt", body));
      Bytes iv = B64(reply, "iv");
      Bytes ct = B64(reply, "ciphertext");
      EXPECT_EQ(iv.size(), 16u);
      EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(reply.get(), "tag"), nullptr);
      EXPECT_EQ(ct.size(), mode == "CBC_PAD" ? size_t{48} : input.size());
      auto pt = AesDecrypt(mode, View(key), View(iv), {}, View(ct), {});
      ASSERT_TRUE(pt.has_value());
      EXPECT_EQ(*pt, input);
      // Supplied IV: byte-equal to OpenSSL.
      const Bytes fixed_iv = RandomBytes(16);
      Json fixed = Json::Object();
      fixed.Set("mode", mode)
          .SetBase64("plaintext", View(input))
          .SetBase64("iv", View(fixed_iv));
      auto local =
          AesEncrypt(mode, View(key), View(fixed_iv), {}, View(input), nullptr);
      ASSERT_TRUE(local.has_value());
      EXPECT_EQ(B64(Ok(Use(id, "encrypt", fixed)), "ciphertext"), *local);
      // OpenSSL encrypts; the server decrypts.
      Json dec = Json::Object();
      dec.Set("mode", mode)
          .SetBase64("ciphertext", View(*local))
          .SetBase64("iv", View(fixed_iv));
      EXPECT_EQ(B64(Ok(Use(id, "decrypt", dec)), "plaintext"), input);
    }
    // CBC without padding needs whole blocks.
    Json partial = Json::Object();
    partial.Set("mode", "CBC").SetBase64("plaintext", View(plaintext));
    EXPECT_TRUE(Fails(Use(id, "encrypt", partial), ErrorCode::kDataInvalid));
  }
}

TEST_F(KeyOperationsTest, ImportedHmacMatchesOpenSsl) {
  const Bytes key = RandomBytes(32);
  std::string id = Import("HMAC_SHA256", View(key), {"sign", "verify"});
  for (size_t length : {size_t{0}, size_t{3}, size_t{100}}) {
    SCOPED_TRACE(length);
    Bytes message = RandomBytes(length);
    Bytes expected = HmacSha256(View(key), View(message));
    ASSERT_EQ(expected.size(), 32u);
    EXPECT_EQ(SignDigest(id, "HMAC", View(message)), expected);
    Json verify = Json::Object();
    verify.Set("scheme", "HMAC")
        .SetBase64("data", View(message))
        .SetBase64("signature", View(expected));
    EXPECT_TRUE(Use(id, "verify", verify).ok());
  }
  // Material of the wrong size does not import.
  Json body = Json::Object();
  body.Set("label", "short").Set("algorithm", "HMAC_SHA256");
  body.SetBase64("material", View(RandomBytes(16)));
  EXPECT_TRUE(Fails(app_->Call("POST", "/v1/keyrings/dev/import", body),
                    ErrorCode::kDataInvalid));
}

TEST_F(KeyOperationsTest, ImportedAsymmetricKeysSignForTheLocalPublicKey) {
  const Bytes message = ToBytes("imported key message");
  {
    SCOPED_TRACE("RSA_2048");
    EvpPkeyPtr local = GenerateRsa(2048);
    ASSERT_NE(local, nullptr);
    std::string id = Import("RSA_2048", View(PrivateKeyPkcs8(local.get())),
                            {"sign", "verify", "encrypt", "decrypt"});
    EXPECT_EQ(PublicKeyDer(id), PublicKeySpki(local.get()));
    Bytes digest = Digest(EVP_sha256(), View(message));
    Bytes sig = SignDigest(id, "RSA_PKCS1", View(digest), "SHA256");
    EXPECT_TRUE(
        VerifyRsaPkcs1(local.get(), EVP_sha256(), View(digest), View(sig)));
    // Server-side encryption decrypts with the local private key.
    const Bytes secret = RandomBytes(24);
    Json body = Json::Object();
    body.Set("mode", "RSA_OAEP").Set("hash", "SHA256");
    body.SetBase64("plaintext", View(secret));
    Bytes ct = B64(Ok(Use(id, "encrypt", body)), "ciphertext");
    auto pt = RsaDecrypt(local.get(), EVP_sha256(), {}, View(ct));
    ASSERT_TRUE(pt.has_value());
    EXPECT_EQ(*pt, secret);
  }
  for (const auto& [algorithm, curve, md] :
       std::vector<std::tuple<std::string, const char*, const EVP_MD*>>{
           {"EC_P256", "P-256", EVP_sha256()},
           {"EC_P384", "P-384", EVP_sha384()}}) {
    SCOPED_TRACE(algorithm);
    EvpPkeyPtr local = GenerateEc(curve);
    ASSERT_NE(local, nullptr);
    std::string id = Import(algorithm, View(PrivateKeyPkcs8(local.get())),
                            {"sign", "verify"});
    EXPECT_EQ(PublicKeyDer(id), PublicKeySpki(local.get()));
    Bytes digest = Digest(md, View(message));
    Bytes sig = SignDigest(id, "ECDSA", View(digest));
    EXPECT_TRUE(VerifyEcdsaRaw(local.get(), View(digest), View(sig)));
  }
  {
    SCOPED_TRACE("ED25519");
    EvpPkeyPtr local = GenerateEd25519();
    ASSERT_NE(local, nullptr);
    std::string id = Import("ED25519", View(PrivateKeyPkcs8(local.get())),
                            {"sign", "verify"});
    EXPECT_EQ(PublicKeyDer(id), PublicKeySpki(local.get()));
    Bytes sig = SignDigest(id, "ED25519", View(message));
    EXPECT_TRUE(VerifyEd25519(local.get(), View(message), View(sig)));
  }
  // Material that does not match the algorithm is refused.
  EvpPkeyPtr p256 = GenerateEc("P-256");
  Json body = Json::Object();
  body.Set("label", "mismatch").Set("algorithm", "EC_P384");
  body.SetBase64("material", View(PrivateKeyPkcs8(p256.get())));
  EXPECT_TRUE(Fails(app_->Call("POST", "/v1/keyrings/dev/import", body),
                    ErrorCode::kDataInvalid));
  Json rsa = Json::Object();
  rsa.Set("label", "mismatch").Set("algorithm", "RSA_2048");
  rsa.SetBase64("material", View(PrivateKeyPkcs8(p256.get())));
  EXPECT_TRUE(Fails(app_->Call("POST", "/v1/keyrings/dev/import", rsa),
                    ErrorCode::kDataInvalid));
}

// ---- Wrapping ----

TEST_F(KeyOperationsTest, WrapThenUnwrapGivesTheSameKey) {
  std::string kek = CreateKey("AES_256", {"wrap", "unwrap"});
  std::string target = CreateKey("AES_256", {"encrypt", "decrypt"}, true);
  const Bytes plaintext = ToBytes("same key, same ciphertext");
  const Bytes expected = GcmWithFixedIv(target, View(plaintext));
  ASSERT_EQ(expected.size(), plaintext.size() + 16);
  for (const std::string mechanism : {"AES_KEY_WRAP", "AES_KEY_WRAP_PAD"}) {
    SCOPED_TRACE(mechanism);
    Json wrap = Json::Object();
    wrap.Set("target_key_id", target).Set("mechanism", mechanism);
    Json wrapped_reply = Ok(Use(kek, "wrap", wrap));
    Bytes wrapped = B64(wrapped_reply, "wrapped");
    EXPECT_EQ(wrapped.size(), 40u);  // 32 bytes plus one integrity block
    EXPECT_EQ(Num(wrapped_reply, "target_version"), 1);

    Json unwrap = Json::Object();
    unwrap.Set("mechanism", mechanism)
        .SetBase64("wrapped", View(wrapped))
        .Set("algorithm", "AES_256")
        .Set("label", "unwrapped-" + mechanism)
        .SetStrings("usages", {"encrypt", "decrypt"});
    Json key = Ok(Use(kek, "unwrap", unwrap));
    std::string copy = Str(key, "id");
    ASSERT_FALSE(copy.empty());
    EXPECT_NE(copy, target);
    EXPECT_TRUE(
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(key.get(), "imported")));
    EXPECT_EQ(GcmWithFixedIv(copy, View(plaintext)), expected);

    // A damaged blob does not unwrap.
    wrapped[3] ^= 0x10;
    Json damaged = Json::Object();
    damaged.Set("mechanism", mechanism)
        .SetBase64("wrapped", View(wrapped))
        .Set("algorithm", "AES_256")
        .Set("label", "damaged");
    EXPECT_TRUE(Fails(Use(kek, "unwrap", damaged), ErrorCode::kDecryptFailed));
  }
  // A fresh key of the same kind gives another ciphertext: the comparison
  // above can fail.
  std::string unrelated = CreateKey("AES_256", {"encrypt", "decrypt"});
  EXPECT_NE(GcmWithFixedIv(unrelated, View(plaintext)), expected);
}

TEST_F(KeyOperationsTest, WrappedBlobsCheckWithOpenSsl) {
  const Bytes kek = RandomBytes(32);
  std::string kek_id = Import("AES_256", View(kek), {"wrap", "unwrap"});
  const Bytes material = RandomBytes(32);
  std::string target =
      Import("AES_256", View(material), {"encrypt", "decrypt"}, true);
  for (bool pad : {false, true}) {
    SCOPED_TRACE(pad ? "AES_KEY_WRAP_PAD" : "AES_KEY_WRAP");
    Json wrap = Json::Object();
    wrap.Set("target_key_id", target)
        .Set("mechanism", pad ? "AES_KEY_WRAP_PAD" : "AES_KEY_WRAP");
    Bytes wrapped = B64(Ok(Use(kek_id, "wrap", wrap)), "wrapped");
    auto unwrapped = AesKeyUnwrap(View(kek), pad, View(wrapped));
    ASSERT_TRUE(unwrapped.has_value());
    EXPECT_EQ(*unwrapped, material);
    // Key wrap is deterministic: byte-equal to OpenSSL's.
    auto local = AesKeyWrap(View(kek), pad, View(material));
    ASSERT_TRUE(local.has_value());
    EXPECT_EQ(*local, wrapped);
    // The other variant does not unwrap it.
    EXPECT_FALSE(AesKeyUnwrap(View(kek), !pad, View(wrapped)).has_value());
  }

  // An exportable EC key made by the server, wrapped with padding: the
  // PKCS#8 inside belongs to the public key the server publishes.
  std::string ec = CreateKey("EC_P256", {"sign", "verify"}, true);
  Json wrap_ec = Json::Object();
  wrap_ec.Set("target_key_id", ec).Set("mechanism", "AES_KEY_WRAP_PAD");
  Bytes wrapped_ec = B64(Ok(Use(kek_id, "wrap", wrap_ec)), "wrapped");
  auto pkcs8 = AesKeyUnwrap(View(kek), true, View(wrapped_ec));
  ASSERT_TRUE(pkcs8.has_value());
  const unsigned char* p = pkcs8->data();
  EvpPkeyPtr priv(
      d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pkcs8->size())));
  ASSERT_NE(priv, nullptr);
  EXPECT_EQ(PublicKeySpki(priv.get()), PublicKeyDer(ec));
  // EC PKCS#8 is not whole semiblocks... or too short for RFC 3394 in
  // general; whichever, the server either wraps it correctly or refuses
  // with DATA_INVALID.
  Json wrap_ec_plain = Json::Object();
  wrap_ec_plain.Set("target_key_id", ec).Set("mechanism", "AES_KEY_WRAP");
  auto plain = Use(kek_id, "wrap", wrap_ec_plain);
  if (pkcs8->size() % 8 != 0) {
    EXPECT_TRUE(Fails(plain, ErrorCode::kDataInvalid));
  } else {
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    auto back = AesKeyUnwrap(View(kek), false, View(B64(*plain, "wrapped")));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, *pkcs8);
  }

  // OpenSSL wraps, the server unwraps into a key that encrypts like the
  // local material.
  const Bytes secret = RandomBytes(16);
  auto local_wrapped = AesKeyWrap(View(kek), true, View(secret));
  ASSERT_TRUE(local_wrapped.has_value());
  Json unwrap = Json::Object();
  unwrap.Set("mechanism", "AES_KEY_WRAP_PAD")
      .SetBase64("wrapped", View(*local_wrapped))
      .Set("algorithm", "AES_128")
      .Set("label", "from-openssl")
      .SetStrings("usages", {"encrypt", "decrypt"});
  std::string unwrapped_id = Str(Ok(Use(kek_id, "unwrap", unwrap)), "id");
  const Bytes plaintext = ToBytes("encrypted under an unwrapped key");
  Bytes ct_and_tag = GcmWithFixedIv(unwrapped_id, View(plaintext));
  Bytes tag;
  auto local_ct = AesEncrypt("GCM", View(secret), View(Bytes(12, 0x42)), {},
                             View(plaintext), &tag);
  ASSERT_TRUE(local_ct.has_value());
  local_ct->insert(local_ct->end(), tag.begin(), tag.end());
  EXPECT_EQ(ct_and_tag, *local_ct);
  // Unwrapping as the wrong algorithm is refused.
  Json wrong = Json::Object();
  wrong.Set("mechanism", "AES_KEY_WRAP_PAD")
      .SetBase64("wrapped", View(*local_wrapped))
      .Set("algorithm", "AES_256")
      .Set("label", "wrong-size");
  EXPECT_TRUE(Fails(Use(kek_id, "unwrap", wrong), ErrorCode::kDataInvalid));
}

TEST_F(KeyOperationsTest, RsaOaepWrap) {
  // Server-made RSA wrapping key: wrap then unwrap gives the same key.
  std::string rsa = CreateKey("RSA_2048", {"wrap", "unwrap"});
  std::string target = CreateKey("AES_256", {"encrypt", "decrypt"}, true);
  const Bytes plaintext = ToBytes("oaep wrapped key");
  Json wrap = Json::Object();
  wrap.Set("target_key_id", target)
      .Set("mechanism", "RSA_OAEP")
      .Set("hash", "SHA256");
  Bytes wrapped = B64(Ok(Use(rsa, "wrap", wrap)), "wrapped");
  EXPECT_EQ(wrapped.size(), 256u);
  Json unwrap = Json::Object();
  unwrap.Set("mechanism", "RSA_OAEP")
      .Set("hash", "SHA256")
      .SetBase64("wrapped", View(wrapped))
      .Set("algorithm", "AES_256")
      .Set("label", "oaep-unwrapped")
      .SetStrings("usages", {"encrypt", "decrypt"});
  std::string copy = Str(Ok(Use(rsa, "unwrap", unwrap)), "id");
  EXPECT_EQ(GcmWithFixedIv(copy, View(plaintext)),
            GcmWithFixedIv(target, View(plaintext)));

  // Locally known RSA key: the blob decrypts with OpenSSL to the material,
  // with and without an OAEP label.
  EvpPkeyPtr local = GenerateRsa(2048);
  ASSERT_NE(local, nullptr);
  std::string rsa_local = Import("RSA_2048", View(PrivateKeyPkcs8(local.get())),
                                 {"wrap", "unwrap"});
  const Bytes material = RandomBytes(32);
  std::string known =
      Import("AES_256", View(material), {"encrypt", "decrypt"}, true);
  for (const char* hash : {"SHA1", "SHA256"}) {
    for (bool with_label : {false, true}) {
      SCOPED_TRACE(std::string(hash) + (with_label ? " label" : ""));
      const Bytes label = with_label ? ToBytes("wrap label") : Bytes();
      Json body = Json::Object();
      body.Set("target_key_id", known)
          .Set("mechanism", "RSA_OAEP")
          .Set("hash", hash);
      if (with_label) body.SetBase64("label", View(label));
      Bytes blob = B64(Ok(Use(rsa_local, "wrap", body)), "wrapped");
      auto pt =
          RsaDecrypt(local.get(), MdByName(hash), View(label), View(blob));
      ASSERT_TRUE(pt.has_value());
      EXPECT_EQ(*pt, material);
      // Unwrapping names the OAEP label "oaep_label" ("label" is the new
      // key's); the blob only unwraps with the same one.
      Json unwrap_body = Json::Object();
      unwrap_body.Set("mechanism", "RSA_OAEP")
          .Set("hash", hash)
          .SetBase64("wrapped", View(blob))
          .Set("algorithm", "AES_256")
          .Set("label", "oaep-unwrapped")
          .SetStrings("usages", {"encrypt", "decrypt"});
      if (with_label) unwrap_body.SetBase64("oaep_label", View(label));
      std::string unwrapped =
          Str(Ok(Use(rsa_local, "unwrap", unwrap_body)), "id");
      EXPECT_EQ(GcmWithFixedIv(unwrapped, View(material)),
                GcmWithFixedIv(known, View(material)));
      Json wrong = Json::Object();
      wrong.Set("mechanism", "RSA_OAEP")
          .Set("hash", hash)
          .SetBase64("wrapped", View(blob))
          .Set("algorithm", "AES_256")
          .Set("label", "wrong-label")
          .SetBase64("oaep_label", View(ToBytes("not the label")));
      EXPECT_TRUE(
          Fails(Use(rsa_local, "unwrap", wrong), ErrorCode::kDecryptFailed));
    }
  }
}

TEST_F(KeyOperationsTest, WrappingANonExportableKeyIsRefused) {
  std::string kek = CreateKey("AES_256", {"wrap", "unwrap"});
  std::string target = CreateKey("AES_256", {"encrypt", "decrypt"});
  Json wrap = Json::Object();
  wrap.Set("target_key_id", target).Set("mechanism", "AES_KEY_WRAP_PAD");
  EXPECT_TRUE(Fails(Use(kek, "wrap", wrap), ErrorCode::kNotExportable));
  EXPECT_EQ(app_->last_http_status(), 403);
  // Neither is an RSA private key.
  std::string rsa = CreateKey("RSA_2048");
  Json wrap_rsa = Json::Object();
  wrap_rsa.Set("target_key_id", rsa).Set("mechanism", "AES_KEY_WRAP_PAD");
  EXPECT_TRUE(Fails(Use(kek, "wrap", wrap_rsa), ErrorCode::kNotExportable));
  // A key without the wrap usage cannot wrap even an exportable key.
  std::string exportable = CreateKey("AES_256", {"encrypt"}, true);
  std::string no_wrap = CreateKey("AES_256", {"encrypt", "decrypt"});
  Json body = Json::Object();
  body.Set("target_key_id", exportable).Set("mechanism", "AES_KEY_WRAP");
  EXPECT_TRUE(Fails(Use(no_wrap, "wrap", body), ErrorCode::kUsageNotAllowed));
  EXPECT_TRUE(Use(kek, "wrap", body).ok());
}

// ---- Random ----

TEST_F(KeyOperationsTest, RandomLengths) {
  for (int length : {1, 32, 4096}) {
    Json body = Json::Object();
    body.Set("length", length);
    EXPECT_EQ(B64(Ok(app_->Call("POST", "/v1/random", body)), "random").size(),
              static_cast<size_t>(length));
  }
  Json body = Json::Object();
  body.Set("length", 4096);
  Bytes a = B64(Ok(app_->Call("POST", "/v1/random", body)), "random");
  Bytes b = B64(Ok(app_->Call("POST", "/v1/random", body)), "random");
  EXPECT_NE(a, b);
  EXPECT_NE(a, Bytes(4096, 0));
  for (int length : {0, -1, 4097}) {
    SCOPED_TRACE(length);
    Json bad = Json::Object();
    bad.Set("length", length);
    EXPECT_TRUE(Fails(app_->Call("POST", "/v1/random", bad),
                      ErrorCode::kInvalidArgument));
  }
}

// ---- Key usage and scheme refusals ----

TEST_F(KeyOperationsTest, UsagesAreEnforced) {
  std::string sign_only = CreateKey("RSA_2048", {"sign"});
  Json encrypt = Json::Object();
  encrypt.Set("mode", "RSA_OAEP").SetBase64("plaintext", View(ToBytes("x")));
  EXPECT_TRUE(
      Fails(Use(sign_only, "encrypt", encrypt), ErrorCode::kUsageNotAllowed));
  EXPECT_EQ(app_->last_http_status(), 400);
  Json decrypt = Json::Object();
  decrypt.Set("mode", "RSA_OAEP").SetBase64("ciphertext", View(Bytes(256, 1)));
  EXPECT_TRUE(
      Fails(Use(sign_only, "decrypt", decrypt), ErrorCode::kUsageNotAllowed));
  Bytes digest = Digest(EVP_sha256(), View(ToBytes("x")));
  Json verify = Json::Object();
  verify.Set("scheme", "RSA_PKCS1")
      .Set("hash", "SHA256")
      .SetBase64("data", View(digest))
      .SetBase64("signature", View(Bytes(256, 1)));
  EXPECT_TRUE(
      Fails(Use(sign_only, "verify", verify), ErrorCode::kUsageNotAllowed));
  // The sign usage itself works.
  EXPECT_EQ(SignDigest(sign_only, "RSA_PKCS1", View(digest), "SHA256").size(),
            256u);

  // An encrypt-only AES key neither decrypts nor signs.
  std::string encrypt_only = CreateKey("AES_128", {"encrypt"});
  Json gcm = Json::Object();
  gcm.Set("mode", "GCM").SetBase64("plaintext", View(ToBytes("y")));
  Json sealed = Ok(Use(encrypt_only, "encrypt", gcm));
  Json open = Json::Object();
  open.Set("mode", "GCM")
      .SetBase64("ciphertext", View(B64(sealed, "ciphertext")))
      .SetBase64("iv", View(B64(sealed, "iv")))
      .SetBase64("tag", View(B64(sealed, "tag")));
  EXPECT_TRUE(
      Fails(Use(encrypt_only, "decrypt", open), ErrorCode::kUsageNotAllowed));
  Json sign = Json::Object();
  sign.SetBase64("data", View(digest));
  EXPECT_TRUE(
      Fails(Use(encrypt_only, "sign", sign), ErrorCode::kUsageNotAllowed));

  // Usages an algorithm cannot have are refused at creation.
  Json body = Json::Object();
  body.Set("label", "bad").Set("algorithm", "ED25519");
  body.SetStrings("usages", {"encrypt"});
  EXPECT_TRUE(Fails(app_->Call("POST", "/v1/keyrings/dev/keys", body),
                    ErrorCode::kInvalidArgument));
}

TEST_F(KeyOperationsTest, SchemeOrModeForAnotherKeyTypeIsRefused) {
  std::string ec = CreateKey("EC_P256");
  std::string rsa = CreateKey("RSA_2048");
  std::string hmac = CreateKey("HMAC_SHA256");
  std::string aes = CreateKey("AES_256");
  Bytes digest = Digest(EVP_sha256(), View(ToBytes("scheme")));
  struct Case {
    std::string key;
    const char* scheme;
    const char* hash;
  };
  // A known scheme that does not fit the key type: USAGE_NOT_ALLOWED
  // ("the key's usages or type do not allow the operation").
  for (const Case& c :
       {Case{ec, "RSA_PSS", "SHA256"}, Case{ec, "RSA_PKCS1", "SHA256"},
        Case{ec, "ED25519", nullptr}, Case{rsa, "ECDSA", nullptr},
        Case{rsa, "HMAC", nullptr}, Case{hmac, "ECDSA", nullptr}}) {
    SCOPED_TRACE(std::string(c.scheme) + " with key " + c.key);
    Json body = Json::Object();
    body.Set("scheme", c.scheme).SetBase64("data", View(digest));
    if (c.hash != nullptr) body.Set("hash", c.hash);
    EXPECT_TRUE(Fails(Use(c.key, "sign", body), ErrorCode::kUsageNotAllowed));
  }
  // An unknown scheme, mode or hash: UNSUPPORTED_ALGORITHM.
  Json unknown = Json::Object();
  unknown.Set("scheme", "DSA").SetBase64("data", View(digest));
  EXPECT_TRUE(
      Fails(Use(ec, "sign", unknown), ErrorCode::kUnsupportedAlgorithm));
  Json unknown_hash = Json::Object();
  unknown_hash.Set("scheme", "RSA_PKCS1")
      .Set("hash", "MD5")
      .SetBase64("data", View(Bytes(16, 1)));
  EXPECT_TRUE(
      Fails(Use(rsa, "sign", unknown_hash), ErrorCode::kUnsupportedAlgorithm));
  Json unknown_mode = Json::Object();
  unknown_mode.Set("mode", "ECB").SetBase64("plaintext", View(Bytes(16, 1)));
  EXPECT_TRUE(Fails(Use(aes, "encrypt", unknown_mode),
                    ErrorCode::kUnsupportedAlgorithm));

  // A known cipher mode for the other key family: USAGE_NOT_ALLOWED too.
  Json gcm_on_rsa = Json::Object();
  gcm_on_rsa.Set("mode", "GCM").SetBase64("plaintext", View(Bytes(16, 1)));
  EXPECT_TRUE(
      Fails(Use(rsa, "encrypt", gcm_on_rsa), ErrorCode::kUsageNotAllowed));
  Json oaep_on_aes = Json::Object();
  oaep_on_aes.Set("mode", "RSA_OAEP")
      .SetBase64("plaintext", View(Bytes(16, 1)));
  EXPECT_TRUE(
      Fails(Use(aes, "encrypt", oaep_on_aes), ErrorCode::kUsageNotAllowed));
  // RSA wrapping with an AES key and AES wrapping with an RSA key.
  std::string target = CreateKey("AES_128", {"encrypt"}, true);
  std::string aes_kek = CreateKey("AES_256", {"wrap", "unwrap"});
  std::string rsa_kek = CreateKey("RSA_2048", {"wrap", "unwrap"});
  Json oaep = Json::Object();
  oaep.Set("target_key_id", target).Set("mechanism", "RSA_OAEP");
  EXPECT_TRUE(Fails(Use(aes_kek, "wrap", oaep), ErrorCode::kUsageNotAllowed));
  Json kw = Json::Object();
  kw.Set("target_key_id", target).Set("mechanism", "AES_KEY_WRAP");
  EXPECT_TRUE(Fails(Use(rsa_kek, "wrap", kw), ErrorCode::kUsageNotAllowed));
  // No public key for a symmetric key.
  EXPECT_TRUE(Fails(app_->Call("GET", KeyPath(aes) + "/public-key"),
                    ErrorCode::kUsageNotAllowed));
}

TEST_F(KeyOperationsTest, DigestOfTheWrongLengthIsRefused) {
  std::string rsa = CreateKey("RSA_2048");
  for (size_t length : {size_t{20}, size_t{31}, size_t{33}, size_t{48}}) {
    SCOPED_TRACE(length);
    Json body = Json::Object();
    body.Set("scheme", "RSA_PKCS1")
        .Set("hash", "SHA256")
        .SetBase64("data", View(Bytes(length, 7)));
    EXPECT_TRUE(Fails(Use(rsa, "sign", body), ErrorCode::kDigestLengthInvalid));
    EXPECT_EQ(app_->last_http_status(), 400);
  }
  Json pss = Json::Object();
  pss.Set("scheme", "RSA_PSS")
      .Set("hash", "SHA384")
      .SetBase64("data", View(Bytes(32, 7)));
  EXPECT_TRUE(Fails(Use(rsa, "sign", pss), ErrorCode::kDigestLengthInvalid));
  std::string ec = CreateKey("EC_P256");
  Json ecdsa = Json::Object();
  ecdsa.Set("scheme", "ECDSA")
      .Set("hash", "SHA256")
      .SetBase64("data", View(Bytes(20, 7)));
  EXPECT_TRUE(Fails(Use(ec, "sign", ecdsa), ErrorCode::kDigestLengthInvalid));
  // Raw PKCS#1 data longer than k - 11 bytes is DATA_INVALID.
  Json raw = Json::Object();
  raw.Set("scheme", "RSA_PKCS1").SetBase64("data", View(Bytes(246, 7)));
  EXPECT_TRUE(Fails(Use(rsa, "sign", raw), ErrorCode::kDataInvalid));
}

}  // namespace
}  // namespace kms::testing
