// Who is on the other end of a TLS connection: the client certificate,
// checked against the client CA, reduced to a fingerprint and a name.
#ifndef KMS_SERVER_HTTP_PEER_CERTIFICATE_H_
#define KMS_SERVER_HTTP_PEER_CERTIFICATE_H_

#include <gnutls/gnutls.h>

#include <cstdint>
#include <string>

#include "server/http/http_server.h"

namespace kms {

// verified is true only if the peer presented an X.509 certificate that
// chains to the trusted client CA, is valid now and may be used for TLS
// client authentication; the other fields are filled in only then.
ClientIdentity IdentifyPeer(gnutls_session_t session);

// What IdentifyPeer found on one connection. Verifying the chain costs more
// than a whole key operation, so a connection that shows the same
// certificate again within kPeerRecheckMillis reuses the result; a different
// certificate (renegotiation) is verified afresh. Used by one thread at a
// time, as MHD handles a connection's requests one after the other.
struct PeerCache {
  std::string der;  // the peer certificate the identity was found for
  ClientIdentity identity;
  int64_t checked_at_ms = 0;  // steady clock
};
inline constexpr int64_t kPeerRecheckMillis = 60'000;

ClientIdentity IdentifyPeer(gnutls_session_t session, PeerCache* cache);

}  // namespace kms

#endif  // KMS_SERVER_HTTP_PEER_CERTIFICATE_H_
