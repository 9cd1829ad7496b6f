// kmsctl pki init: an offline bootstrap of the files kmsd and kmsctl need
// for mutual TLS, using the dev PKI.
#include <arpa/inet.h>
#include <unistd.h>

#include "common/file_util.h"
#include "server/dev/pki.h"
#include "server/kmsctl/commands.h"
#include "server/kmsctl/exit_codes.h"
#include "server/kmsctl/reply.h"

namespace kms::kmsctl {
namespace {

constexpr int kPublicMode = 0644;
constexpr int kSecretMode = 0600;
constexpr int kDirMode = 0700;

struct PkiFile {
  std::string name;
  std::string_view contents;
  int mode;
};

bool IsIpAddress(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

// Writes every file or, on failure, removes the ones already written so that
// a retry does not trip over a half-made PKI.
Status WriteAll(const std::string& dir, const std::vector<PkiFile>& files) {
  std::vector<std::string> written;
  for (const auto& file : files) {
    std::string path = dir + "/" + file.name;
    Status s = WriteFileAtomic(path, file.contents, file.mode);
    if (!s.ok()) {
      for (const auto& done : written) ::unlink(done.c_str());
      return s;
    }
    written.push_back(path);
  }
  return Status::Ok();
}

int RunPkiInit(CommandContext& ctx) {
  std::string dir = *ctx.flags().Get("dir");
  std::string server_name = ctx.flags().GetOr("server-name", "localhost");
  std::string admin_name = ctx.flags().GetOr("admin-name", "admin");
  if (dir.empty() || server_name.empty() || admin_name.empty()) {
    return ctx.UsageError(
        "--dir, --server-name and --admin-name must not be "
        "empty");
  }
  const std::vector<std::string> names = {"ca.pem",     "ca-key.pem",
                                          "server.pem", "server-key.pem",
                                          "admin.pem",  "admin-key.pem"};
  for (const auto& name : names) {
    if (FileExists(dir + "/" + name)) {
      ctx.err() << "error: " << dir << "/" << name
                << " already exists; pki init never overwrites (remove the "
                   "old PKI or pick another --dir)\n";
      return kExitError;
    }
  }
  // The server must answer as localhost and 127.0.0.1 whatever else it is
  // called, so that local clients and health checks keep working.
  std::vector<std::string> dns;
  std::vector<std::string> ips = {"127.0.0.1"};
  (IsIpAddress(server_name) ? ips : dns).push_back(server_name);
  if (server_name != "localhost") dns.push_back("localhost");
  if (server_name == "127.0.0.1") ips.pop_back();

  auto ca = DevCa::Create("kms dev CA");
  if (!ca.ok()) return ctx.LocalError(ca.status());
  auto server = ca->IssueServer(server_name, dns, ips);
  if (!server.ok()) return ctx.LocalError(server.status());
  auto admin = ca->IssueClient(admin_name);
  if (!admin.ok()) return ctx.LocalError(admin.status());

  if (!FileExists(dir)) {
    if (Status s = MakeDirectories(dir, kDirMode); !s.ok()) {
      return ctx.LocalError(s);
    }
  }
  auto view = [](const SecureString& s) {
    return std::string_view(s.data(), s.size());
  };
  std::vector<PkiFile> files = {
      {names[0], ca->cert_pem(), kPublicMode},
      {names[1], view(ca->key_pem()), kSecretMode},
      {names[2], server->cert_pem, kPublicMode},
      {names[3], view(server->key_pem), kSecretMode},
      {names[4], admin->cert_pem, kPublicMode},
      {names[5], view(admin->key_pem), kSecretMode},
  };
  if (Status s = WriteAll(dir, files); !s.ok()) return ctx.LocalError(s);

  if (ctx.json()) {
    Json out = Json::Object();
    out.Set("dir", dir);
    out.SetStrings("files", names);
    out.Set("server_name", server_name);
    out.Set("server_fingerprint", server->fingerprint);
    out.Set("admin_name", admin_name);
    out.Set("admin_fingerprint", admin->fingerprint);
    ctx.PrintJson(out);
    return kExitOk;
  }
  ctx.out() << "Wrote " << dir << "/{ca,server,admin}.pem and their keys "
            << "(*-key.pem, mode 0600).\n"
            << "Server certificate: CN=" << server_name << ", SAN "
            << Join(dns, ", ") << (dns.empty() ? "" : ", ") << Join(ips, ", ")
            << '\n'
            << "Admin client '" << admin_name
            << "' certificate fingerprint (SHA-256):\n  " << admin->fingerprint
            << '\n';
  return kExitOk;
}

}  // namespace

std::vector<Command> PkiCommands() {
  Command init;
  init.name = "pki init";
  init.summary = "create a CA, a server and an admin certificate (offline)";
  init.details =
      "Writes DIR/ca.pem, ca-key.pem, server.pem, server-key.pem, admin.pem "
      "and\nadmin-key.pem (keys mode 0600) with a fresh EC P-256 CA. The "
      "server certificate\nnames --server-name, localhost and 127.0.0.1. "
      "Refuses to overwrite any existing\nfile. Prints the admin "
      "certificate's fingerprint, which kmsd needs to know\nthe admin client. "
      "For development and tests: a production CA belongs elsewhere.";
  init.flags = {
      RequiredFlag("dir", "DIR", "directory for the files (created 0700)"),
      OptionalFlag("server-name", "NAME",
                   "server certificate's CN and DNS name (default localhost)"),
      OptionalFlag("admin-name", "NAME",
                   "admin client certificate's CN (default admin)"),
  };
  init.needs_server = false;
  init.run = RunPkiInit;
  return {init};
}

}  // namespace kms::kmsctl
