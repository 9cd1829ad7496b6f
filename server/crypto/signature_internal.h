// Per-family signature primitives behind Sign/Verify (signing.cc), which
// has already checked that the scheme fits the key.
#ifndef KMS_SERVER_CRYPTO_SIGNATURE_INTERNAL_H_
#define KMS_SERVER_CRYPTO_SIGNATURE_INTERNAL_H_

#include "common/secure_memory.h"
#include "common/status.h"
#include "server/crypto/key_material.h"
#include "server/crypto/operations.h"

namespace kms {

Result<Bytes> RsaSign(const KeyMaterial& key, const SignParams& params,
                      ByteView data);
Status RsaVerify(const KeyMaterial& key, const SignParams& params,
                 ByteView data, ByteView signature);

Result<Bytes> EcdsaSign(const KeyMaterial& key, const SignParams& params,
                        ByteView digest);
Status EcdsaVerify(const KeyMaterial& key, const SignParams& params,
                   ByteView digest, ByteView signature);

Result<Bytes> Ed25519Sign(const KeyMaterial& key, ByteView message);
Status Ed25519Verify(const KeyMaterial& key, ByteView message,
                     ByteView signature);

Result<Bytes> HmacSha256(ByteView key, ByteView message);

// The one answer for every failed verification, so that callers cannot
// tell which check failed.
Status BadSignature();

}  // namespace kms

#endif  // KMS_SERVER_CRYPTO_SIGNATURE_INTERNAL_H_
