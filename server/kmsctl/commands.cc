#include "server/kmsctl/commands.h"

namespace kms::kmsctl {

const std::vector<Command>& AllCommands() {
  static const std::vector<Command>* commands = [] {
    auto* all = new std::vector<Command>();
    for (auto group :
         {StatusCommands, PkiCommands, ClientCommands, KeyRingCommands,
          KeyCommands, AuditCommands, BackupCommands}) {
      for (auto& command : group()) all->push_back(std::move(command));
    }
    return all;
  }();
  return *commands;
}

std::string_view GroupSummary(std::string_view group) {
  if (group == "pki") return "a development PKI (offline)";
  if (group == "client") return "clients, their grants and PINs";
  if (group == "keyring") return "key rings";
  if (group == "key") return "keys and their versions";
  if (group == "audit") return "the audit trail";
  return "";
}

}  // namespace kms::kmsctl
