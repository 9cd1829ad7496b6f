// kmsctl's entry point as a function: picks the command from the words on
// the command line, parses its flags, connects and runs it.
#ifndef KMS_SERVER_KMSCTL_CLI_H_
#define KMS_SERVER_KMSCTL_CLI_H_

#include <string>
#include <vector>

#include "server/kmsctl/command.h"
#include "server/kmsctl/flags.h"

namespace kms::kmsctl {

// Flags every command accepts (connection settings, --json, --help).
const std::vector<FlagDef>& GlobalFlags();

// args excludes the program name. Returns the process exit code (see
// exit_codes.h).
int RunKmsctl(const std::vector<std::string>& args, Io& io);

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_CLI_H_
