#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <memory>

#include "common/file_util.h"
#include "server/dev/pki.h"
#include "server/kmsctl/exit_codes.h"
#include "tests/kmsctl/test_util.h"

namespace kms::kmsctl {
namespace {

struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct StoreDeleter {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct StoreCtxDeleter {
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

X509Ptr LoadCert(const std::string& path) {
  auto pem = ReadFile(path);
  if (!pem.ok()) return nullptr;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())), BIO_free);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// X509_verify_cert of leaf against ca alone, for the given purpose.
bool VerifiesAgainst(X509* ca, X509* leaf, int purpose) {
  std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca);
  std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  return X509_verify_cert(ctx.get()) == 1;
}

int Mode(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

const char* const kFiles[] = {"ca.pem",         "ca-key.pem", "server.pem",
                              "server-key.pem", "admin.pem",  "admin-key.pem"};

TEST(PkiInitTest, WritesCertificatesThatVerify) {
  TempDir tmp;
  std::string dir = tmp.File("pki");  // created by pki init
  RunResult r = RunCli({"pki", "init", "--dir", dir});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;

  for (const char* name : kFiles) {
    std::string path = dir + "/" + name;
    ASSERT_TRUE(FileExists(path)) << name;
    bool secret = std::string(name).find("-key.pem") != std::string::npos;
    EXPECT_EQ(Mode(path), secret ? 0600 : 0644) << name;
  }
  EXPECT_EQ(Mode(dir), 0700);

  X509Ptr ca = LoadCert(dir + "/ca.pem");
  X509Ptr server = LoadCert(dir + "/server.pem");
  X509Ptr admin = LoadCert(dir + "/admin.pem");
  ASSERT_TRUE(ca && server && admin);
  EXPECT_TRUE(VerifiesAgainst(ca.get(), server.get(), X509_PURPOSE_SSL_SERVER));
  EXPECT_TRUE(VerifiesAgainst(ca.get(), admin.get(), X509_PURPOSE_SSL_CLIENT));
  EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);

  // A certificate from another CA must not verify: the test has teeth.
  TempDir other;
  ASSERT_EQ(RunCli({"pki", "init", "--dir", other.path()}).exit_code, kExitOk);
  X509Ptr other_ca = LoadCert(other.File("ca.pem"));
  EXPECT_FALSE(
      VerifiesAgainst(other_ca.get(), server.get(), X509_PURPOSE_SSL_SERVER));

  // The printed fingerprint is the admin certificate's.
  auto fingerprint = CertificateFingerprint(*ReadFile(dir + "/admin.pem"));
  ASSERT_TRUE(fingerprint.ok());
  EXPECT_NE(r.out.find(*fingerprint), std::string::npos) << r.out;
}

TEST(PkiInitTest, NamesAndJson) {
  TempDir tmp;
  RunResult r = RunCli({"pki", "init", "--dir", tmp.path(), "--server-name",
                        "kms.example", "--admin-name", "ops", "--json"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  X509Ptr server = LoadCert(tmp.File("server.pem"));
  X509Ptr admin = LoadCert(tmp.File("admin.pem"));
  ASSERT_TRUE(server && admin);
  EXPECT_EQ(X509_check_host(server.get(), "kms.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(admin.get()), NID_commonName,
                            cn, sizeof(cn));
  EXPECT_STREQ(cn, "ops");
  EXPECT_EQ(r.out.rfind("{\"dir\":", 0), 0u) << r.out;
  EXPECT_NE(
      r.out.find("\"admin_fingerprint\":\"" +
                 *CertificateFingerprint(*ReadFile(tmp.File("admin.pem")))),
      std::string::npos);
}

TEST(PkiInitTest, RefusesToOverwrite) {
  TempDir tmp;
  ASSERT_EQ(RunCli({"pki", "init", "--dir", tmp.path()}).exit_code, kExitOk);
  std::string before = *ReadFile(tmp.File("ca-key.pem"));
  RunResult r = RunCli({"pki", "init", "--dir", tmp.path()});
  EXPECT_EQ(r.exit_code, kExitError);
  EXPECT_NE(r.err.find("already exists"), std::string::npos);
  EXPECT_EQ(*ReadFile(tmp.File("ca-key.pem")), before);
}

TEST(PkiInitTest, OneExistingFileBlocksEveryWrite) {
  TempDir tmp;
  WriteTextFile(tmp.File("admin-key.pem"), "mine");
  RunResult r = RunCli({"pki", "init", "--dir", tmp.path()});
  EXPECT_EQ(r.exit_code, kExitError);
  EXPECT_EQ(*ReadFile(tmp.File("admin-key.pem")), "mine");
  for (const char* name : kFiles) {
    if (std::string(name) != "admin-key.pem") {
      EXPECT_FALSE(FileExists(tmp.File(name))) << name;
    }
  }
}

TEST(PkiInitTest, DoesNotNeedAServer) {
  TempDir tmp;
  // No URL anywhere: pki init is offline.
  EXPECT_EQ(RunCli({"pki", "init", "--dir", tmp.path()}, {}).exit_code,
            kExitOk);
}

}  // namespace
}  // namespace kms::kmsctl
