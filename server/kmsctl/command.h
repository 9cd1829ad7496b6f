// One kmsctl command: its declaration (name, flags, help) and the context its
// handler runs in (output streams, parsed flags, the server connection, and
// the mapping from failures to exit codes).
#ifndef KMS_SERVER_KMSCTL_COMMAND_H_
#define KMS_SERVER_KMSCTL_COMMAND_H_

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "server/kmsctl/connection.h"
#include "server/kmsctl/flags.h"

namespace kms::kmsctl {

// The process's streams and environment, injectable so that tests can run
// whole commands in-process.
struct Io {
  std::ostream& out;
  std::ostream& err;
  std::istream& in;
  bool stdin_is_tty = false;
  bool stderr_is_tty = false;
  EnvLookup env;
};

class CommandContext;

struct Command {
  std::string name;      // the words that select it: "key create"
  std::string synopsis;  // positional arguments for the usage line: "KEY_ID"
  size_t min_args = 0;
  size_t max_args = 0;
  std::string summary;  // one line, for "kmsctl help"
  std::string details;  // paragraphs for "kmsctl CMD --help"
  std::vector<FlagDef> flags;
  bool needs_server = true;
  // Backup and restore move a whole store: allow them longer.
  int64_t default_timeout_seconds = 30;
  int (*run)(CommandContext& ctx) = nullptr;
};

class CommandContext {
 public:
  CommandContext(Io& io, const Command& command, const ParsedFlags& flags,
                 Connection* server);

  std::ostream& out() { return io_.out; }
  std::ostream& err() { return io_.err; }
  Io& io() { return io_; }
  const ParsedFlags& flags() const { return flags_; }
  const Command& command() const { return command_; }
  // The i-th positional argument (the command's arity is checked first).
  const std::string& arg(size_t i) const { return flags_.positional().at(i); }
  bool json() const { return flags_.Has("json"); }
  // Only for commands with needs_server.
  Connection& server() { return *server_; }

  // A failed call to kmsd: prints "error: CODE: message (request id ID)" and
  // returns kExitUnavailable for UNAVAILABLE, else kExitError.
  int ServerError(const Status& status);
  // A local failure (a file, a backup's contents): "error: CODE: message",
  // kExitError.
  int LocalError(const Status& status);
  // "error: message" and a pointer to --help; kExitUsage.
  int UsageError(std::string_view message);

  // The server's JSON, compact on one line, for --json.
  void PrintJson(const Json& json);

 private:
  Io& io_;
  const Command& command_;
  const ParsedFlags& flags_;
  Connection* server_;
};

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_COMMAND_H_
