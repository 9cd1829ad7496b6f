// Who is on the other end of a TLS connection: the client certificate,
// checked against the client CA, reduced to a fingerprint and a name.
#ifndef KMS_SERVER_HTTP_PEER_CERTIFICATE_H_
#define KMS_SERVER_HTTP_PEER_CERTIFICATE_H_

#include <gnutls/gnutls.h>

#include "server/http/http_server.h"

namespace kms {

// verified is true only if the peer presented an X.509 certificate that
// chains to the trusted client CA, is valid now and may be used for TLS
// client authentication; the other fields are filled in only then.
ClientIdentity IdentifyPeer(gnutls_session_t session);

}  // namespace kms

#endif  // KMS_SERVER_HTTP_PEER_CERTIFICATE_H_
