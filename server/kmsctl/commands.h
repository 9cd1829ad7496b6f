// The command table: each commands_*.cc declares one group.
#ifndef KMS_SERVER_KMSCTL_COMMANDS_H_
#define KMS_SERVER_KMSCTL_COMMANDS_H_

#include <string_view>
#include <vector>

#include "server/kmsctl/command.h"

namespace kms::kmsctl {

std::vector<Command> StatusCommands();
std::vector<Command> PkiCommands();
std::vector<Command> ClientCommands();
std::vector<Command> KeyRingCommands();
std::vector<Command> KeyCommands();
std::vector<Command> AuditCommands();
std::vector<Command> BackupCommands();

// Every command, in the order "kmsctl help" lists them.
const std::vector<Command>& AllCommands();

// Summary lines for groups ("key" -> "keys and their versions").
std::string_view GroupSummary(std::string_view group);

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_COMMANDS_H_
