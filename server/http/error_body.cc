#include "server/http/error_body.h"

#include <utility>

#include "common/json.h"

namespace kms {

std::string ErrorBody(const Status& status, const std::string& request_id) {
  Json error = Json::Object();
  error.Set("code", ErrorCodeName(status.code()))
      .Set("message", status.message())
      .Set("request_id", request_id);
  Json body = Json::Object();
  body.Set("error", std::move(error));
  return body.Dump();
}

}  // namespace kms
