// The private and secret operations kmsd performs, over KeyMaterial.
// Inputs come from clients: every function validates sizes and parameters
// and returns kInvalidArgument / kDigestLengthInvalid / kDataInvalid /
// kDecryptFailed rather than passing bad input to OpenSSL unchecked.
#ifndef KMS_SERVER_CRYPTO_OPERATIONS_H_
#define KMS_SERVER_CRYPTO_OPERATIONS_H_

#include <optional>
#include <string_view>

#include "common/secure_memory.h"
#include "common/status.h"
#include "server/crypto/key_material.h"

namespace kms {

enum class HashAlgorithm { kSha1, kSha224, kSha256, kSha384, kSha512 };
// "SHA1", "SHA224", "SHA256", "SHA384", "SHA512".
Result<HashAlgorithm> ParseHash(std::string_view name);
std::string_view HashName(HashAlgorithm hash);
size_t HashSize(HashAlgorithm hash);

// ---- Signatures ----
enum class SignScheme {
  kRsaPkcs1,  // digest is hashed data; a DigestInfo is built for `hash`.
              // With hash unset, `data` is a complete DigestInfo (or any
              // raw block up to k-11 bytes, as CKM_RSA_PKCS does).
  kRsaPss,    // digest of `hash`; MGF1 with mgf1_hash; salt_length bytes.
  kEcdsa,     // digest of any length (truncated per FIPS 186-4); the
              // result is raw r||s, each left-padded to the field size.
  kEd25519,   // pure EdDSA over the whole message.
  kHmac,      // HMAC-SHA256 over the message.
};
// "RSA_PKCS1", "RSA_PSS", "ECDSA", "ED25519", "HMAC".
Result<SignScheme> ParseSignScheme(std::string_view name);

struct SignParams {
  SignScheme scheme = SignScheme::kRsaPkcs1;
  std::optional<HashAlgorithm> hash;        // RSA PKCS#1 / PSS
  std::optional<HashAlgorithm> mgf1_hash;   // PSS; defaults to hash
  std::optional<int> salt_length;           // PSS; defaults to hash size
};

// Checks that the scheme fits the key (RSA schemes for RSA keys, ...), then
// signs `data` (a digest or a message, as the scheme says).
Result<Bytes> Sign(const KeyMaterial& key, const SignParams& params,
                   ByteView data);
// Verifies on the server (used for HMAC; asymmetric verification normally
// runs in the module). Ok for a good signature, kSignatureInvalid otherwise.
Status Verify(const KeyMaterial& key, const SignParams& params, ByteView data,
              ByteView signature);

// ---- Asymmetric decryption (RSA) ----
enum class RsaPadding { kOaep, kPkcs1 };
struct RsaDecryptParams {
  RsaPadding padding = RsaPadding::kOaep;
  HashAlgorithm oaep_hash = HashAlgorithm::kSha256;
  HashAlgorithm mgf1_hash = HashAlgorithm::kSha256;
  Bytes label;
};
// kDecryptFailed on bad padding (one message for every padding failure).
Result<SecureBytes> RsaDecrypt(const KeyMaterial& key,
                               const RsaDecryptParams& params,
                               ByteView ciphertext);
// Public-key encryption; the module normally does this locally.
Result<Bytes> RsaEncrypt(const KeyMaterial& key, const RsaDecryptParams& params,
                         ByteView plaintext);

// ---- Symmetric ciphers (AES) ----
enum class CipherMode { kGcm, kCbcPad, kCbc, kCtr };
// "GCM", "CBC_PAD", "CBC", "CTR".
Result<CipherMode> ParseCipherMode(std::string_view name);

struct CipherParams {
  CipherMode mode = CipherMode::kGcm;
  Bytes iv;          // GCM: 1..128 bytes (12 recommended); empty on encrypt =
                     // generate 12 random bytes. CBC/CTR: exactly 16.
  Bytes aad;         // GCM only
  int tag_bits = 128;  // GCM: 96..128 in steps of 8 (plus 32 and 64 per SP
                       // 800-38D are refused as too weak)
};
struct CipherOutput {
  Bytes ciphertext;  // without the tag
  Bytes iv;          // the IV actually used
  Bytes tag;         // GCM only
};
Result<CipherOutput> SymmetricEncrypt(const KeyMaterial& key,
                                      const CipherParams& params,
                                      ByteView plaintext);
// For GCM `tag` is required; kDecryptFailed when it does not verify.
Result<SecureBytes> SymmetricDecrypt(const KeyMaterial& key,
                                     const CipherParams& params,
                                     ByteView ciphertext, ByteView tag);

// ---- Key wrapping (envelope encryption) ----
enum class WrapMechanism { kAesKeyWrap, kAesKeyWrapPad, kRsaOaep };
// "AES_KEY_WRAP" (RFC 3394), "AES_KEY_WRAP_PAD" (RFC 5649), "RSA_OAEP".
Result<WrapMechanism> ParseWrapMechanism(std::string_view name);
struct WrapParams {
  WrapMechanism mechanism = WrapMechanism::kAesKeyWrapPad;
  HashAlgorithm oaep_hash = HashAlgorithm::kSha256;  // RSA_OAEP
  HashAlgorithm mgf1_hash = HashAlgorithm::kSha256;
  Bytes label;
};
// Wraps the serialised form of `target` (raw bytes for symmetric keys,
// PKCS#8 DER for private keys) under `wrapping_key`.
Result<Bytes> WrapKey(const KeyMaterial& wrapping_key, const WrapParams& params,
                      const KeyMaterial& target);
// Unwraps and deserialises as `target_algorithm`.
Result<KeyMaterial> UnwrapKey(const KeyMaterial& unwrapping_key,
                              const WrapParams& params, ByteView wrapped,
                              Algorithm target_algorithm);

}  // namespace kms

#endif  // KMS_SERVER_CRYPTO_OPERATIONS_H_
