// Checks the server's PEM inputs before libmicrohttpd sees them, because
// MHD_start_daemon reports a bad key, a mismatched pair or an unusable CA
// only as "could not start".
#ifndef KMS_SERVER_HTTP_TLS_MATERIAL_H_
#define KMS_SERVER_HTTP_TLS_MATERIAL_H_

#include <string>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms {

// kInvalidArgument if the certificate or key does not parse, they do not
// belong together, or the client CA text holds no certificate.
Status CheckTlsMaterial(const std::string& cert_pem,
                        const SecureString& key_pem,
                        const std::string& client_ca_pem);

}  // namespace kms

#endif  // KMS_SERVER_HTTP_TLS_MATERIAL_H_
