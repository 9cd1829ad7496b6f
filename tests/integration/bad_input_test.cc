// Bad input against a real kmsd, byte for byte: each malformed request gets
// the documented error code in the documented error shape, and the server
// keeps serving afterwards.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "common/https_client.h"
#include "common/json.h"
#include "tests/integration/kmsd_process.h"
#include "tests/integration/test_json.h"

namespace kms::testing {
namespace {

// The first `length` bytes of SHA-512 of `message`, base64 (test_json.h's
// DigestB64 is SHA-256, too short for some of these cases).
std::string Sha512B64(const std::string& message, size_t length = 32) {
  uint8_t digest[64];
  unsigned int len = 0;
  EVP_Digest(message.data(), message.size(), digest, &len, EVP_sha512(),
             nullptr);
  return Base64Encode({digest, length});
}

struct Raw {
  long status = 0;  // NOLINT(runtime/int)
  std::string body;
};

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = KmsdProcess::Start("softhsm");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    kmsd_ = started->release();
    auto client = kmsd_->AppClient();
    Json login = Json::Object();
    login.Set("key_ring", "dev").Set("pin", kmsd_->env("KMS_USER_PIN"));
    auto reply = client->Call("POST", "/v1/auth/login", login);
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    token_ = Str(reply->get(), "token");
    client->SetBearerToken(SecureString(token_.c_str()));
    Json ec = Json::Object();
    ec.Set("label", "ec").Set("algorithm", "EC_P256");
    auto ec_key = client->Call("POST", "/v1/keyrings/dev/keys", ec);
    ASSERT_TRUE(ec_key.ok()) << ec_key.status().ToString();
    ec_key_ = Str(ec_key->get(), "id");
    Json verify_only = Json::Object();
    verify_only.Set("label", "verify-only")
        .Set("algorithm", "EC_P256")
        .SetStrings("usages", {"verify"});
    auto vo_key = client->Call("POST", "/v1/keyrings/dev/keys", verify_only);
    ASSERT_TRUE(vo_key.ok()) << vo_key.status().ToString();
    verify_only_key_ = Str(vo_key->get(), "id");
  }
  static void TearDownTestSuite() {
    delete kmsd_;
    kmsd_ = nullptr;
  }
  void SetUp() override {
    if (kmsd_ == nullptr || token_.empty()) GTEST_SKIP() << "no kmsd";
  }
  // After every case the server still answers.
  void TearDown() override {
    if (kmsd_ == nullptr) return;
    auto health = Send("GET", "/healthz", "", /*with_token=*/false);
    EXPECT_EQ(health.status, 200) << health.body;
    EXPECT_NE(health.body.find("\"status\":\"ok\""), std::string::npos)
        << health.body;
  }

  static Raw Send(const std::string& method, const std::string& path,
                  const std::string& body, bool with_token,
                  const std::string& request_id = "") {
    TlsClientConfig tls;
    tls.ca_file = kmsd_->env("KMS_CA_FILE");
    tls.cert_file = kmsd_->env("KMS_CLIENT_CERT");
    tls.key_file = kmsd_->env("KMS_CLIENT_KEY");
    HttpsClient http(tls);
    std::vector<std::string> headers = {"Content-Type: application/json"};
    if (with_token) headers.push_back("Authorization: Bearer " + token_);
    if (!request_id.empty()) headers.push_back("X-Request-Id: " + request_id);
    auto reply = http.Send(method, kmsd_->url() + path, body, headers);
    Raw raw;
    if (!reply.ok()) {
      ADD_FAILURE() << method << " " << path << ": "
                    << reply.status().ToString();
      return raw;
    }
    raw.status = reply->status;
    raw.body.assign(reply->body.data(), reply->body.size());
    return raw;
  }

  // Checks the status, the error shape {"error":{"code","message",
  // "request_id"}} and the code; returns the message.
  static std::string ExpectError(const Raw& raw, long status,  // NOLINT
                                 const std::string& code,
                                 const std::string& request_id) {
    EXPECT_EQ(raw.status, status) << raw.body;
    auto parsed = Json::Parse(raw.body);
    if (!parsed.ok()) {
      ADD_FAILURE() << "error body is not JSON: " << raw.body;
      return "";
    }
    EXPECT_EQ(cJSON_GetArraySize(parsed->get()), 1) << raw.body;
    const cJSON* error =
        cJSON_GetObjectItemCaseSensitive(parsed->get(), "error");
    if (!cJSON_IsObject(error)) {
      ADD_FAILURE() << "no error object: " << raw.body;
      return "";
    }
    EXPECT_EQ(Str(error, "code"), code) << raw.body;
    EXPECT_FALSE(Str(error, "message").empty()) << raw.body;
    EXPECT_FALSE(Str(error, "request_id").empty()) << raw.body;
    if (!request_id.empty()) {
      EXPECT_EQ(Str(error, "request_id"), request_id) << raw.body;
    }
    return Str(error, "message");
  }

  // One request, one expected error.
  static std::string Case(const std::string& method, const std::string& path,
                          const std::string& body, long status,  // NOLINT
                          const std::string& code, bool with_token = true) {
    std::string id = "bad-" + std::to_string(++counter_);
    SCOPED_TRACE(method + " " + path + " " + body.substr(0, 200));
    return ExpectError(Send(method, path, body, with_token, id), status, code,
                       id);
  }

  static std::string KeyPath(const std::string& id, const char* op) {
    return "/v1/keyrings/dev/keys/" + id + "/" + op;
  }

  static KmsdProcess* kmsd_;
  static std::string token_;
  static std::string ec_key_;
  static std::string verify_only_key_;
  static int counter_;
};

KmsdProcess* BadInputTest::kmsd_ = nullptr;
std::string BadInputTest::token_;
std::string BadInputTest::ec_key_;
std::string BadInputTest::verify_only_key_;
int BadInputTest::counter_ = 0;

TEST_F(BadInputTest, MalformedJson) {
  for (const char* body : {R"({"label": "x", )", "not json", "[1, 2]",
                           R"({"label": "x"} trailing)", "\"just a string\"",
                           "{\"label\": \"\xff\xfe\""}) {
    Case("POST", "/v1/keyrings/dev/keys", body, 400, "MALFORMED_JSON");
  }
  Case("POST", "/v1/auth/login", "{pin: 1234}", 400, "MALFORMED_JSON",
       /*with_token=*/false);
}

TEST_F(BadInputTest, WrongTypes) {
  Case("POST", "/v1/keyrings/dev/keys", R"({"label": "x", "algorithm": 5})",
       400, "INVALID_ARGUMENT");
  Case("POST", "/v1/keyrings/dev/keys",
       R"({"label": "x", "algorithm": "EC_P256", "exportable": "yes"})", 400,
       "INVALID_ARGUMENT");
  Case("POST", "/v1/keyrings/dev/keys",
       R"({"label": "x", "algorithm": "EC_P256", "usages": "sign"})", 400,
       "INVALID_ARGUMENT");
  Case("POST", "/v1/keyrings/dev/keys",
       R"({"label": ["x"], "algorithm": "EC_P256"})", 400, "INVALID_ARGUMENT");
  Case("POST", KeyPath(ec_key_, "sign"), R"({"data": 12345})", 400,
       "INVALID_ARGUMENT");
  Case("POST", KeyPath(ec_key_, "sign"),
       R"({"data": ")" + Sha512B64("x") + R"(", "version": "1"})", 400,
       "INVALID_ARGUMENT");
  Case("POST", "/v1/random", R"({"length": "32"})", 400, "INVALID_ARGUMENT");
  // A required field missing is the same code.
  Case("POST", KeyPath(ec_key_, "sign"), "{}", 400, "INVALID_ARGUMENT");
}

TEST_F(BadInputTest, UnknownFieldIsNamed) {
  std::string message =
      Case("POST", "/v1/keyrings/dev/keys",
           R"({"label": "x", "algorithm": "EC_P256", "colour": "red"})", 400,
           "UNKNOWN_FIELD");
  EXPECT_NE(message.find("colour"), std::string::npos) << message;
  message = Case("POST", KeyPath(ec_key_, "sign"),
                 R"({"data": ")" + Sha512B64("x") + R"(", "sneaky": true})",
                 400, "UNKNOWN_FIELD");
  EXPECT_NE(message.find("sneaky"), std::string::npos) << message;
}

TEST_F(BadInputTest, InvalidBase64) {
  for (const char* data : {"not base64!!", "QQ", "QR==", "AAAA====", "A A="}) {
    Case("POST", KeyPath(ec_key_, "sign"),
         std::string(R"({"data": ")") + data + R"("})", 400, "INVALID_BASE64");
  }
}

TEST_F(BadInputTest, UnknownAlgorithm) {
  Case("POST", "/v1/keyrings/dev/keys",
       R"({"label": "x", "algorithm": "DES_56"})", 400,
       "UNSUPPORTED_ALGORITHM");
  Case("POST", KeyPath(ec_key_, "sign"),
       R"({"data": ")" + Sha512B64("x") + R"(", "scheme": "ROT13"})", 400,
       "UNSUPPORTED_ALGORITHM");
  Case("POST", KeyPath(ec_key_, "sign"),
       R"({"data": ")" + Sha512B64("x") + R"(", "hash": "MD4"})", 400,
       "UNSUPPORTED_ALGORITHM");
}

TEST_F(BadInputTest, WrongKeyUsage) {
  Case("POST", KeyPath(verify_only_key_, "sign"),
       R"({"data": ")" + Sha512B64("x") + R"("})", 400, "USAGE_NOT_ALLOWED");
  Case("POST", KeyPath(ec_key_, "encrypt"),
       R"({"mode": "GCM", "plaintext": "aGVsbG8="})", 400, "USAGE_NOT_ALLOWED");
}

TEST_F(BadInputTest, DigestOfTheWrongLength) {
  // With a hash named, the digest must have exactly its length.
  Case("POST", KeyPath(ec_key_, "sign"),
       R"({"data": ")" + Sha512B64("x", 31) + R"(", "hash": "SHA256"})", 400,
       "DIGEST_LENGTH_INVALID");
  Case("POST", KeyPath(ec_key_, "sign"),
       R"({"data": ")" + Sha512B64("x", 33) + R"(", "hash": "SHA256"})", 400,
       "DIGEST_LENGTH_INVALID");
  Case("POST", KeyPath(ec_key_, "sign"),
       R"({"data": ")" + Sha512B64("x", 32) + R"(", "hash": "SHA384"})", 400,
       "DIGEST_LENGTH_INVALID");
  // Without one (raw ECDSA, as CKM_ECDSA), at most a SHA-512 digest.
  std::string too_long = Base64Encode(Bytes(65, 0x5a));
  Case("POST", KeyPath(ec_key_, "sign"), R"({"data": ")" + too_long + R"("})",
       400, "DIGEST_LENGTH_INVALID");
  Case("POST", KeyPath(ec_key_, "verify"),
       R"({"data": ")" + Sha512B64("x", 31) +
           R"(", "hash": "SHA256", "signature": ")" + Sha512B64("s", 64) +
           R"("})",
       400, "DIGEST_LENGTH_INVALID");
}

TEST_F(BadInputTest, MissingToken) {
  Case("POST", KeyPath(ec_key_, "sign"),
       R"({"data": ")" + Sha512B64("x") + R"("})", 401, "TOKEN_MISSING",
       /*with_token=*/false);
  // Listing keys is a public read (a grant suffices); changing them is not.
  Case("POST", "/v1/keyrings/dev/keys", R"({"algorithm": "AES_256"})", 401,
       "TOKEN_MISSING", /*with_token=*/false);
}

TEST_F(BadInputTest, UnknownPath) {
  Case("GET", "/v1/nothing-here", "", 404, "NOT_FOUND");
  Case("POST", "/v1/keyrings/dev/keys/" + ec_key_ + "/explode", "{}", 404,
       "NOT_FOUND");
  Case("GET", "/v2/keyrings", "", 404, "NOT_FOUND");
}

TEST_F(BadInputTest, OversizedBodyWithContentLength) {
  // Through curl: a whole body just over 1 MiB.
  std::string big = R"({"label": ")" + std::string((1 << 20) + 16, 'a') +
                    R"(", "algorithm": "EC_P256"})";
  TlsClientConfig tls;
  tls.ca_file = kmsd_->env("KMS_CA_FILE");
  tls.cert_file = kmsd_->env("KMS_CLIENT_CERT");
  tls.key_file = kmsd_->env("KMS_CLIENT_KEY");
  HttpsClient http(tls);
  auto reply = http.Send(
      "POST", kmsd_->url() + "/v1/keyrings/dev/keys", big,
      {"Content-Type: application/json", "Authorization: Bearer " + token_,
       "X-Request-Id: too-large-curl"});
  // The server may close before curl has sent everything; if a reply came
  // back it must be the 413.
  if (reply.ok()) {
    ExpectError(
        {reply->status, std::string(reply->body.data(), reply->body.size())},
        413, "PAYLOAD_TOO_LARGE", "too-large-curl");
  } else {
    EXPECT_EQ(reply.status().code(), ErrorCode::kUnavailable)
        << reply.status().ToString();
  }
}

// A raw TLS connection that announces a 2 MiB body and sends none of it:
// the 413 must come back without the body ever being read.
TEST_F(BadInputTest, OversizedBodyRefusedBeforeItIsRead) {
  std::string url = kmsd_->url();  // https://127.0.0.1:PORT
  size_t colon = url.rfind(':');
  int port = std::stoi(url.substr(colon + 1));

  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_NE(ctx, nullptr);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_owner(ctx,
                                                              SSL_CTX_free);
  ASSERT_EQ(SSL_CTX_load_verify_locations(
                ctx, kmsd_->env("KMS_CA_FILE").c_str(), nullptr),
            1);
  ASSERT_EQ(SSL_CTX_use_certificate_file(
                ctx, kmsd_->env("KMS_CLIENT_CERT").c_str(), SSL_FILETYPE_PEM),
            1);
  ASSERT_EQ(SSL_CTX_use_PrivateKey_file(
                ctx, kmsd_->env("KMS_CLIENT_KEY").c_str(), SSL_FILETYPE_PEM),
            1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  timeval timeout{30, 0};  // a guard against hanging, not a measurement
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  SSL* ssl = SSL_new(ctx);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl_owner(ssl, SSL_free);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, "127.0.0.1");
  ASSERT_EQ(SSL_connect(ssl), 1) << ERR_error_string(ERR_get_error(), nullptr);

  std::string request =
      "POST /v1/keyrings/dev/keys HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\n"
      "Content-Type: application/json\r\n"
      "Content-Length: 2097152\r\n"
      "Authorization: Bearer " +
      token_ +
      "\r\n"
      "X-Request-Id: too-large-raw\r\n\r\n";
  ASSERT_EQ(SSL_write(ssl, request.data(), static_cast<int>(request.size())),
            static_cast<int>(request.size()));
  std::string response;
  char buffer[4096];
  for (;;) {
    int n = SSL_read(ssl, buffer, sizeof(buffer));
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
    size_t header_end = response.find("\r\n\r\n");
    if (header_end == std::string::npos) continue;
    size_t cl = response.find("Content-Length: ");
    if (cl == std::string::npos) cl = response.find("content-length: ");
    if (cl != std::string::npos && cl < header_end) {
      size_t length = std::stoul(response.substr(cl + 16));
      if (response.size() >= header_end + 4 + length) break;
    }
  }
  close(fd);
  ASSERT_EQ(response.rfind("HTTP/1.1 413", 0), 0u) << response;
  size_t header_end = response.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos) << response;
  ExpectError({413, response.substr(header_end + 4)}, 413, "PAYLOAD_TOO_LARGE",
              "too-large-raw");
}

}  // namespace
}  // namespace kms::testing
