#include "server/http/peer_certificate.h"

#include <gnutls/x509.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/encoding.h"

namespace kms {
namespace {

struct X509CrtDeleter {
  void operator()(gnutls_x509_crt_int* crt) const {
    gnutls_x509_crt_deinit(crt);
  }
};
using GnutlsX509CrtPtr = std::unique_ptr<gnutls_x509_crt_int, X509CrtDeleter>;

// Checks the chain against the trust list libmicrohttpd installed from
// MHD_OPTION_HTTPS_MEM_TRUST, plus the clientAuth purpose, so that a server
// certificate from the same CA cannot pose as a client.
bool ChainVerifies(gnutls_session_t session) {
  gnutls_typed_vdata_st purpose{};
  purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
  purpose.data = reinterpret_cast<unsigned char*>(
      const_cast<char*>(GNUTLS_KP_TLS_WWW_CLIENT));
  unsigned int status = 0;
  int rc = gnutls_certificate_verify_peers(session, &purpose, 1, &status);
  return rc == GNUTLS_E_SUCCESS && status == 0;
}

bool Sha256Hex(const gnutls_datum_t& der, std::string* out) {
  unsigned char digest[32];
  size_t size = sizeof(digest);
  if (gnutls_fingerprint(GNUTLS_DIG_SHA256, &der, digest, &size) !=
          GNUTLS_E_SUCCESS ||
      size != sizeof(digest)) {
    return false;
  }
  *out = HexEncode(ByteView(digest, size));
  return true;
}

bool CommonName(const gnutls_datum_t& der, std::string* out) {
  gnutls_x509_crt_t raw = nullptr;
  if (gnutls_x509_crt_init(&raw) != GNUTLS_E_SUCCESS) return false;
  GnutlsX509CrtPtr crt(raw);
  if (gnutls_x509_crt_import(crt.get(), &der, GNUTLS_X509_FMT_DER) !=
      GNUTLS_E_SUCCESS) {
    return false;
  }
  char buffer[256];
  size_t size = sizeof(buffer);
  int rc = gnutls_x509_crt_get_dn_by_oid(crt.get(), GNUTLS_OID_X520_COMMON_NAME,
                                         0, 0, buffer, &size);
  if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
    out->clear();  // a certificate without a CN is still an identity
    return true;
  }
  if (rc != GNUTLS_E_SUCCESS) return false;
  out->assign(buffer, size);
  return true;
}

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ClientIdentity IdentifyPeer(gnutls_session_t session, PeerCache* cache) {
  if (session == nullptr || cache == nullptr) return IdentifyPeer(session);
  unsigned int count = 0;
  const gnutls_datum_t* chain = gnutls_certificate_get_peers(session, &count);
  if (chain == nullptr || count == 0) return ClientIdentity();
  std::string_view der(reinterpret_cast<const char*>(chain[0].data),
                       chain[0].size);
  int64_t now = SteadyMillis();
  if (cache->identity.verified && cache->der == der &&
      now - cache->checked_at_ms < kPeerRecheckMillis) {
    return cache->identity;
  }
  ClientIdentity identity = IdentifyPeer(session);
  if (identity.verified) {
    cache->der.assign(der);
    cache->identity = identity;
    cache->checked_at_ms = now;
  } else {
    *cache = PeerCache();
  }
  return identity;
}

ClientIdentity IdentifyPeer(gnutls_session_t session) {
  ClientIdentity identity;
  if (session == nullptr) return identity;
  if (gnutls_certificate_type_get(session) != GNUTLS_CRT_X509) {
    return identity;
  }
  unsigned int count = 0;
  const gnutls_datum_t* chain = gnutls_certificate_get_peers(session, &count);
  if (chain == nullptr || count == 0) return identity;
  if (!ChainVerifies(session)) return identity;
  ClientIdentity verified;
  if (!Sha256Hex(chain[0], &verified.fingerprint) ||
      !CommonName(chain[0], &verified.subject_cn)) {
    return identity;
  }
  verified.verified = true;
  return verified;
}

}  // namespace kms
