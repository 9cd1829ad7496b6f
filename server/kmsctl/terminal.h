// Interaction with the operator's terminal: secrets typed without echo.
#ifndef KMS_SERVER_KMSCTL_TERMINAL_H_
#define KMS_SERVER_KMSCTL_TERMINAL_H_

#include <string>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms::kmsctl {

// Prints prompt on stderr and reads one line from the terminal on stdin with
// echo turned off (termios); echo is restored afterwards, also when the
// operator interrupts with Ctrl-C. The line ending is not included.
// kInvalidArgument when stdin is not a terminal or input ends first.
Result<SecureString> ReadSecretFromTerminal(const std::string& prompt);

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_TERMINAL_H_
