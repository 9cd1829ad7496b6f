#include "server/kmsctl/cli.h"

#include <memory>
#include <set>

#include "common/json.h"
#include "server/kmsctl/commands.h"
#include "server/kmsctl/connection.h"
#include "server/kmsctl/exit_codes.h"
#include "server/kmsctl/help.h"
#include "server/kmsctl/reply.h"

#ifndef KMS_VERSION
#define KMS_VERSION "unknown"
#endif

namespace kms::kmsctl {
namespace {

// Where the command words sit among the arguments.
struct CommandWords {
  std::vector<std::string> words;
  std::set<size_t> positions;
  bool help = false;
  bool version = false;
};

const FlagDef* FindGlobal(std::string_view name) {
  for (const auto& flag : GlobalFlags()) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

bool IsCommandOrGroup(const std::string& words, bool* complete) {
  *complete = false;
  bool prefix = false;
  for (const auto& command : AllCommands()) {
    if (command.name == words) *complete = true;
    if (command.name.rfind(words + " ", 0) == 0) prefix = true;
  }
  return *complete || prefix;
}

// Collects the leading words that name a command, skipping global flags
// (which may come first: "kmsctl --json key list"). Stops at the first
// command-specific flag, at a complete command name, or at a word that
// extends no command.
CommandWords FindCommandWords(const std::vector<std::string>& args) {
  CommandWords found;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg == "-h" || arg == "--help") {
      found.help = true;
      continue;
    }
    if (arg == "--version") {
      found.version = true;
      continue;
    }
    if (arg.size() > 2 && arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2, arg.find('=') - 2);
      const FlagDef* global = FindGlobal(name);
      if (global == nullptr) break;
      if (!global->is_switch() && arg.find('=') == std::string::npos) ++i;
      continue;
    }
    if (!arg.empty() && arg[0] == '-') break;
    std::string candidate =
        found.words.empty() ? arg : Join(found.words, " ") + " " + arg;
    if (found.words.empty() && arg == "help") {
      found.words.push_back(arg);
      found.positions.insert(i);
      continue;
    }
    if (!found.words.empty() && found.words[0] == "help") {
      found.words.push_back(arg);
      found.positions.insert(i);
      continue;
    }
    bool complete = false;
    found.words.push_back(arg);
    found.positions.insert(i);
    if (!IsCommandOrGroup(candidate, &complete) || complete) break;
  }
  return found;
}

const Command* FindCommand(const std::string& name) {
  for (const auto& command : AllCommands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

bool IsGroup(const std::string& name) {
  bool complete = false;
  return IsCommandOrGroup(name, &complete) && !complete;
}

int Help(Io& io, const std::vector<std::string>& topic) {
  std::string name = Join(topic, " ");
  if (name.empty()) {
    PrintOverview(io.out);
    return kExitOk;
  }
  if (const Command* command = FindCommand(name)) {
    PrintCommandHelp(io.out, *command);
    return kExitOk;
  }
  if (IsGroup(name)) {
    PrintGroupHelp(io.out, name);
    return kExitOk;
  }
  io.err << "error: unknown command '" << name
         << "'\nrun 'kmsctl help' for the list of commands\n";
  return kExitUsage;
}

int RunCommand(const Command& command, const std::vector<std::string>& args,
               const std::set<size_t>& command_positions, Io& io) {
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (command_positions.count(i) == 0) rest.push_back(args[i]);
  }
  // A command's own flag shadows a global one of the same name ("client add
  // --cert" names the new client's certificate).
  std::vector<FlagDef> defs = command.flags;
  for (const auto& global : GlobalFlags()) {
    bool shadowed = false;
    for (const auto& own : command.flags) shadowed |= own.name == global.name;
    if (!shadowed) defs.push_back(global);
  }
  auto usage = [&](const std::string& message) {
    io.err << "error: " << message << "\nrun 'kmsctl " << command.name
           << " --help' for usage\n";
    return kExitUsage;
  };
  auto flags = ParseFlags(rest, defs);
  if (!flags.ok()) return usage(flags.status().message());
  if (flags->Has("help")) {
    PrintCommandHelp(io.out, command);
    return kExitOk;
  }
  if (Status s = CheckRequired(*flags, command.flags); !s.ok()) {
    return usage(s.message());
  }
  size_t count = flags->positional().size();
  if (count < command.min_args || count > command.max_args) {
    if (count > command.max_args) {
      return usage("unexpected argument '" +
                   flags->positional()[command.max_args] + "'");
    }
    return usage("missing argument: kmsctl " + command.name + " " +
                 command.synopsis);
  }
  std::unique_ptr<Connection> server;
  if (command.needs_server) {
    auto settings = ResolveConnectionSettings(*flags, command.flags, io.env,
                                              command.default_timeout_seconds);
    if (!settings.ok()) return usage(settings.status().message());
    server = std::make_unique<Connection>(*settings);
  }
  CommandContext ctx(io, command, *flags, server.get());
  return command.run(ctx);
}

}  // namespace

const std::vector<FlagDef>& GlobalFlags() {
  static const std::vector<FlagDef> flags = {
      RepeatableFlag("url", "URL",
                     "kmsd base URL, https://HOST:PORT [KMS_URL]; with "
                     "several (comma-separated or repeated), GET and DELETE "
                     "fail over to the next, POSTs go to the first only"),
      OptionalFlag("ca", "FILE",
                   "CA certificate(s) that issued kmsd's certificate "
                   "[KMS_CA_FILE]"),
      OptionalFlag("cert", "FILE",
                   "admin client certificate (PEM) [KMS_ADMIN_CERT]"),
      OptionalFlag("key", "FILE", "its private key (PEM) [KMS_ADMIN_KEY]"),
      OptionalFlag("admin-cert", "FILE", "same as --cert"),
      OptionalFlag("admin-key", "FILE", "same as --key"),
      OptionalFlag("env-file", "FILE",
                   "read the settings above from KEY=value lines (kmsd dev "
                   "mode's DIR/env)"),
      OptionalFlag("timeout", "DURATION",
                   "per-request timeout (default 30s; 10m for backup and "
                   "restore)"),
      SwitchFlag("json", "print JSON (the server's reply) instead of text"),
      SwitchFlag("help", "show usage"),
  };
  return flags;
}

int RunKmsctl(const std::vector<std::string>& args, Io& io) {
  InstallWipingJsonAllocator();
  CommandWords found = FindCommandWords(args);
  if (!found.words.empty() && found.words[0] == "help") {
    return Help(io, {found.words.begin() + 1, found.words.end()});
  }
  if (found.words.empty()) {
    if (found.version) {
      io.out << "kmsctl " << KMS_VERSION << '\n';
      return kExitOk;
    }
    if (found.help) {
      PrintOverview(io.out);
      return kExitOk;
    }
    if (!args.empty()) {
      io.err << "error: unexpected '" << args[0] << "' before the command\n";
    }
    PrintOverview(io.err);
    return kExitUsage;
  }
  std::string name = Join(found.words, " ");
  if (const Command* command = FindCommand(name)) {
    return RunCommand(*command, args, found.positions, io);
  }
  if (IsGroup(name)) {
    if (found.help) {
      PrintGroupHelp(io.out, name);
      return kExitOk;
    }
    io.err << "error: 'kmsctl " << name << "' needs a subcommand\n";
    PrintGroupHelp(io.err, name);
    return kExitUsage;
  }
  io.err << "error: unknown command '" << name
         << "'\nrun 'kmsctl help' for the list of commands\n";
  return kExitUsage;
}

}  // namespace kms::kmsctl
