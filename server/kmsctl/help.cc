#include "server/kmsctl/help.h"

#include <algorithm>
#include <string>

#include "server/kmsctl/cli.h"
#include "server/kmsctl/commands.h"

namespace kms::kmsctl {
namespace {

constexpr std::string_view kExitCodes =
    "exit codes:\n"
    "  0  success\n"
    "  1  the server refused or failed the operation (or a local file step "
    "failed)\n"
    "  2  usage error: bad command line, nothing was sent\n"
    "  3  no connection: server unreachable, TLS failure or UNAVAILABLE\n"
    "  4  audit verification failed\n";

std::string FlagLabel(const FlagDef& flag) {
  std::string label = "--" + flag.name;
  if (!flag.is_switch()) label += " " + flag.value_name;
  return label;
}

std::string Synopsis(const Command& command) {
  std::string line = "kmsctl " + command.name;
  for (const auto& flag : command.flags) {
    line +=
        flag.required ? " " + FlagLabel(flag) : " [" + FlagLabel(flag) + "]";
  }
  if (!command.synopsis.empty()) line += " " + command.synopsis;
  return line;
}

void PrintFlags(std::ostream& out, const std::vector<FlagDef>& flags) {
  size_t width = 0;
  for (const auto& flag : flags)
    width = std::max(width, FlagLabel(flag).size());
  for (const auto& flag : flags) {
    std::string label = FlagLabel(flag);
    out << "  " << label << std::string(width - label.size() + 2, ' ')
        << flag.help;
    if (flag.required) out << " (required)";
    if (flag.repeatable) out << " (repeatable)";
    out << '\n';
  }
}

void PrintCommandList(std::ostream& out, std::string_view group) {
  size_t width = 0;
  for (const auto& command : AllCommands()) {
    width = std::max(width, command.name.size());
  }
  for (const auto& command : AllCommands()) {
    bool in_group = group.empty() || command.name == group ||
                    command.name.rfind(std::string(group) + " ", 0) == 0;
    if (!in_group) continue;
    out << "  " << command.name
        << std::string(width - command.name.size() + 2, ' ') << command.summary
        << '\n';
  }
}

}  // namespace

void PrintOverview(std::ostream& out) {
  out << "usage: kmsctl [global flags] COMMAND [flags] [arguments]\n\n"
         "The operator's command line for kmsd.\n\ncommands:\n";
  PrintCommandList(out, "");
  out << "  help [COMMAND]";
  out << "\n\nglobal flags (any command; flags win over --env-file, which "
         "wins over\nthe environment variables KMS_URL, KMS_CA_FILE, "
         "KMS_ADMIN_CERT, KMS_ADMIN_KEY):\n";
  PrintFlags(out, GlobalFlags());
  out << '\n'
      << kExitCodes << "\nrun 'kmsctl COMMAND --help' for a command's flags.\n";
}

void PrintGroupHelp(std::ostream& out, std::string_view group) {
  out << "usage: kmsctl " << group << " SUBCOMMAND [flags]\n\n"
      << GroupSummary(group) << ":\n";
  PrintCommandList(out, group);
  out << "\nrun 'kmsctl " << group
      << " SUBCOMMAND --help' for a subcommand's flags.\n";
}

void PrintCommandHelp(std::ostream& out, const Command& command) {
  out << "usage: " << Synopsis(command) << "\n\n" << command.summary << ".\n";
  if (!command.details.empty()) out << '\n' << command.details << '\n';
  if (!command.flags.empty()) {
    out << "\nflags:\n";
    PrintFlags(out, command.flags);
  }
  if (command.needs_server) {
    out << "\nconnection: --url, --ca, --cert, --key, --env-file, --timeout "
           "(see 'kmsctl help');\n--json prints the server's JSON reply.\n";
  } else {
    out << "\n--json prints the result as JSON.\n";
  }
  out << '\n' << kExitCodes;
}

}  // namespace kms::kmsctl
