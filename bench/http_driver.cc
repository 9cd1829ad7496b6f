#include "bench/http_driver.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/openssl_check.h"
#include "common/api_client.h"
#include "common/openssl_raii.h"

namespace kms::bench {
namespace {

std::string AlgorithmName(KeyType key) {
  switch (key) {
    case KeyType::kRsa2048:
      return "RSA_2048";
    case KeyType::kRsa3072:
      return "RSA_3072";
    case KeyType::kEcP256:
      return "EC_P256";
    case KeyType::kEcP384:
      return "EC_P384";
    case KeyType::kEd25519:
      return "ED25519";
    case KeyType::kAes256:
      return "AES_256";
    case KeyType::kNone:
      break;
  }
  return "";
}

Result<Bytes> Sha256(ByteView data) {
  Bytes digest(32);
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(),
                 nullptr) != 1) {
    return Error(ErrorCode::kInternal, "SHA-256 failed");
  }
  return digest;
}

std::unique_ptr<ApiClient> NewClient(const HttpOptions& options,
                                     const SecureString& token) {
  auto client = std::make_unique<ApiClient>(
      std::vector<std::string>{options.url}, options.tls);
  if (!token.empty()) client->SetBearerToken(token);
  return client;
}

Result<SecureString> Login(const HttpOptions& options) {
  auto client = NewClient(options, SecureString());
  Json body = Json::Object();
  body.Set("key_ring", options.key_ring);
  body.Set("pin", std::string_view(options.pin));
  KMS_ASSIGN_OR_RETURN(Json reply,
                       client->Call("POST", "/v1/auth/login", body));
  JsonReader reader(reply.get());
  SecureString token = reader.SecretString("token");
  KMS_RETURN_IF_ERROR(reader.status());
  return token;
}

std::string KeysPath(const HttpOptions& options) {
  return "/v1/keyrings/" + options.key_ring + "/keys";
}

// The id of the key labelled `label`, or a key created for the run.
Result<std::string> FindOrCreateKey(ApiClient& client,
                                    const HttpOptions& options,
                                    const OpSpec& op) {
  std::string type(KeyTypeName(op.key));
  if (!options.existing_keys.empty()) {
    std::string label = options.existing_keys + "-" + type;
    KMS_ASSIGN_OR_RETURN(
        Json reply,
        client.Call("GET", KeysPath(options) + "?label=" + label + "&limit=1"));
    const cJSON* keys = cJSON_GetObjectItemCaseSensitive(reply.get(), "keys");
    const cJSON* first = cJSON_GetArrayItem(keys, 0);
    const cJSON* id = cJSON_GetObjectItemCaseSensitive(first, "id");
    if (!cJSON_IsString(id)) {
      return Error(ErrorCode::kNotFound, "no key labelled '" + label + "'");
    }
    return std::string(id->valuestring);
  }
  Json body = Json::Object();
  body.Set("label",
           options.label_prefix + "-http-" + type + "-" + RandomHex(4));
  body.Set("algorithm", AlgorithmName(op.key));
  KMS_ASSIGN_OR_RETURN(Json reply,
                       client.Call("POST", KeysPath(options), body));
  JsonReader reader(reply.get());
  std::string id = reader.String("id");
  KMS_RETURN_IF_ERROR(reader.status());
  return id;
}

class HttpSignWorker : public Worker {
 public:
  HttpSignWorker(const HttpOptions& options, const SecureString& token,
                 const OpSpec& op, std::string key_path, EVP_PKEY* public_key)
      : client_(NewClient(options, token)),
        op_(op),
        path_(std::move(key_path) + "/sign"),
        public_key_(public_key),
        message_(RandomBytes(op.data_size)) {}

  Status Init() {
    // What the module sends: a digest it made locally (PKCS#1, PSS, ECDSA),
    // or the message itself (Ed25519).
    Bytes data;
    body_ = Json::Object();
    if (op_.scheme == Scheme::kRsaPkcs1Sha256) {
      KMS_ASSIGN_OR_RETURN(data, Sha256(View(message_)));
      body_.Set("scheme", "RSA_PKCS1").Set("hash", "SHA256");
    } else if (op_.scheme == Scheme::kRsaPssSha256) {
      KMS_ASSIGN_OR_RETURN(data, Sha256(View(message_)));
      body_.Set("scheme", "RSA_PSS")
          .Set("hash", "SHA256")
          .Set("mgf1_hash", "SHA256")
          .Set("salt_length", 32);
    } else if (op_.scheme == Scheme::kEcdsaDigest) {
      KMS_ASSIGN_OR_RETURN(data, EcdsaDigest(op_.key, View(message_)));
      signed_data_ = data;
      body_.Set("scheme", "ECDSA");
    } else if (op_.scheme == Scheme::kEd25519) {
      data = message_;
      body_.Set("scheme", "ED25519");
    } else {
      return Error(ErrorCode::kUnsupportedAlgorithm, "not a signature scheme");
    }
    if (signed_data_.empty()) signed_data_ = message_;
    body_.SetBase64("data", View(data));
    return Status::Ok();
  }

  Status Run() override {
    KMS_ASSIGN_OR_RETURN(Json reply, client_->Call("POST", path_, body_));
    JsonReader reader(reply.get());
    signature_ = reader.Base64("signature");
    reader.OptionalInt("version");
    return reader.Finish();
  }

  Status Check() override {
    return VerifySignature(public_key_, op_.scheme, View(signed_data_),
                           View(signature_), EcdsaEncoding::kRaw);
  }

 private:
  std::unique_ptr<ApiClient> client_;
  const OpSpec& op_;
  std::string path_;
  EVP_PKEY* public_key_;
  Bytes message_;
  Bytes signed_data_;
  Json body_;
  Bytes signature_;
};

class HttpKeygenWorker : public Worker {
 public:
  HttpKeygenWorker(const HttpOptions& options, const SecureString& token,
                   const OpSpec& op)
      : client_(NewClient(options, token)),
        path_(KeysPath(options)),
        prefix_(options.label_prefix + "-keygen-" + RandomHex(4) + "-"),
        algorithm_(AlgorithmName(op.key)) {}

  Status Run() override {
    Json body = Json::Object();
    body.Set("label", prefix_ + std::to_string(++count_));
    body.Set("algorithm", algorithm_);
    KMS_ASSIGN_OR_RETURN(Json reply, client_->Call("POST", path_, body));
    const cJSON* id = cJSON_GetObjectItemCaseSensitive(reply.get(), "id");
    last_ok_ = cJSON_IsString(id);
    return Status::Ok();
  }

  Status Check() override {
    if (!last_ok_) return Error(ErrorCode::kInternal, "reply without an id");
    return Status::Ok();
  }

 private:
  std::unique_ptr<ApiClient> client_;
  std::string path_;
  std::string prefix_;
  std::string algorithm_;
  int count_ = 0;
  bool last_ok_ = false;
};

class HttpFixture : public OpFixture {
 public:
  HttpFixture(const HttpOptions& options, const SecureString& token,
              const OpSpec& op, std::string key_path, EvpPkeyPtr public_key)
      : options_(options),
        token_(token),
        op_(op),
        key_path_(std::move(key_path)),
        public_key_(std::move(public_key)) {}

  Result<std::unique_ptr<Worker>> NewWorker(int) override {
    if (op_.kind == OpKind::kKeygen) {
      return std::unique_ptr<Worker>(
          std::make_unique<HttpKeygenWorker>(options_, token_, op_));
    }
    auto worker = std::make_unique<HttpSignWorker>(
        options_, token_, op_, key_path_, public_key_.get());
    KMS_RETURN_IF_ERROR(worker->Init());
    return std::unique_ptr<Worker>(std::move(worker));
  }

 private:
  const HttpOptions& options_;
  const SecureString& token_;
  const OpSpec op_;
  std::string key_path_;
  EvpPkeyPtr public_key_;
};

class HttpEngine : public Engine {
 public:
  HttpEngine(HttpOptions options, SecureString token)
      : options_(std::move(options)), token_(std::move(token)) {}

  std::string name() const override { return "http"; }
  std::string module() const override { return ""; }

  Result<std::unique_ptr<OpFixture>> Prepare(const OpSpec& op) override {
    if (op.kind == OpKind::kKeygen && op.key == KeyType::kEcP256) {
      return std::unique_ptr<OpFixture>(std::make_unique<HttpFixture>(
          options_, token_, op, std::string(), EvpPkeyPtr()));
    }
    if (op.kind != OpKind::kSign || op.scheme == Scheme::kNone) {
      return Error(ErrorCode::kUnsupportedAlgorithm,
                   "the http engine signs and creates EC keys only");
    }
    auto client = NewClient(options_, token_);
    KMS_ASSIGN_OR_RETURN(std::string id,
                         FindOrCreateKey(*client, options_, op));
    std::string key_path = KeysPath(options_) + "/" + id;
    KMS_ASSIGN_OR_RETURN(Json reply,
                         client->Call("GET", key_path + "/public-key"));
    JsonReader reader(reply.get());
    Bytes der = reader.Base64("public_key");
    KMS_RETURN_IF_ERROR(reader.status());
    const unsigned char* p = der.data();
    EvpPkeyPtr public_key(
        d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (public_key == nullptr) {
      return Error(ErrorCode::kInternal, "cannot parse the public key");
    }
    return std::unique_ptr<OpFixture>(std::make_unique<HttpFixture>(
        options_, token_, op, std::move(key_path), std::move(public_key)));
  }

 private:
  HttpOptions options_;
  SecureString token_;
};

}  // namespace

Result<std::unique_ptr<Engine>> NewHttpEngine(const HttpOptions& options) {
  KMS_ASSIGN_OR_RETURN(SecureString token, Login(options));
  return std::unique_ptr<Engine>(
      std::make_unique<HttpEngine>(options, std::move(token)));
}

Result<KeyCreationResult> CreateEcKeys(const HttpOptions& options, int count,
                                       int threads) {
  // Long runs outlive a token (auth.token_ttl_seconds): threads log in again
  // when theirs has expired.
  KMS_ASSIGN_OR_RETURN(SecureString token, Login(options));
  std::atomic<int> next{0};
  std::atomic<int> created{0};
  std::atomic<int> errors{0};
  std::mutex mu;
  std::string first_error;
  auto fail = [&](const Status& status) {
    ++errors;
    std::lock_guard<std::mutex> lock(mu);
    if (first_error.empty()) first_error = status.ToString();
  };
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      SecureString mine;
      {
        std::lock_guard<std::mutex> lock(mu);
        mine = token;
      }
      auto client = NewClient(options, mine);
      const std::string path = KeysPath(options);
      for (int n = next++; n < count; n = next++) {
        Json body = Json::Object();
        body.Set("label", options.label_prefix + "-" + std::to_string(n));
        body.Set("algorithm", "EC_P256");
        Result<Json> reply = client->Call("POST", path, body);
        if (!reply.ok() && reply.status().code() == ErrorCode::kTokenExpired) {
          Result<SecureString> fresh = Login(options);
          if (!fresh.ok()) {
            fail(fresh.status());
            continue;
          }
          client->SetBearerToken(*fresh);
          reply = client->Call("POST", path, body);
        }
        if (reply.ok()) {
          ++created;
        } else {
          fail(reply.status());
        }
      }
    });
  }
  for (std::thread& thread : pool) thread.join();
  KeyCreationResult result;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  result.created = created;
  result.errors = errors;
  result.first_error = first_error;
  return result;
}

}  // namespace kms::bench
