#include "server/kmsctl/env_file.h"

#include "common/file_util.h"

namespace kms::kmsctl {
namespace {

bool IsNameChar(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (!first && c >= '0' && c <= '9');
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Reads the value part of one line; fails on an unterminated quote.
Result<std::string> ParseValue(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\'') {
      size_t close = s.find('\'', i + 1);
      if (close == std::string_view::npos) {
        return Error(ErrorCode::kInvalidArgument, "unterminated ' quote");
      }
      out.append(s.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char d = s[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < s.size() &&
            std::string_view("\"\\$`").find(s[i + 1]) !=
                std::string_view::npos) {
          out.push_back(s[i + 1]);
          i += 2;
          continue;
        }
        out.push_back(d);
        ++i;
      }
      if (!closed) {
        return Error(ErrorCode::kInvalidArgument, "unterminated \" quote");
      }
    } else if (c == '\\' && i + 1 < s.size()) {
      out.push_back(s[i + 1]);
      i += 2;
    } else if (IsBlank(c)) {
      // Unquoted blanks end the value; only a comment may follow.
      size_t rest = i;
      while (rest < s.size() && IsBlank(s[rest])) ++rest;
      if (rest < s.size() && s[rest] != '#') {
        return Error(ErrorCode::kInvalidArgument,
                     "unquoted blank inside a value");
      }
      break;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

}  // namespace

Result<EnvMap> ParseEnvFile(std::string_view text) {
  EnvMap out;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size()
                                                         : newline + 1);
    while (!line.empty() && IsBlank(line.front())) line.remove_prefix(1);
    while (!line.empty() && IsBlank(line.back())) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.rfind("export ", 0) == 0) {
      line.remove_prefix(7);
      while (!line.empty() && IsBlank(line.front())) line.remove_prefix(1);
    }
    auto fail = [&](const std::string& why) {
      return Error(ErrorCode::kInvalidArgument,
                   "line " + std::to_string(line_number) + ": " + why);
    };
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return fail("expected KEY=value");
    }
    std::string_view name = line.substr(0, eq);
    for (size_t i = 0; i < name.size(); ++i) {
      if (!IsNameChar(name[i], i == 0)) {
        return fail("invalid variable name");
      }
    }
    auto value = ParseValue(line.substr(eq + 1));
    if (!value.ok()) return fail(value.status().message());
    out[std::string(name)] = std::move(value).value();
  }
  return out;
}

Result<EnvMap> LoadEnvFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) {
    return Error(ErrorCode::kInvalidArgument, text.status().message());
  }
  auto parsed = ParseEnvFile(*text);
  if (!parsed.ok()) {
    return Error(ErrorCode::kInvalidArgument,
                 "env file '" + path + "', " + parsed.status().message());
  }
  return parsed;
}

}  // namespace kms::kmsctl
