#include "server/http/tls_material.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <limits>
#include <memory>

namespace kms {
namespace {

struct CredentialsDeleter {
  void operator()(gnutls_certificate_credentials_st* credentials) const {
    gnutls_certificate_free_credentials(credentials);
  }
};
using CredentialsPtr =
    std::unique_ptr<gnutls_certificate_credentials_st, CredentialsDeleter>;

// GnuTLS only reads through the datum; the cast is for its C signature.
gnutls_datum_t Datum(const char* data, size_t size) {
  gnutls_datum_t datum;
  datum.data = reinterpret_cast<unsigned char*>(const_cast<char*>(data));
  datum.size = static_cast<unsigned int>(size);
  return datum;
}

}  // namespace

Status CheckTlsMaterial(const std::string& cert_pem,
                        const SecureString& key_pem,
                        const std::string& client_ca_pem) {
  constexpr size_t kMax = std::numeric_limits<unsigned int>::max();
  if (cert_pem.size() > kMax || key_pem.size() > kMax ||
      client_ca_pem.size() > kMax) {
    return Error(ErrorCode::kInvalidArgument, "TLS PEM input too large");
  }
  gnutls_certificate_credentials_t raw = nullptr;
  if (gnutls_certificate_allocate_credentials(&raw) != GNUTLS_E_SUCCESS) {
    return Error(ErrorCode::kInternal, "cannot allocate TLS credentials");
  }
  CredentialsPtr credentials(raw);
  gnutls_datum_t cert = Datum(cert_pem.data(), cert_pem.size());
  gnutls_datum_t key = Datum(key_pem.data(), key_pem.size());
  int rc = gnutls_certificate_set_x509_key_mem(credentials.get(), &cert, &key,
                                               GNUTLS_X509_FMT_PEM);
  if (rc < 0) {
    // gnutls_strerror names the problem without quoting the input.
    return Error(ErrorCode::kInvalidArgument,
                 std::string("server certificate or key unusable: ") +
                     gnutls_strerror(rc));
  }
  gnutls_datum_t ca = Datum(client_ca_pem.data(), client_ca_pem.size());
  rc = gnutls_certificate_set_x509_trust_mem(credentials.get(), &ca,
                                             GNUTLS_X509_FMT_PEM);
  if (rc <= 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "client CA holds no usable certificate");
  }
  return Status::Ok();
}

}  // namespace kms
