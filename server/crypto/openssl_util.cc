#include "server/crypto/openssl_util.h"

#include <string>

#include "common/openssl_raii.h"

namespace kms {

Status OpenSslFailure(std::string_view operation) {
  return Error(ErrorCode::kInternal,
               std::string(operation) + ": " + OpenSslErrorString());
}

}  // namespace kms
