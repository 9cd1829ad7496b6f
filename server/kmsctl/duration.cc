#include "server/kmsctl/duration.h"

#include <charconv>
#include <limits>

namespace kms::kmsctl {
namespace {

struct Unit {
  char suffix;
  int64_t seconds;
};

// Largest first, so that FormatDuration picks the coarsest exact unit.
constexpr Unit kUnits[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

}  // namespace

Result<int64_t> ParseDuration(std::string_view text) {
  auto invalid = [&] {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid duration '" + std::string(text) +
                     "' (use seconds or a number with s, m, h or d)");
  };
  std::string_view digits = text;
  int64_t multiplier = 1;
  if (!digits.empty() && (digits.back() < '0' || digits.back() > '9')) {
    bool known = false;
    for (const auto& unit : kUnits) {
      if (digits.back() == unit.suffix) {
        multiplier = unit.seconds;
        known = true;
      }
    }
    if (!known) return invalid();
    digits.remove_suffix(1);
  }
  if (digits.empty() || digits[0] < '0' || digits[0] > '9') return invalid();
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return invalid();
  }
  if (value > std::numeric_limits<int64_t>::max() / multiplier) {
    return Error(ErrorCode::kInvalidArgument,
                 "duration '" + std::string(text) + "' is too large");
  }
  return value * multiplier;
}

std::string FormatDuration(int64_t seconds) {
  if (seconds <= 0) return "0s";
  for (const auto& unit : kUnits) {
    if (seconds % unit.seconds == 0) {
      return std::to_string(seconds / unit.seconds) + unit.suffix;
    }
  }
  return std::to_string(seconds) + "s";
}

}  // namespace kms::kmsctl
