#ifndef KMS_COMMON_FILE_UTIL_H_
#define KMS_COMMON_FILE_UTIL_H_

#include <string>
#include <string_view>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms {

// Writes data to path with the given mode, atomically and durably (temp
// file, fsync, rename, fsync of the directory).
Status WriteFileAtomic(const std::string& path, std::string_view data,
                       int mode);
// kNotFound when missing, kInvalidArgument when unreadable.
Result<std::string> ReadFile(const std::string& path);
Result<SecureString> ReadSecretFile(const std::string& path);
bool FileExists(const std::string& path);
// mkdir -p with the given mode for created directories.
Status MakeDirectories(const std::string& path, int mode);

}  // namespace kms

#endif  // KMS_COMMON_FILE_UTIL_H_
