// Encryption and decryption operations. Input is accumulated (multi-part
// calls return no output before Final) and sent in one request at Final;
// AES modes run on kmsd, RSA encryption runs locally from the cached public
// key and RSA decryption on kmsd. Output lengths are known without a
// request (an upper bound where the standard allows one).
#ifndef KMS_MODULE_OPS_CIPHER_OPERATION_H_
#define KMS_MODULE_OPS_CIPHER_OPERATION_H_

#include <memory>

#include "common/secure_memory.h"
#include "module/base/ck_status.h"
#include "module/client/ring_auth.h"
#include "module/objects/object.h"

namespace kms::p11 {

class CipherOperation {
 public:
  virtual ~CipherOperation() = default;
  // The output length for `input_length` bytes of input (exact, or an
  // upper bound for decryption with padding).
  virtual CK_ULONG OutputLength(size_t input_length) const = 0;
  // Past the input limit (4 MiB of plaintext): CKR_DATA_LEN_RANGE, or
  // CKR_ENCRYPTED_DATA_LEN_RANGE when decrypting.
  CkStatus CheckRoomFor(size_t more) const;
  CkStatus Update(ByteView data);
  size_t buffered() const { return input_.size(); }
  void LimitInput(size_t max_bytes, CK_RV too_long) {
    max_input_ = max_bytes;
    too_long_ = too_long;
  }
  // Encrypts/decrypts what was accumulated (one request at most).
  virtual CkResult<Bytes> Final() = 0;

 protected:
  Bytes input_;
  size_t max_input_ = 0;
  CK_RV too_long_ = CKR_DATA_LEN_RANGE;
};

// Check mechanism, parameters (CKR_MECHANISM_PARAM_INVALID), key type and
// CKA_ENCRYPT / CKA_DECRYPT.
CkResult<std::unique_ptr<CipherOperation>> StartEncrypt(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth);
CkResult<std::unique_ptr<CipherOperation>> StartDecrypt(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth);

// Per family (aes_cipher.cc, rsa_cipher.cc).
CkResult<std::unique_ptr<CipherOperation>> StartAesCipher(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth, bool encrypt);
CkResult<std::unique_ptr<CipherOperation>> StartRsaCipher(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth, bool encrypt);

// CKM_KMS_AES_GCM_ROTATING (rotating_gcm.cc).
CkResult<std::unique_ptr<CipherOperation>> StartRotatingGcm(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth, bool encrypt);

// A cipher reply's base64 field (CKR_DEVICE_ERROR when missing).
CkResult<Bytes> ReplyBytes(const Json& reply, const char* field);

}  // namespace kms::p11

#endif  // KMS_MODULE_OPS_CIPHER_OPERATION_H_
