// The private and secret operations kmsd performs, over KeyMaterial.
// Inputs come from clients: every function validates sizes and parameters
// and returns kInvalidArgument / kDigestLengthInvalid / kDataInvalid /
// kDecryptFailed rather than passing bad input to OpenSSL unchecked.
//
// Error codes, common to every function below:
//   kUsageNotAllowed     the operation or scheme does not fit the key type
//                        (ECDSA with an RSA key, AES-GCM with an HMAC key);
//                        docs/api.md: "the key's usages or type do not allow
//                        the operation". Usage bits are the caller's check.
//   kInvalidArgument     a parameter is out of range or does not apply
//                        (IV length, tag_bits, PSS salt length, a label for
//                        AES key wrap, PSS parameters for another scheme).
//   kDigestLengthInvalid a digest whose length does not fit its hash.
//   kDataInvalid         input of the wrong length or form (CBC data not a
//                        multiple of 16, RSA ciphertext not k bytes,
//                        plaintext too long for RSA, AES_KEY_WRAP input not
//                        whole semiblocks).
//   kDecryptFailed       ciphertext, tag, padding or wrap integrity does not
//                        verify (one message, whatever the cause).
//   kSignatureInvalid    Verify only: the signature or MAC does not verify.
//   kUnsupportedAlgorithm  Parse*: unknown name.
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
              // raw block up to k-11 bytes, as CKM_RSA_PKCS does;
              // longer is kDataInvalid).
  kRsaPss,    // digest of `hash`; MGF1 with mgf1_hash; salt_length bytes.
  kEcdsa,     // digest of 1..64 bytes (truncated per FIPS 186-4; when
              // `hash` is set the length must match it); the result is
              // raw r||s, each left-padded to the field size.
  kEd25519,   // pure EdDSA over the whole message.
  kHmac,      // HMAC-SHA256 over the message.
};
// "RSA_PKCS1", "RSA_PSS", "ECDSA", "ED25519", "HMAC".
Result<SignScheme> ParseSignScheme(std::string_view name);

struct SignParams {
  SignScheme scheme = SignScheme::kRsaPkcs1;
  std::optional<HashAlgorithm> hash;       // RSA PKCS#1 / PSS
  std::optional<HashAlgorithm> mgf1_hash;  // PSS; defaults to hash
  std::optional<int> salt_length;          // PSS; defaults to hash size
};

// Checks that the scheme fits the key (RSA schemes for RSA keys, ...), then
// signs `data` (a digest or a message, as the scheme says).
Result<Bytes> Sign(const KeyMaterial& key, const SignParams& params,
                   ByteView data);
// Verifies on the server (used for HMAC; asymmetric verification normally
// runs in the module). Ok for a good signature, kSignatureInvalid otherwise
// (including a signature of the wrong length); parameter errors are
// reported as for Sign.
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
// kDecryptFailed on bad padding (one message for every padding failure);
// kDataInvalid when the ciphertext is not exactly the modulus size.
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
  Bytes iv;            // GCM: 1..128 bytes (12 recommended); empty on encrypt =
                       // generate 12 random bytes. CBC/CTR: exactly 16; empty
                       // on encrypt = generate 16 random bytes.
  Bytes aad;           // GCM only
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
// For GCM `tag` is required; kDecryptFailed when it does not verify or is
// missing or not tag_bits/8 bytes long. CBC_PAD: kDecryptFailed on bad
// padding. CBC/CBC_PAD ciphertext not a multiple of 16: kDataInvalid.
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
// AES_KEY_WRAP needs whole semiblocks (at least 16 bytes): an EC or
// Ed25519 PKCS#8 needs AES_KEY_WRAP_PAD. RSA_OAEP is bounded by the OAEP
// plaintext limit (kDataInvalid beyond it).
// Unwraps and deserialises as `target_algorithm` (kDataInvalid when the
// unwrapped material does not match it, as KeyMaterial::Deserialize).
Result<KeyMaterial> UnwrapKey(const KeyMaterial& unwrapping_key,
                              const WrapParams& params, ByteView wrapped,
                              Algorithm target_algorithm);

// The same wrapping over raw bytes (WrapKey == WrapSecret of
// target.Serialize()), for secrets that are not KeyMaterial and for
// known-answer tests. Unwrap: kDataInvalid for an impossible length,
// kDecryptFailed when the integrity check fails.
Result<Bytes> WrapSecret(const KeyMaterial& wrapping_key,
                         const WrapParams& params, ByteView secret);
Result<SecureBytes> UnwrapSecret(const KeyMaterial& unwrapping_key,
                                 const WrapParams& params, ByteView wrapped);

}  // namespace kms

#endif  // KMS_SERVER_CRYPTO_OPERATIONS_H_
