#include "common/encoding.h"

#include <openssl/evp.h>

#include <cstdint>
#include <string_view>

namespace kms {
namespace {

// The 6-bit value of a base64 character.
uint8_t Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<uint8_t>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<uint8_t>(c - 'a' + 26);
  if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0' + 52);
  return c == '+' ? 62 : 63;
}

// Branch-free so that the compiler vectorises it: data requests carry
// megabytes of base64.
bool AllBase64Chars(std::string_view text) {
  uint8_t bad = 0;
  for (char ch : text) {
    const auto c = static_cast<uint8_t>(ch);
    const uint8_t letter = static_cast<uint8_t>((c | 0x20) - 'a') < 26;
    const uint8_t digit = static_cast<uint8_t>(c - '0') < 10;
    bad |= (letter | digit | (c == '+') | (c == '/')) ^ 1;
  }
  return bad == 0;
}

// Accepts canonical base64 only, so that one value has one spelling:
// padding only as the last one or two characters, and the bits the padding
// leaves over in the last character zero ("Zm9=" is refused, "Zm8=" not).
Status CheckBase64Shape(std::string_view text, size_t* decoded_len) {
  if (text.size() % 4 != 0) {
    return Error(ErrorCode::kInvalidBase64,
                 "base64 length must be a multiple of 4");
  }
  size_t padding = 0;
  while (padding < 2 && padding < text.size() &&
         text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  const std::string_view data = text.substr(0, text.size() - padding);
  if (!AllBase64Chars(data)) {
    return data.find('=') != std::string_view::npos
               ? Error(ErrorCode::kInvalidBase64, "misplaced base64 padding")
               : Error(ErrorCode::kInvalidBase64, "invalid base64 character");
  }
  if (padding > 0) {
    const uint8_t unused_bits_mask = padding == 1 ? 0x03 : 0x0f;
    if ((Base64Value(data.back()) & unused_bits_mask) != 0) {
      return Error(ErrorCode::kInvalidBase64, "non-canonical base64");
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
  return out;
}

}  // namespace

size_t Base64EncodedSize(size_t size) { return 4 * ((size + 2) / 3); }

void Base64EncodeTo(ByteView data, char* out) {
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out), data.data(),
                  static_cast<int>(data.size()));
}

std::string Base64Encode(ByteView data) {
  std::string out(Base64EncodedSize(data.size()) + 1, '\0');
  Base64EncodeTo(data, out.data());
  out.pop_back();
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
