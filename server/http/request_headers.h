// Interpreting the request headers the front cares about. Pure functions,
// so that they can be tested without a connection.
#ifndef KMS_SERVER_HTTP_REQUEST_HEADERS_H_
#define KMS_SERVER_HTTP_REQUEST_HEADERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/secure_memory.h"

namespace kms {

// 1..64 characters of [A-Za-z0-9._-]: safe to echo in headers and logs.
bool IsSaneRequestId(std::string_view id);
// The client's X-Request-Id if sane, else a fresh one. header may be null.
std::string RequestIdFrom(const char* header);
// The token of "Authorization: Bearer <token>"; empty if absent or another
// scheme. header may be null.
SecureString BearerTokenFrom(const char* header);
// Content-Length as a number; nullopt if absent. Values that do not fit in
// 64 bits saturate, since all that matters is that they exceed the limit.
std::optional<uint64_t> ContentLengthFrom(const char* header);

}  // namespace kms

#endif  // KMS_SERVER_HTTP_REQUEST_HEADERS_H_
