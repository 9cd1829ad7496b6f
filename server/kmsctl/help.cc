#include "server/kmsctl/help.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

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
  if (!command.synopsis.empty()) line += " " + command.synopsis;
  for (const auto& flag : command.flags) {
    line +=
        flag.required ? " " + FlagLabel(flag) : " [" + FlagLabel(flag) + "]";
  }
  return line;
}

constexpr size_t kLineWidth = 80;

// Word-wraps text into lines of at most `width` characters (longer words
// stay whole).
std::vector<std::string> Wrap(std::string_view text, size_t width) {
  std::vector<std::string> lines(1);
  while (!text.empty()) {
    size_t space = text.find(' ');
    std::string_view word = text.substr(0, space);
    text.remove_prefix(space == std::string_view::npos ? text.size()
                                                       : space + 1);
    if (word.empty()) continue;
    std::string& line = lines.back();
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.emplace_back(word);
    } else {
      if (!line.empty()) line += ' ';
      line += word;
    }
  }
  return lines;
}

// "  NAME   text" rows, the text wrapped and aligned after the widest name.
void PrintRows(std::ostream& out,
               const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  size_t indent = width + 4;
  size_t text_width = indent + 30 < kLineWidth ? kLineWidth - indent : 30;
  for (const auto& [name, text] : rows) {
    std::vector<std::string> lines = Wrap(text, text_width);
    out << "  " << name << std::string(width - name.size() + 2, ' ') << lines[0]
        << '\n';
    for (size_t i = 1; i < lines.size(); ++i) {
      out << std::string(indent, ' ') << lines[i] << '\n';
    }
  }
}

void PrintFlags(std::ostream& out, const std::vector<FlagDef>& flags) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& flag : flags) {
    std::string help = flag.help;
    if (flag.required) help += " (required)";
    if (flag.repeatable) help += " (repeatable)";
    rows.emplace_back(FlagLabel(flag), help);
  }
  PrintRows(out, rows);
}

void PrintCommandList(std::ostream& out, std::string_view group) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& command : AllCommands()) {
    bool in_group = group.empty() || command.name == group ||
                    command.name.rfind(std::string(group) + " ", 0) == 0;
    if (in_group) rows.emplace_back(command.name, command.summary);
  }
  if (group.empty()) {
    rows.emplace_back("help [COMMAND]", "show usage, of kmsctl or a command");
  }
  PrintRows(out, rows);
}

}  // namespace

void PrintOverview(std::ostream& out) {
  out << "usage: kmsctl [global flags] COMMAND [flags] [arguments]\n\n"
         "The operator's command line for kmsd.\n\ncommands:\n";
  PrintCommandList(out, "");
  out << "\nglobal flags (any command; flags win over --env-file, which "
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
