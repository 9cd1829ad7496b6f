// Usage text: the overview, one group, one command.
#ifndef KMS_SERVER_KMSCTL_HELP_H_
#define KMS_SERVER_KMSCTL_HELP_H_

#include <ostream>
#include <string_view>

#include "server/kmsctl/command.h"

namespace kms::kmsctl {

void PrintOverview(std::ostream& out);
void PrintGroupHelp(std::ostream& out, std::string_view group);
void PrintCommandHelp(std::ostream& out, const Command& command);

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_HELP_H_
