// The module when kmsd or the network misbehaves: faults injected by a
// proxy between the module and a real kmsd, kmsd stopped and restarted,
// and a dead first server URL. Every failure must come back as its
// documented CK_RV (docs/pkcs11.md "Error mapping"), within the configured
// timeout, end the operation it hit, and leave the module working.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "common/file_util.h"
#include "common/json.h"
#include "tests/integration/openssl_check.h"
#include "tests/module/fault_proxy.h"
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

constexpr int64_t kTimeoutMs = 1000;

// A loopback port with nothing listening on it.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

class FaultTest : public ModuleTest {
 protected:
  static void SetUpTestSuite() {
    ModuleTest::SetUpTestSuite();
    if (::testing::Test::HasFatalFailure()) return;
    const std::string pki = kmsd().data_dir() + "/pki/";
    auto cert = ReadFile(pki + "server.pem");
    auto key = ReadFile(pki + "server-key.pem");
    ASSERT_TRUE(cert.ok() && key.ok());
    FaultProxyOptions options;
    options.backend_url = kmsd().url();
    options.server_cert_pem = *cert;
    options.server_key_pem.assign(key->begin(), key->end());
    options.backend_tls.ca_file = kmsd().env("KMS_CA_FILE");
    options.backend_tls.cert_file = kmsd().env("KMS_CLIENT_CERT");
    options.backend_tls.key_file = kmsd().env("KMS_CLIENT_KEY");
    options.backend_tls.timeout_ms = 60000;
    auto proxy = FaultProxy::Start(std::move(options));
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = std::move(proxy).value();
    UseServers({proxy_->url()});
  }
  static void TearDownTestSuite() {
    proxy_.reset();
    ModuleTest::TearDownTestSuite();
  }

  // Points the module (at its next C_Initialize) at `servers`, with a
  // short timeout and no object cache, so that every find asks kmsd.
  static void UseServers(const std::vector<std::string>& servers) {
    Json config = Json::Object();
    config.SetStrings("servers", servers);
    config.Set("ca_file", kmsd().env("KMS_CA_FILE"));
    config.Set("cert_file", kmsd().env("KMS_CLIENT_CERT"));
    config.Set("key_file", kmsd().env("KMS_CLIENT_KEY"));
    Json token = Json::Object();
    token.Set("label", "dev");
    token.Set("key_ring", "dev");
    Json tokens = Json::Array();
    tokens.Append(std::move(token));
    config.Set("tokens", std::move(tokens));
    config.Set("timeout_ms", kTimeoutMs);
    config.Set("connect_timeout_ms", kTimeoutMs);
    config.Set("retries", 1);
    config.Set("cache_ttl_seconds", 0);
    std::string path = kmsd().data_dir() + "/pkcs11-fault.json";
    ASSERT_TRUE(WriteFileAtomic(path, config.Dump(), 0600).ok());
    setenv("KMS_PKCS11_CONFIG", path.c_str(), 1);
  }

  // Re-initialises the module with `servers`.
  void Reinitialise(const std::vector<std::string>& servers) {
    ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
    UseServers(servers);
    ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  }

  void SetUp() override {
    ModuleTest::SetUp();
    if (proxy_) proxy_->Clear();
  }

  // A logged-in session with the signing key "fault-ec" and its public key.
  void PrepareSigning() {
    if (key_id_.empty()) key_id_ = CreateKey("fault-ec", "EC_P256");
    session_ = OpenLoggedIn();
    key_ = FindOne(session_, CKO_PRIVATE_KEY, "fault-ec");
    public_key_ = PublicKeyFromDer(
        View(Attribute(session_, FindOne(session_, CKO_PUBLIC_KEY, "fault-ec"),
                       CKA_PUBLIC_KEY_INFO)));
    ASSERT_NE(public_key_, nullptr);
  }

  // C_SignInit + C_Sign; the C_Sign result.
  CK_RV TrySign(Bytes* sig, Bytes* message) {
    *message = RandomBytes(40);
    CK_MECHANISM m = {CKM_ECDSA_SHA256, nullptr, 0};
    CK_RV rv = p11()->C_SignInit(session_, &m, key_);
    if (rv != CKR_OK) return rv;
    sig->resize(64);
    CK_ULONG len = sig->size();
    rv = p11()->C_Sign(session_, message->data(), message->size(), sig->data(),
                       &len);
    sig->resize(len);
    return rv;
  }

  CK_ULONG DeviceError() {
    CK_SESSION_INFO info{};
    EXPECT_CKR(CKR_OK, p11()->C_GetSessionInfo(session_, &info));
    return info.ulDeviceError;
  }

  // A signature that OpenSSL verifies.
  void ExpectSignWorks() {
    Bytes sig, message;
    ASSERT_CKR(CKR_OK, TrySign(&sig, &message));
    Bytes digest = Digest(MdByName("SHA256"), View(message));
    EXPECT_TRUE(VerifyEcdsaRaw(public_key_.get(), View(digest), View(sig)));
  }

  static std::unique_ptr<FaultProxy> proxy_;
  static std::string key_id_;
  CK_SESSION_HANDLE session_ = 0;
  CK_OBJECT_HANDLE key_ = 0;
  EvpPkeyPtr public_key_;
};

std::unique_ptr<FaultProxy> FaultTest::proxy_;
std::string FaultTest::key_id_;

const char* FaultName(Fault fault) {
  switch (fault) {
    case Fault::kNone:
      return "none";
    case Fault::kDelay:
      return "delay beyond the timeout";
    case Fault::kHttp500Json:
      return "500 with JSON error";
    case Fault::kHttp502Html:
      return "502 with HTML";
    case Fault::kHttp503Json:
      return "503 with JSON error";
    case Fault::kHttp503Empty:
      return "503 without body";
    case Fault::kTokenInvalid:
      return "token invalid";
    case Fault::kCloseWithoutReply:
      return "connection closed without reply";
    case Fault::kMalformedJson:
      return "malformed JSON";
    case Fault::kTruncatedSignature:
      return "truncated signature";
  }
  return "?";
}

// C_GetSessionInfo's ulDeviceError after a fault (docs/pkcs11.md): 1 no
// reply, 2 a malformed reply, otherwise kmsd's HTTP 5xx status.
CK_ULONG ExpectedDeviceError(Fault fault) {
  switch (fault) {
    case Fault::kHttp500Json:
      return 500;
    case Fault::kHttp502Html:
      return 502;
    case Fault::kHttp503Json:
    case Fault::kHttp503Empty:
      return 503;
    case Fault::kMalformedJson:
    case Fault::kTruncatedSignature:
      return 2;
    default:
      return 1;
  }
}

// Each fault on C_Sign: CKR_DEVICE_ERROR, the operation is over, and the
// next signature (no fault) is good.
TEST_F(FaultTest, SignFaultsAreDeviceErrorsAndEndTheOperation) {
  PrepareSigning();
  ASSERT_FALSE(HasFatalFailure());
  for (Fault fault :
       {Fault::kHttp500Json, Fault::kHttp502Html, Fault::kHttp503Json,
        Fault::kHttp503Empty, Fault::kCloseWithoutReply, Fault::kMalformedJson,
        Fault::kTruncatedSignature, Fault::kDelay}) {
    SCOPED_TRACE(FaultName(fault));
    int before = proxy_->faulted();
    proxy_->Inject(fault, "/sign", std::chrono::milliseconds(3 * kTimeoutMs));
    Bytes sig, message;
    EXPECT_CKR(CKR_DEVICE_ERROR, TrySign(&sig, &message));
    // A POST is not retried by the module: it may have taken effect.
    // (libcurl itself resends once when a kept-alive connection closes
    // without a reply, as when a server drops an idle connection.)
    int tries = proxy_->faulted() - before;
    EXPECT_TRUE(tries == 1 ||
                (tries == 2 && fault == Fault::kCloseWithoutReply))
        << tries;
    EXPECT_EQ(DeviceError(), ExpectedDeviceError(fault));
    proxy_->Clear();
    CK_ULONG len = sig.size();
    EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED,
               p11()->C_Sign(session_, message.data(), message.size(),
                             sig.data(), &len));
    ExpectSignWorks();
    EXPECT_EQ(DeviceError(), 0u) << "cleared by a request that got an answer";
  }
}

// Multi-part: a fault at C_SignFinal ends the operation too.
TEST_F(FaultTest, SignFinalFaultEndsTheOperation) {
  PrepareSigning();
  ASSERT_FALSE(HasFatalFailure());
  proxy_->Inject(Fault::kCloseWithoutReply, "/sign");
  CK_MECHANISM m = {CKM_ECDSA_SHA256, nullptr, 0};
  ASSERT_CKR(CKR_OK, p11()->C_SignInit(session_, &m, key_));
  Bytes data = RandomBytes(30), sig(64);
  ASSERT_CKR(CKR_OK, p11()->C_SignUpdate(session_, data.data(), data.size()));
  CK_ULONG len = sig.size();
  EXPECT_CKR(CKR_DEVICE_ERROR, p11()->C_SignFinal(session_, sig.data(), &len));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED,
             p11()->C_SignFinal(session_, sig.data(), &len));
  proxy_->Clear();
  ExpectSignWorks();
}

// Encryption and random numbers fail the same way.
TEST_F(FaultTest, EncryptAndRandomFaults) {
  PrepareSigning();
  ASSERT_FALSE(HasFatalFailure());
  CK_MECHANISM gen = {CKM_AES_KEY_GEN, nullptr, 0};
  CK_ULONG key_len = 32;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE t[] = {{CKA_VALUE_LEN, &key_len, sizeof(key_len)},
                      {CKA_ENCRYPT, &yes, 1},
                      {CKA_DECRYPT, &yes, 1}};
  CK_OBJECT_HANDLE aes = 0;
  ASSERT_CKR(CKR_OK, p11()->C_GenerateKey(session_, &gen, t, 3, &aes));
  Bytes iv = RandomBytes(12), plain = RandomBytes(50), out(100);
  CK_GCM_PARAMS gcm = {iv.data(), iv.size(), 96, nullptr, 0, 128};
  CK_MECHANISM m = {CKM_AES_GCM, &gcm, sizeof(gcm)};
  for (Fault fault :
       {Fault::kHttp503Json, Fault::kMalformedJson, Fault::kDelay}) {
    SCOPED_TRACE(FaultName(fault));
    proxy_->Inject(fault, "/encrypt",
                   std::chrono::milliseconds(3 * kTimeoutMs));
    ASSERT_CKR(CKR_OK, p11()->C_EncryptInit(session_, &m, aes));
    CK_ULONG len = out.size();
    EXPECT_CKR(CKR_DEVICE_ERROR,
               p11()->C_Encrypt(session_, plain.data(), plain.size(),
                                out.data(), &len));
    len = out.size();
    EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED,
               p11()->C_Encrypt(session_, plain.data(), plain.size(),
                                out.data(), &len));
    proxy_->Clear();
    ASSERT_CKR(CKR_OK, p11()->C_EncryptInit(session_, &m, aes));
    len = out.size();
    EXPECT_CKR(CKR_OK, p11()->C_Encrypt(session_, plain.data(), plain.size(),
                                        out.data(), &len));
    EXPECT_EQ(len, plain.size() + 16);
  }
  proxy_->Inject(Fault::kHttp500Json, "/random");
  EXPECT_CKR(CKR_DEVICE_ERROR,
             p11()->C_GenerateRandom(session_, out.data(), 16));
  proxy_->Clear();
  EXPECT_CKR(CKR_OK, p11()->C_GenerateRandom(session_, out.data(), 16));
}

// GETs (listing keys for C_FindObjectsInit) are retried: one fault is
// absorbed, a lasting one becomes CKR_DEVICE_ERROR after 1 + retries tries.
TEST_F(FaultTest, IdempotentRequestsAreRetried) {
  PrepareSigning();
  ASSERT_FALSE(HasFatalFailure());
  CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
  CK_ATTRIBUTE criteria = {CKA_CLASS, &cls, sizeof(cls)};
  for (Fault fault : {Fault::kHttp503Empty, Fault::kCloseWithoutReply,
                      Fault::kMalformedJson, Fault::kDelay}) {
    SCOPED_TRACE(FaultName(fault));
    int before = proxy_->faulted();
    proxy_->Inject(fault, "/keys?", std::chrono::milliseconds(3 * kTimeoutMs),
                   1);
    EXPECT_CKR(CKR_OK, p11()->C_FindObjectsInit(session_, &criteria, 1));
    EXPECT_CKR(CKR_OK, p11()->C_FindObjectsFinal(session_));
    EXPECT_EQ(proxy_->faulted(), before + 1);
    proxy_->Inject(fault, "/keys?", std::chrono::milliseconds(3 * kTimeoutMs));
    before = proxy_->faulted();
    EXPECT_CKR(CKR_DEVICE_ERROR,
               p11()->C_FindObjectsInit(session_, &criteria, 1));
    // 1 + retries tries, and libcurl's own resend on a dropped connection.
    int tries = proxy_->faulted() - before;
    EXPECT_TRUE(tries == 2 ||
                (tries <= 4 && fault == Fault::kCloseWithoutReply))
        << tries;
    // No search is active after the failure.
    CK_OBJECT_HANDLE h;
    CK_ULONG n = 0;
    EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED,
               p11()->C_FindObjects(session_, &h, 1, &n));
    proxy_->Clear();
  }
  ExpectSignWorks();
}

// C_Login through a failing server: CKR_DEVICE_ERROR, not logged in, and a
// later C_Login works.
TEST_F(FaultTest, LoginFault) {
  CK_SESSION_HANDLE s = OpenSession();
  std::string pin = Pin();
  auto* p = reinterpret_cast<CK_UTF8CHAR*>(pin.data());
  proxy_->Inject(Fault::kHttp502Html, "/auth/login");
  EXPECT_CKR(CKR_DEVICE_ERROR, p11()->C_Login(s, CKU_USER, p, pin.size()));
  CK_SESSION_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(s, &info));
  EXPECT_EQ(info.state, CKS_RW_PUBLIC_SESSION);
  proxy_->Clear();
  EXPECT_CKR(CKR_OK, p11()->C_Login(s, CKU_USER, p, pin.size()));
}

// kmsd no longer accepts the login token: the module renews it, and when
// that is refused too, logs in again with the PIN it holds, then repeats
// the request; the application sees nothing of it.
TEST_F(FaultTest, InvalidTokenLeadsToTransparentLoginAgain) {
  PrepareSigning();
  ASSERT_FALSE(HasFatalFailure());
  int before = proxy_->faulted();
  // The sign request and then the renewal are refused.
  proxy_->Inject(Fault::kTokenInvalid, "", std::chrono::milliseconds(0), 2);
  ExpectSignWorks();
  EXPECT_EQ(proxy_->faulted(), before + 2);
  CK_SESSION_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(session_, &info));
  EXPECT_EQ(info.state, CKS_RW_USER_FUNCTIONS);
  // Refused again after the new login: the application must log in.
  proxy_->Inject(Fault::kTokenInvalid, "/sign");
  Bytes sig, message;
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, TrySign(&sig, &message));
  proxy_->Clear();
  ExpectSignWorks();
}

// kmsd stopped mid-run: calls fail with CKR_DEVICE_ERROR promptly, and work
// again once it is back on the same port, without C_Initialize and without
// a new C_Login (the module logs in again with the cached PIN if kmsd no
// longer knows the token).
TEST_F(FaultTest, KmsdStoppedAndRestarted) {
  Reinitialise({kmsd().url()});
  PrepareSigning();
  ASSERT_FALSE(HasFatalFailure());
  ExpectSignWorks();
  kmsd().Stop();
  Bytes sig, message, random(16);
  EXPECT_CKR(CKR_DEVICE_ERROR, TrySign(&sig, &message));
  EXPECT_CKR(CKR_DEVICE_ERROR,
             p11()->C_GenerateRandom(session_, random.data(), random.size()));
  CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
  CK_ATTRIBUTE criteria = {CKA_CLASS, &cls, sizeof(cls)};
  EXPECT_CKR(CKR_DEVICE_ERROR,
             p11()->C_FindObjectsInit(session_, &criteria, 1));
  // Killed hard this time, while idle connections of the module are open.
  ASSERT_TRUE(kmsd().RestartOnSamePort().ok());
  ExpectSignWorks();
  kmsd().Kill9();
  EXPECT_CKR(CKR_DEVICE_ERROR, TrySign(&sig, &message));
  ASSERT_TRUE(kmsd().RestartOnSamePort().ok());
  ExpectSignWorks();
  EXPECT_CKR(CKR_OK,
             p11()->C_GenerateRandom(session_, random.data(), random.size()));
  CK_SESSION_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(session_, &info));
  EXPECT_EQ(info.state, CKS_RW_USER_FUNCTIONS);
}

// With the first server URL dead, requests go to the second: GETs, and
// POSTs too, since their connection was never made (docs/pkcs11.md).
TEST_F(FaultTest, FailsOverFromADeadFirstServer) {
  int dead = ClosedPort();
  ASSERT_NE(dead, 0);
  Reinitialise({"https://127.0.0.1:" + std::to_string(dead), kmsd().url()});
  PrepareSigning();  // POST login, GET listing
  ASSERT_FALSE(HasFatalFailure());
  ExpectSignWorks();
  CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
  CK_ATTRIBUTE criteria = {CKA_CLASS, &cls, sizeof(cls)};
  EXPECT_CKR(CKR_OK, p11()->C_FindObjectsInit(session_, &criteria, 1));
  EXPECT_CKR(CKR_OK, p11()->C_FindObjectsFinal(session_));
  CK_TOKEN_INFO info;
  EXPECT_CKR(CKR_OK, p11()->C_GetTokenInfo(0, &info));
}

// A second server that fails after the request was sent: a POST is not
// repeated elsewhere (it may have taken effect), a GET is.
TEST_F(FaultTest, PostIsNotRepeatedOnAnotherServerOnceSent) {
  Reinitialise({proxy_->url(), kmsd().url()});
  PrepareSigning();
  ASSERT_FALSE(HasFatalFailure());
  proxy_->Inject(Fault::kCloseWithoutReply, "/sign");
  Bytes sig, message;
  EXPECT_CKR(CKR_DEVICE_ERROR, TrySign(&sig, &message));
  proxy_->Inject(Fault::kCloseWithoutReply, "/keys?");
  CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
  CK_ATTRIBUTE criteria = {CKA_CLASS, &cls, sizeof(cls)};
  EXPECT_CKR(CKR_OK, p11()->C_FindObjectsInit(session_, &criteria, 1));
  EXPECT_CKR(CKR_OK, p11()->C_FindObjectsFinal(session_));
  proxy_->Clear();
  ExpectSignWorks();
}

}  // namespace
}  // namespace kms::testing
