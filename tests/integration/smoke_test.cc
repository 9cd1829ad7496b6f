// End to end through a real kmsd (SoftHSMv2 root): log in, create a key,
// sign, and check the signature with OpenSSL against the returned public key.
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "common/encoding.h"
#include "common/openssl_raii.h"
#include "tests/integration/kmsd_process.h"
#include "tests/integration/test_json.h"

namespace kms::testing {
namespace {

TEST(SmokeTest, CreateSignVerifyWithSoftHsmRoot) {
  auto kmsd = KmsdProcess::Start("softhsm");
  ASSERT_TRUE(kmsd.ok()) << kmsd.status().ToString();
  auto health = (*kmsd)->AdminClient()->Call("GET", "/healthz");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_NE(health->Dump().find("\"hsm_backed\":true"), std::string::npos);

  auto app = (*kmsd)->LoggedInApp();
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  Json create = Json::Object();
  create.Set("label", "smoke").Set("algorithm", "EC_P256");
  auto key = (*app)->Call("POST", "/v1/keyrings/dev/keys", create);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  std::string id = Str(*key, "id");

  uint8_t digest[32];
  unsigned int len = 0;
  EVP_Digest("hello", 5, digest, &len, EVP_sha256(), nullptr);
  Json sign = Json::Object();
  sign.SetBase64("data", {digest, len});
  auto signed_reply =
      (*app)->Call("POST", "/v1/keyrings/dev/keys/" + id + "/sign", sign);
  ASSERT_TRUE(signed_reply.ok()) << signed_reply.status().ToString();
  auto raw = Base64Decode(Str(*signed_reply, "signature"));
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->size(), 64u);

  auto pub = (*app)->Call("GET", "/v1/keyrings/dev/keys/" + id + "/public-key");
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  auto der = Base64Decode(Str(*pub, "public_key"));
  ASSERT_TRUE(der.ok());
  const unsigned char* p = der->data();
  EvpPkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size())));
  ASSERT_TRUE(pkey);
  // raw r||s to DER for OpenSSL's verifier.
  BignumPtr r(BN_bin2bn(raw->data(), 32, nullptr));
  BignumPtr s(BN_bin2bn(raw->data() + 32, 32, nullptr));
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, r.release(), s.release());
  unsigned char* der_sig = nullptr;
  int der_len = i2d_ECDSA_SIG(sig, &der_sig);
  ECDSA_SIG_free(sig);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(pkey.get(), nullptr));
  ASSERT_EQ(EVP_PKEY_verify_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_verify(ctx.get(), der_sig, static_cast<size_t>(der_len),
                            digest, len),
            1);
  OPENSSL_free(der_sig);
  EXPECT_EQ((*kmsd)->Stop(), 0);
}

}  // namespace
}  // namespace kms::testing
