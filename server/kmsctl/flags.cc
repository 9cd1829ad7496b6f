#include "server/kmsctl/flags.h"

#include <charconv>

namespace kms::kmsctl {
namespace {

Status UsageError(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

const FlagDef* FindDef(const std::vector<FlagDef>& defs,
                       std::string_view name) {
  for (const auto& def : defs) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

FlagDef SwitchFlag(std::string name, std::string help) {
  FlagDef def;
  def.name = std::move(name);
  def.help = std::move(help);
  return def;
}

FlagDef OptionalFlag(std::string name, std::string value_name,
                     std::string help) {
  FlagDef def = SwitchFlag(std::move(name), std::move(help));
  def.value_name = std::move(value_name);
  return def;
}

FlagDef RequiredFlag(std::string name, std::string value_name,
                     std::string help) {
  FlagDef def =
      OptionalFlag(std::move(name), std::move(value_name), std::move(help));
  def.required = true;
  return def;
}

FlagDef RepeatableFlag(std::string name, std::string value_name,
                       std::string help) {
  FlagDef def =
      OptionalFlag(std::move(name), std::move(value_name), std::move(help));
  def.repeatable = true;
  return def;
}

bool ParsedFlags::Has(std::string_view name) const {
  return values_.find(name) != values_.end();
}

std::optional<std::string> ParsedFlags::Get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedFlags::GetOr(std::string_view name,
                               std::string fallback) const {
  auto value = Get(name);
  return value ? *value : std::move(fallback);
}

std::vector<std::string> ParsedFlags::GetList(std::string_view name) const {
  std::vector<std::string> out;
  auto it = values_.find(name);
  if (it == values_.end()) return out;
  for (const auto& value : it->second) {
    for (auto& item : SplitList(value)) out.push_back(std::move(item));
  }
  return out;
}

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               const std::vector<FlagDef>& defs) {
  ParsedFlags parsed;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    // A lone "-" conventionally means stdin; treat it as a value.
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      parsed.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    std::string name;
    std::optional<std::string> inline_value;
    if (arg == "-h") {
      name = "help";
    } else if (arg.rfind("--", 0) == 0) {
      std::string_view body = std::string_view(arg).substr(2);
      size_t eq = body.find('=');
      name = std::string(body.substr(0, eq));
      if (eq != std::string_view::npos) {
        inline_value = std::string(body.substr(eq + 1));
      }
    } else {
      return UsageError("unknown flag '" + arg + "'");
    }
    const FlagDef* def = FindDef(defs, name);
    if (def == nullptr) return UsageError("unknown flag '--" + name + "'");
    std::string value = "true";
    if (def->is_switch()) {
      if (inline_value) {
        return UsageError("flag '--" + name + "' takes no value");
      }
    } else if (inline_value) {
      value = *inline_value;
    } else {
      if (i + 1 >= args.size()) {
        return UsageError("flag '--" + name + "' needs a value (" +
                          def->value_name + ")");
      }
      value = args[++i];
    }
    auto& slot = parsed.values_[name];
    if (!slot.empty() && !def->repeatable && !def->is_switch()) {
      return UsageError("flag '--" + name + "' given more than once");
    }
    slot.push_back(std::move(value));
  }
  return parsed;
}

Status CheckRequired(const ParsedFlags& flags,
                     const std::vector<FlagDef>& defs) {
  for (const auto& def : defs) {
    if (def.required && !flags.Has(def.name)) {
      return UsageError("missing required flag '--" + def.name + " " +
                        def.value_name + "'");
    }
  }
  return Status::Ok();
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Result<int64_t> ParseCount(std::string_view flag, std::string_view text) {
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text[0] == '-' || text[0] == '+' || ec != std::errc() ||
      end != text.data() + text.size()) {
    return UsageError("'--" + std::string(flag) + "' needs a number, not '" +
                      std::string(text) + "'");
  }
  return value;
}

}  // namespace kms::kmsctl
