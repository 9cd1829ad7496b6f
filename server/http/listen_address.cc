#include "server/http/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace kms {

Result<ListenAddress> ParseListenAddress(const std::string& host, int port) {
  if (port < 0 || port > 65535) {
    return Error(ErrorCode::kInvalidArgument,
                 "listen port must be 0..65535, got " + std::to_string(port));
  }
  std::string text = host == "localhost" ? "127.0.0.1" : host;
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  ListenAddress address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    address.length = sizeof(sockaddr_in);
    return address;
  }
  address.storage = {};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    address.length = sizeof(sockaddr_in6);
    address.ipv6 = true;
    return address;
  }
  return Error(
      ErrorCode::kInvalidArgument,
      "listen address '" + host + "' is not a numeric IPv4 or IPv6 address");
}

}  // namespace kms
