#include "server/http/http_server.h"

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/logging.h"
#include "server/http/error_body.h"
#include "server/http/listen_address.h"
#include "server/http/peer_certificate.h"
#include "server/http/request_headers.h"
#include "server/http/tls_material.h"

namespace kms {
namespace {

// TLS 1.2 and 1.3 only; the rest of GnuTLS's NORMAL set (ciphers, groups,
// signature algorithms) is kept as the distribution maintains it.
constexpr char kTlsPriorities[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
constexpr char kHealthPath[] = "/healthz";
// After a chunked body has passed the limit, its remaining bytes are read
// and dropped (not stored) so that the client can still be told 413: MHD
// cannot queue a reply while a body is being received. A client that keeps
// sending past this much more is cut off instead.
constexpr size_t kMinDiscardBytes = 1 << 20;

struct DaemonDeleter {
  void operator()(MHD_Daemon* daemon) const { MHD_stop_daemon(daemon); }
};
using DaemonPtr = std::unique_ptr<MHD_Daemon, DaemonDeleter>;

struct ResponseDeleter {
  void operator()(MHD_Response* response) const {
    MHD_destroy_response(response);
  }
};
using ResponsePtr = std::unique_ptr<MHD_Response, ResponseDeleter>;

// What the front knows about one request between libmicrohttpd's calls;
// owned through MHD's per-request pointer and freed in OnRequestCompleted.
struct PendingRequest {
  ApiRequest request;
  bool body_too_large = false;
  size_t discarded_bytes = 0;
  size_t body_limit = 0;
};

struct Reply {
  unsigned int http_status = 200;
  SecureString body;
  std::string content_type = "application/json";
  bool close_connection = false;
};

Reply ErrorReply(const Status& status, const std::string& request_id,
                 bool close_connection) {
  Reply reply;
  reply.http_status = static_cast<unsigned int>(HttpStatusFor(status.code()));
  std::string body = ErrorBody(status, request_id);
  reply.body.assign(body.begin(), body.end());
  reply.close_connection = close_connection;
  return reply;
}

// Reply bodies may carry key material, so MHD sends straight from the
// SecureString and hands it back here to be wiped, rather than copying it.
void FreeReplyBody(void* body) { delete static_cast<SecureString*>(body); }

MHD_Result QueueReply(MHD_Connection* connection, const std::string& request_id,
                      Reply reply) {
  auto body = std::make_unique<SecureString>(std::move(reply.body));
  ResponsePtr response(MHD_create_response_from_buffer_with_free_callback_cls(
      body->size(), body->data(), &FreeReplyBody, body.get()));
  if (!response) return MHD_NO;
  body.release();  // the response owns it now
  MHD_Response* r = response.get();
  bool headers_ok =
      MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                              reply.content_type.c_str()) == MHD_YES &&
      MHD_add_response_header(r, "X-Request-Id", request_id.c_str()) ==
          MHD_YES &&
      MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") ==
          MHD_YES;
  if (headers_ok && reply.close_connection) {
    headers_ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION,
                                         "close") == MHD_YES;
  }
  if (!headers_ok) return MHD_NO;
  return MHD_queue_response(connection, reply.http_status, r);
}

// Method and path come from the peer, possibly unauthenticated and
// percent-decoded: keep control characters and huge paths out of the log.
std::string ForLog(std::string_view text) {
  constexpr size_t kMaxLength = 200;
  std::string out;
  for (char c : text.substr(0, kMaxLength)) {
    bool printable = c >= 0x20 && c < 0x7f;
    out.push_back(printable ? c : '?');
  }
  if (text.size() > kMaxLength) out += "...";
  return out;
}

void LogReply(const ApiRequest& request, unsigned int http_status) {
  KMS_LOG(kDebug) << ForLog(request.method) << ' ' << ForLog(request.path)
                  << " -> " << http_status
                  << " request_id=" << request.request_id << " client="
                  << (request.peer.verified ? ForLog(request.peer.subject_cn)
                                            : std::string("-"));
}

MHD_Result CollectQueryArgument(void* cls, MHD_ValueKind, const char* key,
                                const char* value) {
  // Called from C: nothing may propagate out of here.
  try {
    auto* query = static_cast<std::map<std::string, std::string>*>(cls);
    query->emplace(key, value != nullptr ? value : "");
    return MHD_YES;
  } catch (...) {
    return MHD_NO;
  }
}

class MhdHttpServer final : public HttpServer {
 public:
  MhdHttpServer(const HttpServerConfig& config, RequestHandler handler)
      : config_(config), handler_(std::move(handler)) {}
  ~MhdHttpServer() override { Stop(); }

  Status Start();
  int port() const override { return port_; }
  // Must not be called from inside the handler: stopping waits for the
  // threads that run it.
  void Stop() override;

 private:
  static MHD_Result OnRequest(void* cls, MHD_Connection* connection,
                              const char* url, const char* method,
                              const char* version, const char* upload_data,
                              size_t* upload_data_size, void** request_state);
  static void OnRequestCompleted(void* cls, MHD_Connection* connection,
                                 void** request_state,
                                 MHD_RequestTerminationCode reason);
  static void OnLog(void* cls, const char* format, va_list args);
  // Gives each connection a PeerCache for its lifetime.
  static void OnConnection(void* cls, MHD_Connection* connection,
                           void** socket_context,
                           MHD_ConnectionNotificationCode code);

  MHD_Result BeginRequest(MHD_Connection* connection, const char* url,
                          const char* method, void** request_state);
  MHD_Result ReceiveBody(PendingRequest& pending, const char* data,
                         size_t size);
  MHD_Result FinishRequest(MHD_Connection* connection, PendingRequest& pending);
  Reply RunHandler(ApiRequest& request);
  size_t BodyLimitFor(std::string_view path) const;

  // MHD keeps pointers into the PEM texts of config_, so it lives as long
  // as the daemon.
  const HttpServerConfig config_;
  const RequestHandler handler_;
  std::mutex stop_mutex_;
  DaemonPtr daemon_;
  int port_ = 0;
  std::atomic<bool> started_{false};
};

Status MhdHttpServer::Start() {
  if (config_.cert_pem.empty() || config_.key_pem.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "the HTTPS server needs a certificate and a private key");
  }
  if (config_.client_ca_pem.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "the HTTPS server needs a client CA certificate");
  }
  if (config_.threads < 1 || config_.threads > 1024) {
    return Error(
        ErrorCode::kInvalidArgument,
        "threads must be 1..1024, got " + std::to_string(config_.threads));
  }
  if (config_.connection_timeout_seconds < 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "connection timeout must not be negative");
  }
  KMS_RETURN_IF_ERROR(CheckTlsMaterial(config_.cert_pem, config_.key_pem,
                                       config_.client_ca_pem));
  KMS_ASSIGN_OR_RETURN(
      ListenAddress address,
      ParseListenAddress(config_.listen_address, config_.port));

  unsigned int flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD |
                       MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
  if (address.ipv6) flags |= MHD_USE_IPv6;
  // MHD_OPTION_HTTPS_MEM_TRUST makes MHD ask every peer for a certificate
  // (GNUTLS_CERT_REQUEST), but MHD offers no way to require one during the
  // handshake. Peers without a valid one therefore complete the handshake
  // and are refused at their first request (see BeginRequest), which also
  // lets GET /healthz through for load balancers.
  // The logger goes first so that MHD reports problems with the options
  // after it through OnLog; the port argument only names the port in MHD's
  // messages, MHD_OPTION_SOCK_ADDR decides where to bind. One option and
  // its arguments per line:
  // clang-format off
  MHD_Daemon* daemon = MHD_start_daemon(
      flags, static_cast<uint16_t>(config_.port), nullptr, nullptr,
      &MhdHttpServer::OnRequest, this,
      MHD_OPTION_EXTERNAL_LOGGER, &MhdHttpServer::OnLog, this,
      MHD_OPTION_SOCK_ADDR, const_cast<sockaddr*>(address.get()),
      MHD_OPTION_HTTPS_MEM_CERT, config_.cert_pem.c_str(),
      MHD_OPTION_HTTPS_MEM_KEY, config_.key_pem.c_str(),
      MHD_OPTION_HTTPS_MEM_TRUST, config_.client_ca_pem.c_str(),
      MHD_OPTION_HTTPS_PRIORITIES, kTlsPriorities,
      MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned int>(config_.threads),
      MHD_OPTION_CONNECTION_TIMEOUT,
          static_cast<unsigned int>(config_.connection_timeout_seconds),
      MHD_OPTION_NOTIFY_COMPLETED, &MhdHttpServer::OnRequestCompleted, this,
      MHD_OPTION_NOTIFY_CONNECTION, &MhdHttpServer::OnConnection, this,
      MHD_OPTION_END);
  // clang-format on
  if (daemon == nullptr) {
    return Error(ErrorCode::kUnavailable,
                 "cannot start the HTTPS server on " + config_.listen_address +
                     ":" + std::to_string(config_.port) +
                     " (address in use or unavailable; see the log)");
  }
  std::lock_guard<std::mutex> lock(stop_mutex_);
  daemon_.reset(daemon);
  const MHD_DaemonInfo* info =
      MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  port_ = info != nullptr ? info->port : 0;
  if (port_ == 0) {
    daemon_.reset();
    return Error(ErrorCode::kInternal, "cannot read the bound port");
  }
  started_ = true;
  KMS_LOG(kInfo) << "HTTPS server listening on " << config_.listen_address
                 << ":" << port_ << " with " << config_.threads << " threads";
  return Status::Ok();
}

void MhdHttpServer::Stop() {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (!daemon_) return;
  daemon_.reset();
  KMS_LOG(kInfo) << "HTTPS server on port " << port_ << " stopped";
}

MHD_Result MhdHttpServer::OnRequest(void* cls, MHD_Connection* connection,
                                    const char* url, const char* method,
                                    const char* /*version*/,
                                    const char* upload_data,
                                    size_t* upload_data_size,
                                    void** request_state) {
  auto* server = static_cast<MhdHttpServer*>(cls);
  // Called from C: an exception must not unwind through libmicrohttpd.
  // Closing the connection is all that is left to do if one gets here.
  try {
    if (*request_state == nullptr) {
      return server->BeginRequest(connection, url, method, request_state);
    }
    auto* pending = static_cast<PendingRequest*>(*request_state);
    if (*upload_data_size != 0) {
      size_t size = *upload_data_size;
      *upload_data_size = 0;
      return server->ReceiveBody(*pending, upload_data, size);
    }
    return server->FinishRequest(connection, *pending);
  } catch (...) {
    return MHD_NO;
  }
}

void MhdHttpServer::OnRequestCompleted(void* /*cls*/,
                                       MHD_Connection* /*connection*/,
                                       void** request_state,
                                       MHD_RequestTerminationCode /*reason*/) {
  delete static_cast<PendingRequest*>(*request_state);
  *request_state = nullptr;
}

void MhdHttpServer::OnConnection(void* /*cls*/, MHD_Connection* /*connection*/,
                                 void** socket_context,
                                 MHD_ConnectionNotificationCode code) {
  try {
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
      *socket_context = new PeerCache();
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
      delete static_cast<PeerCache*>(*socket_context);
      *socket_context = nullptr;
    }
  } catch (...) {
    // Without a cache the connection still works: every request verifies.
    *socket_context = nullptr;
  }
}

void MhdHttpServer::OnLog(void* cls, const char* format, va_list args) {
  try {
    char line[512];
    int n = std::vsnprintf(line, sizeof(line), format, args);
    if (n < 0) return;
    size_t length = std::min(static_cast<size_t>(n), sizeof(line) - 1);
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
      --length;
    std::string_view text(line, length);
    // Before the daemon runs, MHD's messages explain why it would not
    // start; afterwards they are mostly clients dropping connections.
    if (static_cast<MhdHttpServer*>(cls)->started_) {
      KMS_LOG(kDebug) << "libmicrohttpd: " << text;
    } else {
      KMS_LOG(kWarning) << "libmicrohttpd: " << text;
    }
  } catch (...) {
    // Logging is best effort; nothing may unwind into C.
  }
}

MHD_Result MhdHttpServer::BeginRequest(MHD_Connection* connection,
                                       const char* url, const char* method,
                                       void** request_state) {
  auto* pending = new PendingRequest();
  *request_state = pending;  // freed by OnRequestCompleted from here on
  ApiRequest& request = pending->request;
  request.method = method;
  request.path = url;
  request.request_id = RequestIdFrom(
      MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Request-Id"));

  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  const MHD_ConnectionInfo* socket =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  request.peer = IdentifyPeer(
      info != nullptr ? static_cast<gnutls_session_t>(info->tls_session)
                      : nullptr,
      socket != nullptr ? static_cast<PeerCache*>(socket->socket_context)
                        : nullptr);
  bool public_endpoint =
      request.method == MHD_HTTP_METHOD_GET && request.path == kHealthPath;
  if (!request.peer.verified && !public_endpoint) {
    // Answered before the body is read; closing the connection makes the
    // client start over with a new handshake rather than retry on this one.
    Reply reply = ErrorReply(
        Error(ErrorCode::kUnauthenticated,
              "a client certificate issued by the client CA is required"),
        request.request_id, /*close_connection=*/true);
    KMS_LOG(kInfo) << "refused " << ForLog(request.method) << ' '
                   << ForLog(request.path)
                   << " without a valid client certificate, request_id="
                   << request.request_id;
    return QueueReply(connection, request.request_id, std::move(reply));
  }

  pending->body_limit = BodyLimitFor(request.path);
  std::optional<uint64_t> length =
      ContentLengthFrom(MHD_lookup_connection_value(
          connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH));
  if (length.has_value() && *length > pending->body_limit) {
    Reply reply =
        ErrorReply(Error(ErrorCode::kPayloadTooLarge,
                         "request body exceeds " +
                             std::to_string(pending->body_limit) + " bytes"),
                   request.request_id, /*close_connection=*/true);
    LogReply(request, reply.http_status);
    return QueueReply(connection, request.request_id, std::move(reply));
  }

  // Sized once up front: every reallocation would leave one more copy of
  // the body to wipe.
  if (length.has_value()) request.body.reserve(static_cast<size_t>(*length));
  request.bearer_token = BearerTokenFrom(MHD_lookup_connection_value(
      connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION));
  if (MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND,
                                &CollectQueryArgument, &request.query) < 0) {
    return MHD_NO;
  }
  return MHD_YES;
}

size_t MhdHttpServer::BodyLimitFor(std::string_view path) const {
  auto exact = config_.body_limit_by_path.find(std::string(path));
  if (exact != config_.body_limit_by_path.end()) return exact->second;
  for (const auto& [suffix, limit] : config_.body_limit_by_suffix) {
    if (path.ends_with(suffix)) return limit;
  }
  return config_.max_body_bytes;
}

MHD_Result MhdHttpServer::ReceiveBody(PendingRequest& pending, const char* data,
                                      size_t size) {
  SecureString& body = pending.request.body;
  if (!pending.body_too_large) {
    if (size <= pending.body_limit - body.size()) {
      body.append(data, size);
      return MHD_YES;
    }
    pending.body_too_large = true;
    SecureString().swap(body);  // give the memory back (wiped) right away
  }
  pending.discarded_bytes += size;
  if (pending.discarded_bytes >
      std::max(pending.body_limit, kMinDiscardBytes)) {
    KMS_LOG(kInfo) << "closing connection: body far over the limit, "
                      "request_id="
                   << pending.request.request_id;
    return MHD_NO;
  }
  return MHD_YES;
}

MHD_Result MhdHttpServer::FinishRequest(MHD_Connection* connection,
                                        PendingRequest& pending) {
  ApiRequest& request = pending.request;
  Reply reply;
  if (pending.body_too_large) {
    reply = ErrorReply(Error(ErrorCode::kPayloadTooLarge,
                             "request body exceeds " +
                                 std::to_string(pending.body_limit) + " bytes"),
                       request.request_id, /*close_connection=*/true);
  } else {
    reply = RunHandler(request);
  }
  LogReply(request, reply.http_status);
  return QueueReply(connection, request.request_id, std::move(reply));
}

Reply MhdHttpServer::RunHandler(ApiRequest& request) {
  ApiResponse response;
  try {
    response = handler_(request);
  } catch (...) {
    KMS_LOG(kError) << "request handler threw, request_id="
                    << request.request_id;
    response = ApiResponse();
    response.status = Error(ErrorCode::kInternal, "internal error");
  }
  if (!response.status.ok()) {
    return ErrorReply(response.status, request.request_id,
                      /*close_connection=*/false);
  }
  Reply reply;
  reply.http_status = 200;
  reply.body = std::move(response.body);
  reply.content_type = std::move(response.content_type);
  return reply;
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpServerConfig& config, RequestHandler handler) {
  if (!handler) {
    return Error(ErrorCode::kInvalidArgument, "no request handler");
  }
  auto server = std::make_unique<MhdHttpServer>(config, std::move(handler));
  KMS_RETURN_IF_ERROR(server->Start());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace kms
