// The on-disk format of the file root of trust: "KMSROOT" || version(1) ||
// root key(32) || audit key(32). Two independent random keys, so that the
// audit trail's integrity never depends on the sealing key and vice versa.
#ifndef KMS_SERVER_ROOT_OF_TRUST_ROOT_KEY_FILE_H_
#define KMS_SERVER_ROOT_OF_TRUST_ROOT_KEY_FILE_H_

#include <string>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms::rot_internal {

struct RootKeys {
  SecureBytes root_key;
  SecureBytes audit_key;
};

// kNotFound when missing; kFailedPrecondition when group/other may access
// it or it is not a regular file; kInvalidArgument for a wrong size/format.
Result<RootKeys> ReadRootKeyFile(const std::string& path);
// Creates the file with fresh keys, mode 0600, durably, never replacing an
// existing file (kAlreadyExists).
Status CreateRootKeyFile(const std::string& path);

}  // namespace kms::rot_internal

#endif  // KMS_SERVER_ROOT_OF_TRUST_ROOT_KEY_FILE_H_
