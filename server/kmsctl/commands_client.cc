// kmsctl client ...: who may talk to kmsd, what they may do on which key
// ring, and their PINs.
#include <cctype>

#include "common/file_util.h"
#include "server/dev/pki.h"
#include "server/kmsctl/commands.h"
#include "server/kmsctl/exit_codes.h"
#include "server/kmsctl/reply.h"
#include "server/kmsctl/table.h"
#include "server/kmsctl/terminal.h"

namespace kms::kmsctl {
namespace {

constexpr std::string_view kEnvNewPin = "KMS_NEW_PIN";

std::string ClientPath(CommandContext& ctx, std::string_view suffix = "") {
  return "/v1/clients/" + UrlEscape(ctx.arg(0)) + std::string(suffix);
}

// Accepts "AB:CD:..." as printed by `openssl x509 -fingerprint -sha256`.
Result<std::string> NormalizeFingerprint(std::string_view text) {
  std::string hex;
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Error(ErrorCode::kInvalidArgument,
                   "--fingerprint must be hex (SHA-256 of the DER "
                   "certificate)");
    }
    hex.push_back(
        static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (hex.size() != 64) {
    return Error(ErrorCode::kInvalidArgument,
                 "--fingerprint must be 64 hex digits (SHA-256)");
  }
  return hex;
}

int RunAdd(CommandContext& ctx) {
  const ParsedFlags& flags = ctx.flags();
  std::string role = *flags.Get("role");
  if (role != "admin" && role != "application") {
    return ctx.UsageError("--role must be admin or application");
  }
  if (flags.Has("cert") && flags.Has("fingerprint")) {
    return ctx.UsageError("give --cert or --fingerprint, not both");
  }
  if (!flags.Has("cert") && !flags.Has("fingerprint") &&
      !flags.Has("subject")) {
    return ctx.UsageError(
        "name the client's certificate: --cert FILE, --fingerprint HEX or "
        "--subject CN");
  }
  std::string fingerprint;
  if (auto file = flags.Get("cert")) {
    auto pem = ReadFile(*file);
    if (!pem.ok()) return ctx.UsageError(pem.status().message());
    auto computed = CertificateFingerprint(*pem);
    if (!computed.ok()) {
      return ctx.UsageError("'" + *file + "' is not a PEM certificate: " +
                            computed.status().message());
    }
    fingerprint = *computed;
  } else if (auto hex = flags.Get("fingerprint")) {
    auto normalized = NormalizeFingerprint(*hex);
    if (!normalized.ok()) return ctx.UsageError(normalized.status().message());
    fingerprint = *normalized;
  }
  Json body = Json::Object();
  body.Set("name", ctx.arg(0));
  body.Set("role", role);
  if (!fingerprint.empty()) body.Set("cert_fingerprint", fingerprint);
  if (auto subject = flags.Get("subject")) body.Set("cert_subject", *subject);
  auto reply = ctx.server().Post("/v1/clients", body);
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (ctx.json()) {
    ctx.PrintJson(*reply);
  } else {
    ctx.out() << "Added " << role << " client '" << ctx.arg(0) << "'";
    if (!fingerprint.empty())
      ctx.out() << " (fingerprint " << fingerprint << ")";
    ctx.out() << '\n';
  }
  return kExitOk;
}

std::string FormatGrants(const cJSON* client) {
  std::vector<std::string> grants;
  for (const cJSON* grant : GetArray(client, "grants")) {
    grants.push_back(GetString(grant, "key_ring") + ":" +
                     Join(GetStrings(grant, "permissions"), ","));
  }
  return Join(grants, " ");
}

int RunList(CommandContext& ctx) {
  auto reply = ctx.server().Get("/v1/clients");
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (ctx.json()) {
    ctx.PrintJson(*reply);
    return kExitOk;
  }
  Table table({"NAME", "ROLE", "FINGERPRINT", "SUBJECT", "CREATED", "GRANTS"});
  for (const cJSON* client : GetArray(reply->get(), "clients")) {
    table.AddRow({GetString(client, "name"), GetString(client, "role"),
                  GetString(client, "cert_fingerprint"),
                  GetString(client, "cert_subject"),
                  FormatTimestamp(GetInt(client, "created_at")),
                  FormatGrants(client)});
  }
  table.Print(ctx.out());
  return kExitOk;
}

int RunGrant(CommandContext& ctx) {
  std::vector<std::string> permissions = ctx.flags().GetList("permissions");
  if (permissions.empty()) {
    return ctx.UsageError(
        "--permissions is empty; use 'kmsctl client revoke' to remove a grant");
  }
  std::string ring = *ctx.flags().Get("key-ring");
  Json body = Json::Object();
  body.Set("key_ring", ring);
  body.SetStrings("permissions", permissions);
  auto reply = ctx.server().Post(ClientPath(ctx, "/grants"), body);
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (ctx.json()) {
    ctx.PrintJson(*reply);
  } else {
    std::vector<std::string> granted = GetStrings(reply->get(), "permissions");
    if (granted.empty()) granted = permissions;
    ctx.out() << "Client '" << ctx.arg(0) << "' now has " << Join(granted, ", ")
              << " on key ring '" << ring << "'\n";
  }
  return kExitOk;
}

int RunRevoke(CommandContext& ctx) {
  std::string ring = *ctx.flags().Get("key-ring");
  auto reply =
      ctx.server().Delete(ClientPath(ctx, "/grants/" + UrlEscape(ring)));
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (ctx.json()) {
    ctx.PrintJson(*reply);
  } else {
    ctx.out() << "Revoked every permission of client '" << ctx.arg(0)
              << "' on key ring '" << ring << "'\n";
  }
  return kExitOk;
}

// The PIN never comes from an argument: those show up in `ps` and shell
// history. Order: --pin-file, $KMS_NEW_PIN, a prompt on the terminal.
Result<SecureString> ReadNewPin(CommandContext& ctx) {
  if (auto file = ctx.flags().Get("pin-file")) {
    auto pin = ReadSecretFile(*file);
    if (!pin.ok())
      return Error(ErrorCode::kInvalidArgument, pin.status().message());
    if (!pin->empty() && pin->back() == '\n') pin->pop_back();
    if (!pin->empty() && pin->back() == '\r') pin->pop_back();
    return pin;
  }
  if (ctx.io().env) {
    if (auto pin = ctx.io().env(kEnvNewPin)) {
      SecureString out(pin->begin(), pin->end());
      SecureWipe(pin->data(), pin->size());
      return out;
    }
  }
  if (!ctx.io().stdin_is_tty) {
    return Error(ErrorCode::kInvalidArgument,
                 "no PIN: use --pin-file FILE, set " + std::string(kEnvNewPin) +
                     " or run on a terminal to be prompted");
  }
  KMS_ASSIGN_OR_RETURN(
      SecureString pin,
      ReadSecretFromTerminal("New PIN for client '" + ctx.arg(0) + "': "));
  KMS_ASSIGN_OR_RETURN(SecureString again,
                       ReadSecretFromTerminal("Repeat the PIN: "));
  if (!ConstantTimeEquals(View(std::string_view(pin.data(), pin.size())),
                          View(std::string_view(again.data(), again.size())))) {
    return Error(ErrorCode::kInvalidArgument, "the PINs differ");
  }
  return pin;
}

int RunSetPin(CommandContext& ctx) {
  auto pin = ReadNewPin(ctx);
  if (!pin.ok()) return ctx.UsageError(pin.status().message());
  if (pin->empty()) return ctx.UsageError("the PIN is empty");
  std::string ring = *ctx.flags().Get("key-ring");
  Json body = Json::Object();
  body.Set("key_ring", ring);
  body.Set("pin", std::string_view(pin->data(), pin->size()));
  auto reply = ctx.server().Post(ClientPath(ctx, "/pin"), body);
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (ctx.json()) {
    ctx.PrintJson(*reply);
  } else {
    ctx.out() << "Set the PIN of client '" << ctx.arg(0) << "' on key ring '"
              << ring << "'\n";
  }
  return kExitOk;
}

int RunUnlock(CommandContext& ctx) {
  std::string ring = *ctx.flags().Get("key-ring");
  Json body = Json::Object();
  body.Set("key_ring", ring);
  auto reply = ctx.server().Post(ClientPath(ctx, "/unlock"), body);
  if (!reply.ok()) return ctx.ServerError(reply.status());
  if (ctx.json()) {
    ctx.PrintJson(*reply);
  } else {
    ctx.out() << "Cleared failed PIN attempts of client '" << ctx.arg(0)
              << "' on key ring '" << ring << "'\n";
  }
  return kExitOk;
}

Command NamedClientCommand(std::string verb, std::string summary) {
  Command command;
  command.name = "client " + verb;
  command.synopsis = "NAME";
  command.min_args = 1;
  command.max_args = 1;
  command.summary = std::move(summary);
  return command;
}

FlagDef KeyRingFlag() {
  return RequiredFlag("key-ring", "RING", "the key ring");
}

}  // namespace

std::vector<Command> ClientCommands() {
  Command add = NamedClientCommand("add", "register a client");
  add.details =
      "The client is recognised by its TLS certificate: by SHA-256 "
      "fingerprint\n(--cert computes it from the PEM file, --fingerprint "
      "gives it directly)\nor else by subject CN (--subject).\n\n"
      "Here --cert names the new client's certificate, not the admin's: "
      "give the\nadmin's with --admin-cert/--admin-key, --env-file or "
      "KMS_ADMIN_CERT/KMS_ADMIN_KEY.";
  add.flags = {
      RequiredFlag("role", "ROLE", "admin or application"),
      OptionalFlag("cert", "FILE",
                   "the client's certificate (PEM); its fingerprint is sent"),
      OptionalFlag("fingerprint", "HEX",
                   "SHA-256 fingerprint of the client's certificate"),
      OptionalFlag("subject", "CN", "the certificate's subject CN"),
  };
  add.run = RunAdd;

  Command list;
  list.name = "client list";
  list.summary = "list clients with their grants";
  list.run = RunList;

  Command grant =
      NamedClientCommand("grant", "set a client's permissions on a key ring");
  grant.details =
      "Replaces the client's grant on the key ring. Permissions: use-sign, "
      "use-verify,\nuse-encrypt, use-decrypt, create, destroy, manage.";
  grant.flags = {KeyRingFlag(), RepeatableFlag("permissions", "LIST",
                                               "comma-separated permissions")};
  grant.flags[1].required = true;
  grant.run = RunGrant;

  Command revoke = NamedClientCommand(
      "revoke", "remove every permission of a client on a key ring");
  revoke.flags = {KeyRingFlag()};
  revoke.run = RunRevoke;

  Command set_pin =
      NamedClientCommand("set-pin", "set a client's PIN for a key ring");
  set_pin.details =
      "The PIN is read from --pin-file (one trailing newline is dropped), "
      "else from\nthe environment variable KMS_NEW_PIN, else typed twice at "
      "a prompt without\necho. It is never taken from the command line. "
      "Setting it clears failed attempts.";
  set_pin.flags = {KeyRingFlag(),
                   OptionalFlag("pin-file", "FILE", "read the PIN from FILE")};
  set_pin.run = RunSetPin;

  Command unlock = NamedClientCommand(
      "unlock", "clear a client's failed PIN attempts on a key ring");
  unlock.flags = {KeyRingFlag()};
  unlock.run = RunUnlock;

  return {add, list, grant, revoke, set_pin, unlock};
}

}  // namespace kms::kmsctl
