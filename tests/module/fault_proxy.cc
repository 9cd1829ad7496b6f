#include "tests/module/fault_proxy.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "common/encoding.h"
#include "common/json.h"

namespace kms::testing {
namespace {

// Headers of the module's requests that kmsd needs to see.
constexpr const char* kForwardedHeaders[] = {"Authorization", "X-Request-Id",
                                             "Content-Type", "Accept"};

struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};

struct Pending {
  FaultProxy::Request request;
};

MHD_Result CollectQuery(void* cls, MHD_ValueKind, const char* key,
                        const char* value) {
  auto* out = static_cast<std::string*>(cls);
  CurlPtr curl(curl_easy_init());
  if (!curl) return MHD_NO;
  std::unique_ptr<char, CurlFree> k(curl_easy_escape(curl.get(), key, 0));
  std::unique_ptr<char, CurlFree> v(
      curl_easy_escape(curl.get(), value != nullptr ? value : "", 0));
  if (!k || !v) return MHD_NO;
  out->append(out->empty() ? "?" : "&");
  out->append(k.get()).append("=").append(v.get());
  return MHD_YES;
}

MHD_Result QueueReply(MHD_Connection* connection,
                      const FaultProxy::Reply& reply) {
  MHD_Response* response = MHD_create_response_from_buffer(
      reply.body.size(), const_cast<char*>(reply.body.data()),
      MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  if (!reply.content_type.empty()) {
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                            reply.content_type.c_str());
  }
  MHD_Result result = MHD_queue_response(connection, reply.status, response);
  MHD_destroy_response(response);
  return result;
}

MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                     const char* method, const char* /*version*/,
                     const char* upload_data, size_t* upload_data_size,
                     void** state) {
  try {
    if (*state == nullptr) {
      auto* pending = new Pending();
      *state = pending;
      pending->request.method = method;
      std::string query;
      MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND,
                                &CollectQuery, &query);
      pending->request.path_and_query = std::string(url) + query;
      for (const char* name : kForwardedHeaders) {
        const char* value =
            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
        if (value != nullptr) {
          pending->request.headers.push_back(std::string(name) + ": " + value);
        }
      }
      return MHD_YES;
    }
    auto* pending = static_cast<Pending*>(*state);
    if (*upload_data_size != 0) {
      pending->request.body.append(upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
    FaultProxy::Reply reply;
    if (!static_cast<FaultProxy*>(cls)->Handle(pending->request, &reply)) {
      return MHD_NO;  // MHD closes the connection: no reply at all
    }
    return QueueReply(connection, reply);
  } catch (...) {
    return MHD_NO;
  }
}

void OnCompleted(void* /*cls*/, MHD_Connection* /*connection*/, void** state,
                 MHD_RequestTerminationCode /*reason*/) {
  delete static_cast<Pending*>(*state);
  *state = nullptr;
}

FaultProxy::Reply Canned(unsigned int status, std::string content_type,
                         std::string_view body) {
  FaultProxy::Reply reply;
  reply.status = status;
  reply.content_type = std::move(content_type);
  reply.body.assign(body.data(), body.size());
  return reply;
}

// Drops bytes from the reply's "signature" (still valid base64 and JSON).
void TruncateSignature(FaultProxy::Reply* reply) {
  auto parsed = Json::Parse({reply->body.data(), reply->body.size()});
  if (!parsed.ok()) return;
  const cJSON* sig =
      cJSON_GetObjectItemCaseSensitive(parsed->get(), "signature");
  if (!cJSON_IsString(sig)) return;
  auto bytes = Base64Decode(sig->valuestring);
  if (!bytes.ok() || bytes->empty()) return;
  bytes->resize(bytes->size() / 2);
  cJSON_ReplaceItemInObjectCaseSensitive(
      parsed->get(), "signature",
      cJSON_CreateString(Base64Encode(View(*bytes)).c_str()));
  reply->body = parsed->DumpSecure();
}

}  // namespace

FaultProxy::FaultProxy(FaultProxyOptions options)
    : options_(std::move(options)) {}

Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(
    FaultProxyOptions options) {
  std::unique_ptr<FaultProxy> proxy(new FaultProxy(std::move(options)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // clang-format off
  proxy->daemon_ = MHD_start_daemon(
      MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD |
          MHD_USE_THREAD_PER_CONNECTION,
      0, nullptr, nullptr, &OnRequest, proxy.get(),
      MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&address),
      MHD_OPTION_HTTPS_MEM_CERT, proxy->options_.server_cert_pem.c_str(),
      MHD_OPTION_HTTPS_MEM_KEY, proxy->options_.server_key_pem.c_str(),
      MHD_OPTION_NOTIFY_COMPLETED, &OnCompleted, nullptr,
      MHD_OPTION_CONNECTION_TIMEOUT, 60u,
      MHD_OPTION_END);
  // clang-format on
  if (proxy->daemon_ == nullptr) {
    return Error(ErrorCode::kInternal, "cannot start the fault proxy");
  }
  const MHD_DaemonInfo* info =
      MHD_get_daemon_info(proxy->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  proxy->port_ = info != nullptr ? info->port : 0;
  if (proxy->port_ == 0) {
    return Error(ErrorCode::kInternal, "cannot read the proxy's port");
  }
  return proxy;
}

FaultProxy::~FaultProxy() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();  // ends delays in progress
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

std::string FaultProxy::url() const {
  return "https://127.0.0.1:" + std::to_string(port_);
}

void FaultProxy::Inject(Fault fault, const std::string& path_part,
                        std::chrono::milliseconds delay, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  fault_ = fault;
  path_part_ = path_part;
  delay_ = delay;
  times_ = times;
}

int FaultProxy::faulted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return faulted_;
}

int FaultProxy::forwarded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return forwarded_;
}

Result<FaultProxy::Reply> FaultProxy::Forward(const Request& request) {
  HttpsClient client(options_.backend_tls);
  KMS_ASSIGN_OR_RETURN(
      HttpReply got,
      client.Send(request.method, options_.backend_url + request.path_and_query,
                  {request.body.data(), request.body.size()}, request.headers));
  Reply reply;
  reply.status = static_cast<unsigned int>(got.status);
  reply.body = std::move(got.body);
  std::lock_guard<std::mutex> lock(mu_);
  ++forwarded_;
  return reply;
}

bool FaultProxy::Handle(const Request& request, Reply* reply) {
  Fault fault;
  std::chrono::milliseconds delay;
  {
    std::unique_lock<std::mutex> lock(mu_);
    bool matches = times_ != 0 &&
                   request.path_and_query.find(path_part_) != std::string::npos;
    fault = matches ? fault_ : Fault::kNone;
    delay = delay_;
    if (fault != Fault::kNone) {
      ++faulted_;
      if (times_ > 0) --times_;
    }
    if (fault == Fault::kDelay) {
      stop_cv_.wait_for(lock, delay, [this] { return stopping_; });
    }
  }
  switch (fault) {
    case Fault::kHttp500Json:
      *reply = Canned(500, "application/json",
                      R"({"error":{"code":"INTERNAL","message":"injected"}})");
      return true;
    case Fault::kHttp502Html:
      *reply = Canned(502, "text/html",
                      "<html><body><h1>502 Bad Gateway</h1></body></html>");
      return true;
    case Fault::kHttp503Json:
      *reply =
          Canned(503, "application/json",
                 R"({"error":{"code":"UNAVAILABLE","message":"injected"}})");
      return true;
    case Fault::kHttp503Empty:
      *reply = Canned(503, "", "");
      return true;
    case Fault::kTokenInvalid:
      *reply =
          Canned(401, "application/json",
                 R"({"error":{"code":"TOKEN_INVALID","message":"injected"}})");
      return true;
    case Fault::kCloseWithoutReply:
      return false;
    default:
      break;
  }
  auto forwarded = Forward(request);
  if (!forwarded.ok()) {
    *reply = Canned(502, "text/plain", forwarded.status().ToString());
    return true;
  }
  *reply = std::move(forwarded).value();
  if (fault == Fault::kMalformedJson) {
    reply->body.resize(reply->body.size() / 2);
  } else if (fault == Fault::kTruncatedSignature) {
    TruncateSignature(reply);
  }
  return true;
}

}  // namespace kms::testing
