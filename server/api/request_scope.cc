#include "server/api/request_scope.h"

namespace kms {

Result<JsonReader*> RequestScope::Body() {
  if (!reader_) {
    std::string_view text(request_.body.data(), request_.body.size());
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      text = "{}";
    }
    KMS_ASSIGN_OR_RETURN(body_, ParseObject(text));
    reader_.emplace(body_.get());
  }
  return &*reader_;
}

std::optional<std::string> RequestScope::Query(const std::string& name) const {
  auto it = request_.query.find(name);
  if (it == request_.query.end()) return std::nullopt;
  return it->second;
}

}  // namespace kms
