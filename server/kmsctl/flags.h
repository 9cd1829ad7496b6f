// Command-line flags: "--name value", "--name=value", boolean switches,
// repeatable flags and positional arguments, checked against a declared set.
#ifndef KMS_SERVER_KMSCTL_FLAGS_H_
#define KMS_SERVER_KMSCTL_FLAGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kms::kmsctl {

struct FlagDef {
  std::string name;        // without the leading "--"
  std::string value_name;  // e.g. "RING"; empty for a boolean switch
  std::string help;
  bool required = false;
  bool repeatable = false;

  bool is_switch() const { return value_name.empty(); }
};

FlagDef SwitchFlag(std::string name, std::string help);
FlagDef OptionalFlag(std::string name, std::string value_name,
                     std::string help);
FlagDef RequiredFlag(std::string name, std::string value_name,
                     std::string help);
FlagDef RepeatableFlag(std::string name, std::string value_name,
                       std::string help);

class ParsedFlags {
 public:
  bool Has(std::string_view name) const;
  // The value of a flag given once (or the last one of a repeatable flag).
  std::optional<std::string> Get(std::string_view name) const;
  std::string GetOr(std::string_view name, std::string fallback) const;
  // Every value of the flag, each split at commas, blanks trimmed and empty
  // items dropped: "--url a,b --url c" gives {a, b, c}.
  std::vector<std::string> GetList(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend Result<ParsedFlags> ParseFlags(const std::vector<std::string>&,
                                        const std::vector<FlagDef>&);
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positional_;
};

// Parses args against defs. Unknown flags, a missing value, a value given to
// a switch and a non-repeatable flag given twice are kInvalidArgument (a
// usage error). "--" ends the flags; "-h" is "--help". Required flags are not
// checked here (see CheckRequired) so that "--help" works on its own.
Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               const std::vector<FlagDef>& defs);

// kInvalidArgument naming the first required flag that is missing.
Status CheckRequired(const ParsedFlags& flags,
                     const std::vector<FlagDef>& defs);

// Splits at commas, trims blanks, drops empty items.
std::vector<std::string> SplitList(std::string_view text);

// A non-negative decimal integer without sign or suffix.
Result<int64_t> ParseCount(std::string_view flag, std::string_view text);

}  // namespace kms::kmsctl

#endif  // KMS_SERVER_KMSCTL_FLAGS_H_
