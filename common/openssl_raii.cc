#include "common/openssl_raii.h"

#include <openssl/err.h>

namespace kms {

std::string OpenSslErrorString() {
  unsigned long err = ERR_get_error();  // NOLINT(runtime/int)
  ERR_clear_error();
  if (err == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(err, buf, sizeof(buf));
  return buf;
}

}  // namespace kms
