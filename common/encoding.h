// Base64 (RFC 4648, standard alphabet, padded) and lowercase hex.
#ifndef KMS_COMMON_ENCODING_H_
#define KMS_COMMON_ENCODING_H_

#include <string>
#include <string_view>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms {

std::string Base64Encode(ByteView data);
// Characters of the encoding of `size` bytes.
size_t Base64EncodedSize(size_t size);
// Writes the Base64EncodedSize(data.size()) characters and a NUL to `out`.
void Base64EncodeTo(ByteView data, char* out);
// Strict: rejects characters outside the alphabet, bad padding and
// non-canonical trailing bits. Error code kInvalidBase64.
Result<Bytes> Base64Decode(std::string_view text);
Result<SecureBytes> Base64DecodeSecure(std::string_view text);

std::string HexEncode(ByteView data);
Result<Bytes> HexDecode(std::string_view text);

}  // namespace kms

#endif  // KMS_COMMON_ENCODING_H_
