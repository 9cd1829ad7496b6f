// The JSON body of every error reply: the wire contract's
// {"error":{"code","message","request_id"}}.
#ifndef KMS_SERVER_HTTP_ERROR_BODY_H_
#define KMS_SERVER_HTTP_ERROR_BODY_H_

#include <string>

#include "common/status.h"

namespace kms {

std::string ErrorBody(const Status& status, const std::string& request_id);

}  // namespace kms

#endif  // KMS_SERVER_HTTP_ERROR_BODY_H_
