// Turns the configured listen address and port into a socket address for
// libmicrohttpd.
#ifndef KMS_SERVER_HTTP_LISTEN_ADDRESS_H_
#define KMS_SERVER_HTTP_LISTEN_ADDRESS_H_

#include <sys/socket.h>

#include <string>

#include "common/status.h"

namespace kms {

struct ListenAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  bool ipv6 = false;

  const sockaddr* get() const {
    return reinterpret_cast<const sockaddr*>(&storage);
  }
};

// Accepts a numeric IPv4 address ("127.0.0.1", "0.0.0.0"), a numeric IPv6
// address with or without brackets ("::1", "[::]") or "localhost"
// (127.0.0.1); no name resolution. port 0 asks the kernel for a free port.
Result<ListenAddress> ParseListenAddress(const std::string& host, int port);

}  // namespace kms

#endif  // KMS_SERVER_HTTP_LISTEN_ADDRESS_H_
