#include "server/http/request_headers.h"

#include <cstring>
#include <limits>

#include "common/api_client.h"

namespace kms {
namespace {

bool IsRequestIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

}  // namespace

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!IsRequestIdChar(c)) return false;
  }
  return true;
}

std::string RequestIdFrom(const char* header) {
  if (header != nullptr && IsSaneRequestId(header)) return header;
  return NewRequestId();
}

SecureString BearerTokenFrom(const char* header) {
  if (header == nullptr) return SecureString();
  std::string_view value(header);
  // The scheme name is case-insensitive (RFC 7235 section 2.1).
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size()) return SecureString();
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (Lower(value[i]) != kScheme[i]) return SecureString();
  }
  if (value[kScheme.size()] != ' ') return SecureString();
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return SecureString(value.data(), value.size());
}

std::optional<uint64_t> ContentLengthFrom(const char* header) {
  if (header == nullptr) return std::nullopt;
  uint64_t value = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (const char* p = header; *p != '\0'; ++p) {
    if (*p == ' ' || *p == '\t') continue;
    if (*p < '0' || *p > '9') return kMax;  // MHD rejects these earlier
    uint64_t digit = static_cast<uint64_t>(*p - '0');
    if (value > (kMax - digit) / 10) return kMax;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace kms
