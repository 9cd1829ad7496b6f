#include "common/encoding.h"

#include <openssl/evp.h>

namespace kms {
namespace {

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Decodes into out (sized by the caller); returns the decoded length or -1.
Status CheckBase64Shape(std::string_view text, size_t* decoded_len) {
  if (text.size() % 4 != 0) {
    return Error(ErrorCode::kInvalidBase64,
                 "base64 length must be a multiple of 4");
  }
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size()) {
        return Error(ErrorCode::kInvalidBase64, "misplaced base64 padding");
      }
      ++padding;
    } else if (padding > 0 || !IsBase64Char(c)) {
      return Error(ErrorCode::kInvalidBase64, "invalid base64 character");
    }
  }
  *decoded_len = text.size() / 4 * 3 - padding;
  return Status::Ok();
}

template <typename Buffer>
Result<Buffer> DecodeInto(std::string_view text) {
  size_t decoded_len = 0;
  KMS_RETURN_IF_ERROR(CheckBase64Shape(text, &decoded_len));
  Buffer out(text.size() / 4 * 3 + 1);
  if (!text.empty()) {
    int n = EVP_DecodeBlock(out.data(),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) return Error(ErrorCode::kInvalidBase64, "invalid base64");
  }
  out.resize(decoded_len);
  // Canonical form only: re-encoding must give back the same text, so that
  // one value has one spelling (trailing bits must be zero).
  if (Base64Encode({out.data(), out.size()}) != text) {
    SecureWipe(out.data(), out.size());
    return Error(ErrorCode::kInvalidBase64, "non-canonical base64");
  }
  return out;
}

}  // namespace

std::string Base64Encode(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          data.data(), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  return DecodeInto<Bytes>(text);
}

Result<SecureBytes> Base64DecodeSecure(std::string_view text) {
  return DecodeInto<SecureBytes>(text);
}

std::string HexEncode(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return Error(ErrorCode::kInvalidArgument, "hex length must be even");
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]);
    int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return Error(ErrorCode::kInvalidArgument, "invalid hex character");
    }
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

}  // namespace kms
