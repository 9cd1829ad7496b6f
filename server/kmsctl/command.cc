#include "server/kmsctl/command.h"

#include "server/kmsctl/exit_codes.h"

namespace kms::kmsctl {

CommandContext::CommandContext(Io& io, const Command& command,
                               const ParsedFlags& flags, Connection* server)
    : io_(io), command_(command), flags_(flags), server_(server) {}

int CommandContext::ServerError(const Status& status) {
  io_.err << "error: " << status.ToString();
  if (server_ != nullptr && !server_->last_request_id().empty()) {
    io_.err << " (request id " << server_->last_request_id() << ")";
  }
  io_.err << '\n';
  return status.code() == ErrorCode::kUnavailable ? kExitUnavailable
                                                  : kExitError;
}

int CommandContext::LocalError(const Status& status) {
  io_.err << "error: " << status.ToString() << '\n';
  return kExitError;
}

int CommandContext::UsageError(std::string_view message) {
  io_.err << "error: " << message << "\nrun 'kmsctl " << command_.name
          << " --help' for usage\n";
  return kExitUsage;
}

void CommandContext::PrintJson(const Json& json) {
  io_.out << json.Dump() << '\n';
}

}  // namespace kms::kmsctl
