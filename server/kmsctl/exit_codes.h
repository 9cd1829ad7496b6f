// kmsctl's exit codes: part of its interface, since scripts branch on them.
#ifndef KMS_SERVER_KMSCTL_EXIT_CODES_H_
#define KMS_SERVER_KMSCTL_EXIT_CODES_H_

namespace kms::kmsctl {

enum ExitCode : int {
  kExitOk = 0,
  // The server refused or failed the operation, or a local step (writing a
  // file, reading a backup) failed.
  kExitError = 1,
  // The command line was wrong; nothing was sent to the server.
  kExitUsage = 2,
  // No server could be reached, TLS failed, or the server said UNAVAILABLE:
  // retrying later may help.
  kExitUnavailable = 3,
  // The audit trail did not verify: it was edited, truncated or reordered.
  kExitAuditFailed = 4,
};

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_EXIT_CODES_H_
