// The env file kmsd's dev mode writes (DIR/env): KEY=value lines, as a shell
// would source them, so values may be quoted.
#ifndef KMS_SERVER_KMSCTL_ENV_FILE_H_
#define KMS_SERVER_KMSCTL_ENV_FILE_H_

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kms::kmsctl {

using EnvMap = std::map<std::string, std::string, std::less<>>;

// Accepts blank lines, "# comments", an optional "export " prefix, and
// values made of bare words, 'single-quoted' (literal, so 'it'\''s' works)
// and "double-quoted" (with \" \\ \$ \` escapes) parts. No variable
// expansion: the file is data, not a script. kInvalidArgument names the
// offending line.
Result<EnvMap> ParseEnvFile(std::string_view text);

Result<EnvMap> LoadEnvFile(const std::string& path);

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_ENV_FILE_H_
