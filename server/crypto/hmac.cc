#include <openssl/core_names.h>
#include <openssl/params.h>

#include "common/openssl_raii.h"
#include "server/crypto/openssl_util.h"
#include "server/crypto/signature_internal.h"

namespace kms {

Result<Bytes> HmacSha256(ByteView key, ByteView message) {
  EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (mac == nullptr) return OpenSslFailure("HMAC fetch");
  EvpMacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  if (ctx == nullptr) return OpenSslFailure("HMAC context");
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
      (!message.empty() &&
       EVP_MAC_update(ctx.get(), message.data(), message.size()) != 1)) {
    return OpenSslFailure("HMAC");
  }
  Bytes tag(32);
  size_t tag_len = 0;
  if (EVP_MAC_final(ctx.get(), tag.data(), &tag_len, tag.size()) != 1 ||
      tag_len != tag.size()) {
    return OpenSslFailure("HMAC final");
  }
  return tag;
}

}  // namespace kms
