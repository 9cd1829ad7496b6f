// C_GenerateRandom (kmsd's root of trust RNG) and C_SeedRandom.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

KMS_EXPORT CK_RV C_SeedRandom(CK_SESSION_HANDLE handle, CK_BYTE_PTR seed,
                              CK_ULONG seed_len) {
  return WithSession("C_SeedRandom", handle,
                     [&](Library&, Session&) -> CkStatus {
                       if (seed == nullptr && seed_len > 0) {
                         return CkError(CKR_ARGUMENTS_BAD);
                       }
                       return CkError(CKR_RANDOM_SEED_NOT_SUPPORTED);
                     });
}

KMS_EXPORT CK_RV C_GenerateRandom(CK_SESSION_HANDLE handle, CK_BYTE_PTR out,
                                  CK_ULONG out_len) {
  return WithSession("C_GenerateRandom", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (out == nullptr && out_len > 0)
                         return CkError(CKR_ARGUMENTS_BAD);
                       return session.token().GenerateRandom(out, out_len);
                     });
}
