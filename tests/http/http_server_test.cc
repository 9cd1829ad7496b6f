// Drives a real kmsd HTTPS front over loopback with real TLS: libcurl on
// one side, libmicrohttpd/GnuTLS on the other, certificates from DevCa.
#include "server/http/http_server.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/https_client.h"
#include "common/json.h"
#include "common/logging.h"
#include "server/dev/pki.h"

namespace kms {
namespace {

std::string Plain(const SecureString& s) {
  return std::string(s.data(), s.size());
}

void WriteText(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  ASSERT_TRUE(out.good()) << path;
}

// The certificates every test shares: one CA, a server certificate, a
// client certificate, and a client certificate from an unrelated CA.
struct Pki {
  std::string dir;
  std::string ca_file;
  std::string client_cert_file, client_key_file;
  std::string other_cert_file, other_key_file;
  std::string server_as_client_cert_file, server_as_client_key_file;
  std::string ca_pem;
  IssuedCertificate server;
  IssuedCertificate client;
  IssuedCertificate other_client;
};

Pki* pki = nullptr;

// Flattens a reply body into field -> text for the echo handler's output.
struct Echo {
  std::map<std::string, std::string> fields;
  std::map<std::string, std::string> query;
  bool verified = false;
};

Echo ParseEcho(const SecureString& body) {
  Echo echo;
  auto json = ParseObject(std::string_view(body.data(), body.size()));
  EXPECT_TRUE(json.ok()) << Plain(body);
  if (!json.ok()) return echo;
  const cJSON* item = nullptr;
  cJSON_ArrayForEach(item, json->get()) {
    if (cJSON_IsString(item)) echo.fields[item->string] = item->valuestring;
    if (cJSON_IsBool(item)) echo.verified = cJSON_IsTrue(item);
    if (cJSON_IsObject(item)) {
      const cJSON* q = nullptr;
      cJSON_ArrayForEach(q, item) { echo.query[q->string] = q->valuestring; }
    }
  }
  return echo;
}

struct ErrorFields {
  std::string code, message, request_id;
};

ErrorFields ParseError(const SecureString& body) {
  ErrorFields fields;
  auto json = ParseObject(std::string_view(body.data(), body.size()));
  EXPECT_TRUE(json.ok()) << Plain(body);
  if (!json.ok()) return fields;
  const cJSON* error = cJSON_GetObjectItemCaseSensitive(json->get(), "error");
  EXPECT_TRUE(cJSON_IsObject(error)) << Plain(body);
  auto text = [&](const char* key) {
    const cJSON* v = cJSON_GetObjectItemCaseSensitive(error, key);
    return cJSON_IsString(v) ? std::string(v->valuestring) : std::string();
  };
  fields.code = text("code");
  fields.message = text("message");
  fields.request_id = text("request_id");
  return fields;
}

// A libcurl request with the knobs HttpsClient does not expose: reply
// headers, chunked uploads, TLS version limits.
struct RawRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;
  std::string body;
  bool chunked = false;
  bool client_cert = true;
  long ssl_version = CURL_SSLVERSION_TLSv1_2;  // NOLINT(runtime/int)
  std::string cipher_list;
};

struct RawReply {
  CURLcode code = CURLE_OK;
  std::string error;
  long status = 0;  // NOLINT(runtime/int)
  SecureString body;
  std::map<std::string, std::string> headers;  // lowercase names
};

// curl's version constants are separate unnamed enums; combine them as the
// long that CURLOPT_SSLVERSION takes.
long TlsVersions(long min, long max) { return min | max; }  // NOLINT

size_t CollectBody(char* data, size_t size, size_t count, void* user) {
  static_cast<SecureString*>(user)->append(data, size * count);
  return size * count;
}

size_t CollectHeader(char* data, size_t size, size_t count, void* user) {
  std::string line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(c));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
      value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * count;
}

struct Upload {
  const std::string* body;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  // Small pieces, so that the server sees several chunks.
  size_t n = std::min({size * count, upload->body->size() - upload->offset,
                       static_cast<size_t>(700)});
  std::memcpy(buffer, upload->body->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

RawReply SendRaw(const RawRequest& request) {
  RawReply reply;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  CURL* c = curl.get();
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) {
    headers = curl_slist_append(headers, h.c_str());
  }
  if (request.chunked) {
    headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
  }
  char error[CURL_ERROR_SIZE] = {};
  Upload upload{&request.body};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, request.ssl_version);
  if (!request.cipher_list.empty()) {
    curl_easy_setopt(c, CURLOPT_SSL_CIPHER_LIST, request.cipher_list.c_str());
  }
  curl_easy_setopt(c, CURLOPT_CAINFO, pki->ca_file.c_str());
  if (request.client_cert) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, pki->client_cert_file.c_str());
    curl_easy_setopt(c, CURLOPT_SSLKEY, pki->client_key_file.c_str());
  }
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (request.chunked) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  } else if (!request.body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply.headers);
  reply.code = curl_easy_perform(c);
  reply.error = error;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(headers);
  return reply;
}

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pki = new Pki();
    char pattern[] = "/tmp/kms_http_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    pki->dir = pattern;
    auto ca = DevCa::Create("kms test CA");
    ASSERT_TRUE(ca.ok()) << ca.status().ToString();
    auto server = ca->IssueServer("kmsd", {"localhost"}, {"127.0.0.1", "::1"});
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    auto client = ca->IssueClient("app-1");
    ASSERT_TRUE(client.ok());
    auto other_ca = DevCa::Create("another CA");
    ASSERT_TRUE(other_ca.ok());
    auto other_client = other_ca->IssueClient("intruder");
    ASSERT_TRUE(other_client.ok());
    pki->ca_pem = ca->cert_pem();
    pki->server = *server;
    pki->client = *client;
    pki->other_client = *other_client;

    pki->ca_file = pki->dir + "/ca.pem";
    pki->client_cert_file = pki->dir + "/client.pem";
    pki->client_key_file = pki->dir + "/client.key";
    pki->other_cert_file = pki->dir + "/other.pem";
    pki->other_key_file = pki->dir + "/other.key";
    pki->server_as_client_cert_file = pki->dir + "/server.pem";
    pki->server_as_client_key_file = pki->dir + "/server.key";
    WriteText(pki->ca_file, pki->ca_pem);
    WriteText(pki->client_cert_file, client->cert_pem);
    WriteText(pki->client_key_file, Plain(client->key_pem));
    WriteText(pki->other_cert_file, other_client->cert_pem);
    WriteText(pki->other_key_file, Plain(other_client->key_pem));
    WriteText(pki->server_as_client_cert_file, server->cert_pem);
    WriteText(pki->server_as_client_key_file, Plain(server->key_pem));
  }

  static void TearDownTestSuite() {
    if (pki != nullptr) {
      std::error_code ignored;
      std::filesystem::remove_all(pki->dir, ignored);
    }
    delete pki;
    pki = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(pki, nullptr);
    HttpServerConfig config = Config();
    StartServer(config);
  }

  static HttpServerConfig Config() {
    HttpServerConfig config;
    config.listen_address = "127.0.0.1";
    config.port = 0;
    config.cert_pem = pki->server.cert_pem;
    config.key_pem = pki->server.key_pem;
    config.client_ca_pem = pki->ca_pem;
    config.max_body_bytes = 1024;
    config.threads = 4;
    config.connection_timeout_seconds = 10;
    return config;
  }

  void StartServer(const HttpServerConfig& config) {
    server_.reset();
    auto server = HttpServer::Start(
        config, [this](ApiRequest& request) { return Handle(request); });
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_GT(server_->port(), 0);
    base_url_ = "https://127.0.0.1:" + std::to_string(server_->port());
  }

  // Echoes what the front handed over, or fails on request.
  ApiResponse Handle(ApiRequest& request) {
    ++calls_;
    ApiResponse response;
    if (request.path == "/error/not_found") {
      response.status = Error(ErrorCode::kNotFound, "no such key");
      return response;
    }
    if (request.path == "/error/pin_locked") {
      response.status = Error(ErrorCode::kPinLocked, "PIN locked");
      return response;
    }
    if (request.path == "/throw") throw std::runtime_error("boom");
    Json query = Json::Object();
    for (const auto& [key, value] : request.query) query.Set(key, value);
    Json echo = Json::Object();
    echo.Set("method", request.method)
        .Set("path", request.path)
        .Set("body", std::string_view(request.body.data(), request.body.size()))
        .Set("verified", request.peer.verified)
        .Set("fingerprint", request.peer.fingerprint)
        .Set("cn", request.peer.subject_cn)
        .Set("request_id", request.request_id)
        .Set("bearer", std::string_view(request.bearer_token.data(),
                                        request.bearer_token.size()))
        .Set("query", std::move(query));
    response.body = echo.DumpSecure();
    return response;
  }

  static TlsClientConfig ClientConfig() {
    TlsClientConfig config;
    config.ca_file = pki->ca_file;
    config.cert_file = pki->client_cert_file;
    config.key_file = pki->client_key_file;
    return config;
  }

  static TlsClientConfig AnonymousConfig() {
    TlsClientConfig config;
    config.ca_file = pki->ca_file;
    return config;
  }

  std::unique_ptr<HttpServer> server_;
  std::string base_url_;
  std::atomic<int> calls_{0};
};

TEST_F(HttpServerTest, HealthzNeedsNoClientCertificate) {
  HttpsClient client(AnonymousConfig());
  auto reply = client.Send("GET", base_url_ + "/healthz", "", {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(calls_, 1);
  Echo echo = ParseEcho(reply->body);
  EXPECT_EQ(echo.fields["path"], "/healthz");
  EXPECT_FALSE(echo.verified);
  EXPECT_EQ(echo.fields["fingerprint"], "");
}

TEST_F(HttpServerTest, OtherRequestsWithoutCertificateAre401) {
  HttpsClient client(AnonymousConfig());
  struct Case {
    const char* method;
    const char* path;
    std::string body;
  };
  for (const Case& c : {Case{"GET", "/v1/keyrings", ""},
                        Case{"POST", "/v1/keyrings/dev/keys", "{\"a\":1}"},
                        Case{"POST", "/healthz", ""},
                        Case{"DELETE", "/v1/keyrings/dev/keys/k1", ""}}) {
    auto reply = client.Send(c.method, base_url_ + c.path, c.body,
                             {"X-Request-Id: anon-1"});
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_EQ(reply->status, 401) << c.method << ' ' << c.path;
    ErrorFields error = ParseError(reply->body);
    EXPECT_EQ(error.code, "UNAUTHENTICATED");
    EXPECT_EQ(error.request_id, "anon-1");
    EXPECT_FALSE(error.message.empty());
  }
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, RefusalClosesTheConnection) {
  RawRequest request;
  request.url = base_url_ + "/v1/keyrings";
  request.client_cert = false;
  RawReply reply = SendRaw(request);
  ASSERT_EQ(reply.code, CURLE_OK) << reply.error;
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.headers["connection"], "close");
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, CertificateFromAnotherCaIsRefused) {
  TlsClientConfig config = AnonymousConfig();
  config.cert_file = pki->other_cert_file;
  config.key_file = pki->other_key_file;
  HttpsClient client(config);
  auto reply = client.Send("GET", base_url_ + "/v1/keyrings", "", {});
  if (reply.ok()) {
    EXPECT_EQ(reply->status, 401);
    EXPECT_EQ(ParseError(reply->body).code, "UNAUTHENTICATED");
  } else {
    EXPECT_EQ(reply.status().code(), ErrorCode::kUnavailable);
  }
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, ServerCertificateCannotActAsClient) {
  TlsClientConfig config = AnonymousConfig();
  config.cert_file = pki->server_as_client_cert_file;
  config.key_file = pki->server_as_client_key_file;
  HttpsClient client(config);
  auto reply = client.Send("GET", base_url_ + "/v1/keyrings", "", {});
  if (reply.ok()) {
    EXPECT_EQ(reply->status, 401);
  } else {
    EXPECT_EQ(reply.status().code(), ErrorCode::kUnavailable);
  }
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, ValidClientCertificateReachesHandler) {
  HttpsClient client(ClientConfig());
  auto reply =
      client.Send("POST", base_url_ + "/v1/keyrings/dev/keys",
                  "{\"label\":\"k1\"}", {"Content-Type: application/json"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(calls_, 1);
  Echo echo = ParseEcho(reply->body);
  EXPECT_TRUE(echo.verified);
  EXPECT_EQ(echo.fields["fingerprint"], pki->client.fingerprint);
  EXPECT_EQ(echo.fields["cn"], "app-1");
  EXPECT_EQ(echo.fields["method"], "POST");
  EXPECT_EQ(echo.fields["path"], "/v1/keyrings/dev/keys");
  EXPECT_EQ(echo.fields["body"], "{\"label\":\"k1\"}");
  EXPECT_EQ(echo.fields["bearer"], "");
}

TEST_F(HttpServerTest, QueryStringIsParsed) {
  HttpsClient client(ClientConfig());
  auto reply = client.Send(
      "GET", base_url_ + "/v1/keyrings/dev/keys?page_size=10&label=a%20b&all",
      "", {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  Echo echo = ParseEcho(reply->body);
  EXPECT_EQ(echo.fields["path"], "/v1/keyrings/dev/keys");
  EXPECT_EQ(echo.query.size(), 3u);
  EXPECT_EQ(echo.query["page_size"], "10");
  EXPECT_EQ(echo.query["label"], "a b");
  EXPECT_EQ(echo.query["all"], "");
}

TEST_F(HttpServerTest, RequestIdPropagates) {
  RawRequest request;
  request.url = base_url_ + "/v1/echo";
  request.headers = {"X-Request-Id: client-req_1.2"};
  RawReply reply = SendRaw(request);
  ASSERT_EQ(reply.code, CURLE_OK) << reply.error;
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers["x-request-id"], "client-req_1.2");
  EXPECT_EQ(ParseEcho(reply.body).fields["request_id"], "client-req_1.2");
  EXPECT_EQ(reply.headers["content-type"], "application/json");
}

TEST_F(HttpServerTest, InsaneRequestIdIsReplaced) {
  RawRequest request;
  request.url = base_url_ + "/v1/echo";
  request.headers = {"X-Request-Id: " + std::string(65, 'a')};
  RawReply reply = SendRaw(request);
  ASSERT_EQ(reply.code, CURLE_OK) << reply.error;
  std::string id = ParseEcho(reply.body).fields["request_id"];
  EXPECT_FALSE(id.empty());
  EXPECT_NE(id, std::string(65, 'a'));
  EXPECT_EQ(reply.headers["x-request-id"], id);

  request.headers = {"X-Request-Id: has space"};
  reply = SendRaw(request);
  ASSERT_EQ(reply.code, CURLE_OK) << reply.error;
  EXPECT_NE(ParseEcho(reply.body).fields["request_id"], "has space");

  // Without one, each request gets its own.
  request.headers = {};
  RawReply first = SendRaw(request);
  RawReply second = SendRaw(request);
  EXPECT_FALSE(first.headers["x-request-id"].empty());
  EXPECT_NE(first.headers["x-request-id"], second.headers["x-request-id"]);
}

TEST_F(HttpServerTest, BearerTokenIsParsed) {
  HttpsClient client(ClientConfig());
  auto reply = client.Send("GET", base_url_ + "/v1/echo", "",
                           {"Authorization: Bearer tok.abc-123"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(ParseEcho(reply->body).fields["bearer"], "tok.abc-123");

  reply = client.Send("GET", base_url_ + "/v1/echo", "",
                      {"Authorization: Basic dXNlcjpwYXNz"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(ParseEcho(reply->body).fields["bearer"], "");
}

TEST_F(HttpServerTest, BodyAtTheLimitIsAccepted) {
  HttpsClient client(ClientConfig());
  std::string body(1024, 'x');
  auto reply = client.Send("POST", base_url_ + "/v1/echo", body, {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(ParseEcho(reply->body).fields["body"], body);
}

TEST_F(HttpServerTest, OversizedBodyWithContentLengthIs413) {
  HttpsClient client(ClientConfig());
  auto reply = client.Send("POST", base_url_ + "/v1/echo",
                           std::string(1025, 'x'), {"X-Request-Id: big-1"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 413);
  ErrorFields error = ParseError(reply->body);
  EXPECT_EQ(error.code, "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(error.request_id, "big-1");
  EXPECT_EQ(calls_, 0);

  // A much larger body is refused from its Content-Length alone.
  reply = client.Send("POST", base_url_ + "/v1/echo", std::string(4 << 20, 'y'),
                      {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(calls_, 0);

  // The server keeps serving, on the same client.
  reply = client.Send("POST", base_url_ + "/v1/echo", "small", {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(ParseEcho(reply->body).fields["body"], "small");
  EXPECT_EQ(calls_, 1);
}

TEST_F(HttpServerTest, PathSuffixGetsItsOwnBodyLimit) {
  HttpServerConfig config = Config();
  config.body_limit_by_suffix["/encrypt"] = 4096;
  StartServer(config);
  HttpsClient client(ClientConfig());
  const std::string body(3000, 'x');
  auto reply = client.Send("POST", base_url_ + "/v1/keyrings/r/keys/k/encrypt",
                           body, {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(ParseEcho(reply->body).fields["body"], body);
  // Past the path's own limit, and other paths keep the general one.
  reply = client.Send("POST", base_url_ + "/v1/keyrings/r/keys/k/encrypt",
                      std::string(4097, 'y'), {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 413);
  reply =
      client.Send("POST", base_url_ + "/v1/keyrings/r/keys/k/sign", body, {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 413);
  reply = client.Send("POST", base_url_ + "/v1/encrypt/other", body, {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 413);
}

TEST_F(HttpServerTest, OversizedChunkedBodyIs413) {
  RawRequest request;
  request.method = "POST";
  request.url = base_url_ + "/v1/echo";
  request.chunked = true;
  request.body = std::string(5000, 'z');
  RawReply reply = SendRaw(request);
  ASSERT_EQ(reply.code, CURLE_OK) << reply.error;
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(ParseError(reply.body).code, "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(calls_, 0);

  request.body = "chunked but small";
  reply = SendRaw(request);
  ASSERT_EQ(reply.code, CURLE_OK) << reply.error;
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(ParseEcho(reply.body).fields["body"], "chunked but small");
  EXPECT_EQ(calls_, 1);
}

TEST_F(HttpServerTest, EndlessChunkedBodyIsCutOff) {
  RawRequest request;
  request.method = "POST";
  request.url = base_url_ + "/v1/echo";
  request.chunked = true;
  request.body = std::string(3 << 20, 'z');  // past the discard allowance
  RawReply reply = SendRaw(request);
  // Either told 413 or cut off; never handled.
  if (reply.code == CURLE_OK) {
    EXPECT_EQ(reply.status, 413);
  }
  EXPECT_EQ(calls_, 0);
  HttpsClient client(ClientConfig());
  auto next = client.Send("GET", base_url_ + "/v1/echo", "", {});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->status, 200);
}

TEST_F(HttpServerTest, ErrorStatusBecomesHttpStatusAndJsonBody) {
  HttpsClient client(ClientConfig());
  auto reply = client.Send("GET", base_url_ + "/error/not_found", "",
                           {"X-Request-Id: err-1"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 404);
  ErrorFields error = ParseError(reply->body);
  EXPECT_EQ(error.code, "NOT_FOUND");
  EXPECT_EQ(error.message, "no such key");
  EXPECT_EQ(error.request_id, "err-1");

  reply = client.Send("POST", base_url_ + "/error/pin_locked", "{}", {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 403);
  EXPECT_EQ(ParseError(reply->body).code, "PIN_LOCKED");
}

TEST_F(HttpServerTest, ThrowingHandlerIs500) {
  HttpsClient client(ClientConfig());
  auto reply = client.Send("GET", base_url_ + "/throw", "", {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 500);
  ErrorFields error = ParseError(reply->body);
  EXPECT_EQ(error.code, "INTERNAL");
  EXPECT_EQ(error.message.find("boom"), std::string::npos);
  // Still serving.
  reply = client.Send("GET", base_url_ + "/v1/echo", "", {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
}

TEST_F(HttpServerTest, Tls11IsRefused) {
  RawRequest request;
  request.url = base_url_ + "/v1/echo";
  // SECLEVEL=0 lets the client's OpenSSL offer TLS 1.0/1.1 at all, so that
  // the refusal below is the server's.
  request.cipher_list = "DEFAULT:@SECLEVEL=0";
  request.ssl_version =
      TlsVersions(CURL_SSLVERSION_TLSv1_0, CURL_SSLVERSION_MAX_TLSv1_1);
  RawReply reply = SendRaw(request);
  EXPECT_NE(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 0);
  EXPECT_EQ(calls_, 0);

  // The same client capped at TLS 1.2 and at 1.3 gets through.
  request.ssl_version =
      TlsVersions(CURL_SSLVERSION_TLSv1_0, CURL_SSLVERSION_MAX_TLSv1_2);
  reply = SendRaw(request);
  EXPECT_EQ(reply.code, CURLE_OK) << reply.error;
  EXPECT_EQ(reply.status, 200);
  request.ssl_version =
      TlsVersions(CURL_SSLVERSION_TLSv1_3, CURL_SSLVERSION_MAX_TLSv1_3);
  reply = SendRaw(request);
  EXPECT_EQ(reply.code, CURLE_OK) << reply.error;
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(calls_, 2);
}

TEST_F(HttpServerTest, ConcurrentClientsAllSucceed) {
  constexpr int kThreads = 8;
  constexpr int kRequests = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpsClient client(ClientConfig());
      for (int i = 0; i < kRequests; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto reply = client.Send("POST", base_url_ + "/v1/echo", id,
                                 {"X-Request-Id: " + id});
        if (!reply.ok() || reply->status != 200) continue;
        Echo echo = ParseEcho(reply->body);
        if (echo.fields["body"] == id && echo.fields["request_id"] == id &&
            echo.fields["fingerprint"] == pki->client.fingerprint) {
          ++ok;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok, kThreads * kRequests);
  EXPECT_EQ(calls_, kThreads * kRequests);
}

TEST_F(HttpServerTest, DebugLoggingCopesWithHostilePaths) {
  ASSERT_TRUE(ConfigureLogging(LogLevel::kDebug, "stderr").ok());
  HttpsClient anonymous(AnonymousConfig());
  auto reply =
      anonymous.Send("GET", base_url_ + "/v1/a%0Afake%20log%20line", "", {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 401);
  HttpsClient client(ClientConfig());
  reply = client.Send("GET", base_url_ + "/v1/a%0Ab", "", {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(ParseEcho(reply->body).fields["path"], "/v1/a\nb");
  ASSERT_TRUE(ConfigureLogging(LogLevel::kInfo, "stderr").ok());
}

TEST_F(HttpServerTest, StopIsIdempotent) {
  HttpsClient client(ClientConfig());
  auto reply = client.Send("GET", base_url_ + "/v1/echo", "", {});
  ASSERT_TRUE(reply.ok());
  server_->Stop();
  server_->Stop();
  HttpsClient after(ClientConfig());
  reply = after.Send("GET", base_url_ + "/v1/echo", "", {});
  EXPECT_FALSE(reply.ok());
  server_.reset();  // the destructor stops once more
}

TEST_F(HttpServerTest, StartRejectsBadConfiguration) {
  auto handler = [](ApiRequest&) { return ApiResponse(); };
  HttpServerConfig config = Config();
  config.listen_address = "not-an-address";
  EXPECT_EQ(HttpServer::Start(config, handler).status().code(),
            ErrorCode::kInvalidArgument);

  config = Config();
  config.client_ca_pem.clear();
  EXPECT_EQ(HttpServer::Start(config, handler).status().code(),
            ErrorCode::kInvalidArgument);

  config = Config();
  config.key_pem = SecureString("not a key");
  EXPECT_EQ(HttpServer::Start(config, handler).status().code(),
            ErrorCode::kInvalidArgument);

  config = Config();
  config.client_ca_pem = "not a certificate";
  EXPECT_EQ(HttpServer::Start(config, handler).status().code(),
            ErrorCode::kInvalidArgument);

  config = Config();
  config.key_pem = pki->client.key_pem;  // does not match the certificate
  EXPECT_EQ(HttpServer::Start(config, handler).status().code(),
            ErrorCode::kInvalidArgument);

  config = Config();
  config.threads = 0;
  EXPECT_EQ(HttpServer::Start(config, handler).status().code(),
            ErrorCode::kInvalidArgument);

  EXPECT_EQ(HttpServer::Start(Config(), RequestHandler()).status().code(),
            ErrorCode::kInvalidArgument);

  // The port is taken by the fixture's server.
  config = Config();
  config.port = server_->port();
  EXPECT_EQ(HttpServer::Start(config, handler).status().code(),
            ErrorCode::kUnavailable);
}

TEST_F(HttpServerTest, ListensOnIpv6Loopback) {
  HttpServerConfig config = Config();
  config.listen_address = "::1";
  server_.reset();
  auto server = HttpServer::Start(
      config, [this](ApiRequest& request) { return Handle(request); });
  if (!server.ok() && server.status().code() == ErrorCode::kUnavailable) {
    GTEST_SKIP() << "no IPv6 loopback here: " << server.status().ToString();
  }
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  HttpsClient client(ClientConfig());
  auto reply = client.Send(
      "GET", "https://[::1]:" + std::to_string((*server)->port()) + "/v1/echo",
      "", {});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(ParseEcho(reply->body).fields["cn"], "app-1");
}

}  // namespace
}  // namespace kms
