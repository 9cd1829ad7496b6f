#include "server/auth/pin_hash.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <sstream>
#include <vector>

#include "common/encoding.h"
#include "common/openssl_raii.h"

namespace kms {
namespace {

constexpr uint64_t kR = 8;
constexpr uint64_t kP = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

Result<SecureBytes> Scrypt(const SecureString& pin, ByteView salt, int log2_n,
                           uint64_t r, uint64_t p) {
  EvpKdfPtr kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
  if (!kdf) return Error(ErrorCode::kInternal, "scrypt unavailable");
  EvpKdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
  uint64_t n = uint64_t{1} << log2_n;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                        const_cast<char*>(pin.data()),
                                        pin.size()),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_end()};
  SecureBytes out(kHashBytes);
  if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return Error(ErrorCode::kInternal, "scrypt failed: " + OpenSslErrorString());
  }
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

}  // namespace

Result<std::string> HashPin(const SecureString& pin, int log2_n) {
  uint8_t salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof(salt)) != 1) {
    return Error(ErrorCode::kInternal, "RNG failure");
  }
  KMS_ASSIGN_OR_RETURN(SecureBytes hash, Scrypt(pin, salt, log2_n, kR, kP));
  return "scrypt$" + std::to_string(log2_n) + "$" + std::to_string(kR) + "$" +
         std::to_string(kP) + "$" + Base64Encode(salt) + "$" +
         Base64Encode(View(hash));
}

Status CheckPin(const SecureString& pin, const std::string& stored_hash) {
  std::vector<std::string> parts = Split(stored_hash, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") {
    return Error(ErrorCode::kInternal, "stored PIN hash is malformed");
  }
  int log2_n = std::atoi(parts[1].c_str());
  uint64_t r = std::strtoull(parts[2].c_str(), nullptr, 10);
  uint64_t p = std::strtoull(parts[3].c_str(), nullptr, 10);
  auto salt = Base64Decode(parts[4]);
  auto expected = Base64Decode(parts[5]);
  if (log2_n < 1 || log2_n > 24 || r == 0 || p == 0 || !salt.ok() ||
      !expected.ok()) {
    return Error(ErrorCode::kInternal, "stored PIN hash is malformed");
  }
  KMS_ASSIGN_OR_RETURN(SecureBytes actual,
                       Scrypt(pin, View(*salt), log2_n, r, p));
  if (!ConstantTimeEquals(View(actual), View(*expected))) {
    return Error(ErrorCode::kPinIncorrect, "PIN incorrect");
  }
  return Status::Ok();
}

}  // namespace kms
