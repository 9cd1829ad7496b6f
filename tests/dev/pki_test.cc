#include "server/dev/pki.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <optional>
#include <string>

#include "common/encoding.h"
#include "common/openssl_raii.h"

namespace kms {
namespace {

X509Ptr ParsePem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// Verifies leaf against ca for one purpose (X509_PURPOSE_*); returns the
// X509_V_* result.
int Verify(const std::string& ca_pem, const std::string& leaf_pem,
           int purpose) {
  X509Ptr ca = ParsePem(ca_pem);
  X509Ptr leaf = ParsePem(leaf_pem);
  EXPECT_TRUE(ca && leaf);
  if (!ca || !leaf) return -1;
  X509StorePtr store(X509_STORE_new());
  EXPECT_EQ(X509_STORE_add_cert(store.get(), ca.get()), 1);
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  EXPECT_EQ(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr),
            1);
  EXPECT_EQ(X509_STORE_CTX_set_purpose(ctx.get(), purpose), 1);
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

std::string IndependentFingerprint(const std::string& pem) {
  X509Ptr cert = ParsePem(pem);
  unsigned char* der = nullptr;
  int length = i2d_X509(cert.get(), &der);
  EXPECT_GT(length, 0);
  unsigned char digest[32];
  unsigned int digest_length = 0;
  EXPECT_EQ(EVP_Digest(der, static_cast<size_t>(length), digest, &digest_length,
                       EVP_sha256(), nullptr),
            1);
  OPENSSL_free(der);
  return HexEncode(ByteView(digest, digest_length));
}

std::string CommonName(X509* cert) {
  char buffer[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buffer,
                            sizeof(buffer));
  return buffer;
}

class DevCaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = DevCa::Create("kms dev CA");
    ASSERT_TRUE(ca.ok()) << ca.status().ToString();
    ca_.emplace(std::move(ca).value());
  }
  std::optional<DevCa> ca_;
};

TEST_F(DevCaTest, CaIsSelfSignedCaWithP256Key) {
  X509Ptr ca = ParsePem(ca_->cert_pem());
  ASSERT_TRUE(ca);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_get_version(ca.get()), X509_VERSION_3);
  EXPECT_EQ(CommonName(ca.get()), "kms dev CA");
  EXPECT_EQ(X509_get_key_usage(ca.get()) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN),
            static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_NE(X509_get0_subject_key_id(ca.get()), nullptr);
  int crit = 0;
  BASIC_CONSTRAINTS* bc = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(ca.get(), NID_basic_constraints, &crit, nullptr));
  ASSERT_NE(bc, nullptr);
  EXPECT_TRUE(bc->ca);
  EXPECT_EQ(crit, 1);
  BASIC_CONSTRAINTS_free(bc);
  EVP_PKEY* key = X509_get0_pubkey(ca.get());
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
  char group[64] = {};
  size_t group_length = 0;
  EXPECT_EQ(EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group),
                                           &group_length),
            1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_get_signature_nid(ca.get()), NID_ecdsa_with_SHA256);
  // The key is PKCS#8.
  EXPECT_EQ(std::string(ca_->key_pem().c_str())
                .rfind("-----BEGIN PRIVATE KEY-----", 0),
            0u);
}

TEST_F(DevCaTest, ServerCertificateVerifiesWithSanAndServerAuth) {
  auto server = ca_->IssueServer("kmsd", {"localhost", "kms.example"},
                                 {"127.0.0.1", "::1"});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_EQ(Verify(ca_->cert_pem(), server->cert_pem, X509_PURPOSE_SSL_SERVER),
            X509_V_OK);
  // serverAuth only: the same certificate must not pass as a client.
  EXPECT_NE(Verify(ca_->cert_pem(), server->cert_pem, X509_PURPOSE_SSL_CLIENT),
            X509_V_OK);

  X509Ptr cert = ParsePem(server->cert_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "kms.example", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_host(cert.get(), "other.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 1);
  EXPECT_NE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER, 0u);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT, 0u);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(CommonName(cert.get()), "kmsd");
}

TEST_F(DevCaTest, ClientCertificateVerifiesWithClientAuth) {
  auto client = ca_->IssueClient("app-1");
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_EQ(Verify(ca_->cert_pem(), client->cert_pem, X509_PURPOSE_SSL_CLIENT),
            X509_V_OK);
  EXPECT_NE(Verify(ca_->cert_pem(), client->cert_pem, X509_PURPOSE_SSL_SERVER),
            X509_V_OK);
  X509Ptr cert = ParsePem(client->cert_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(CommonName(cert.get()), "app-1");
  EXPECT_NE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT, 0u);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER, 0u);
}

TEST_F(DevCaTest, CertificateFromAnotherCaDoesNotVerify) {
  auto other = DevCa::Create("other CA");
  ASSERT_TRUE(other.ok());
  auto client = other->IssueClient("intruder");
  ASSERT_TRUE(client.ok());
  EXPECT_NE(Verify(ca_->cert_pem(), client->cert_pem, X509_PURPOSE_SSL_CLIENT),
            X509_V_OK);
}

TEST_F(DevCaTest, FingerprintIsSha256OfDer) {
  auto client = ca_->IssueClient("app-1");
  ASSERT_TRUE(client.ok());
  std::string expected = IndependentFingerprint(client->cert_pem);
  EXPECT_EQ(expected.size(), 64u);
  EXPECT_EQ(client->fingerprint, expected);
  auto computed = CertificateFingerprint(client->cert_pem);
  ASSERT_TRUE(computed.ok());
  EXPECT_EQ(*computed, expected);
  auto ca_fingerprint = CertificateFingerprint(ca_->cert_pem());
  ASSERT_TRUE(ca_fingerprint.ok());
  EXPECT_EQ(*ca_fingerprint, IndependentFingerprint(ca_->cert_pem()));
}

TEST_F(DevCaTest, SerialsAreRandomAndPositive) {
  auto a = ca_->IssueClient("a");
  auto b = ca_->IssueClient("a");
  ASSERT_TRUE(a.ok() && b.ok());
  X509Ptr cert_a = ParsePem(a->cert_pem);
  X509Ptr cert_b = ParsePem(b->cert_pem);
  ASSERT_TRUE(cert_a && cert_b);
  const ASN1_INTEGER* serial_a = X509_get0_serialNumber(cert_a.get());
  const ASN1_INTEGER* serial_b = X509_get0_serialNumber(cert_b.get());
  EXPECT_NE(ASN1_INTEGER_cmp(serial_a, serial_b), 0);
  BignumPtr bn(ASN1_INTEGER_to_BN(serial_a, nullptr));
  ASSERT_TRUE(bn);
  EXPECT_FALSE(BN_is_negative(bn.get()));
  EXPECT_GE(BN_num_bits(bn.get()), 120);
  EXPECT_LE(BN_num_bytes(bn.get()), 16);
}

TEST_F(DevCaTest, KeyPemMatchesCertificate) {
  auto client = ca_->IssueClient("app-1");
  ASSERT_TRUE(client.ok());
  BioPtr bio(BIO_new_mem_buf(client->key_pem.data(),
                             static_cast<int>(client->key_pem.size())));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(key);
  X509Ptr cert = ParsePem(client->cert_pem);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(std::string(client->key_pem.c_str())
                .rfind("-----BEGIN PRIVATE KEY-----", 0),
            0u);
}

TEST_F(DevCaTest, LoadRoundTripsAndIssues) {
  auto loaded = DevCa::Load(ca_->cert_pem(), ca_->key_pem());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->cert_pem(), ca_->cert_pem());
  auto client = loaded->IssueClient("app-2");
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(Verify(ca_->cert_pem(), client->cert_pem, X509_PURPOSE_SSL_CLIENT),
            X509_V_OK);
}

TEST_F(DevCaTest, LoadRejectsBadInput) {
  EXPECT_EQ(DevCa::Load("garbage", ca_->key_pem()).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      DevCa::Load(ca_->cert_pem(), SecureString("garbage")).status().code(),
      ErrorCode::kInvalidArgument);
  auto other = DevCa::Create("other CA");
  ASSERT_TRUE(other.ok());
  // Key of another CA: mismatch.
  EXPECT_EQ(DevCa::Load(ca_->cert_pem(), other->key_pem()).status().code(),
            ErrorCode::kInvalidArgument);
  // A leaf certificate is not a CA.
  auto client = ca_->IssueClient("leaf");
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(DevCa::Load(client->cert_pem, client->key_pem).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(DevCaTest, RejectsBadNames) {
  EXPECT_EQ(ca_->IssueServer("kmsd", {"bad,name"}, {}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ca_->IssueServer("kmsd", {}, {"300.1.1.1"}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ca_->IssueServer("kmsd", {}, {}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ca_->IssueClient("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CertificateFingerprint("nope").status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kms
