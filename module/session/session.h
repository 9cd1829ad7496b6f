// One PKCS#11 session: its flags and its active operations (find, digest,
// sign, verify). Calls on one session are serialised by its mutex; a
// failed call other than a length query or CKR_BUFFER_TOO_SMALL ends the
// operation it belongs to.
#ifndef KMS_MODULE_SESSION_SESSION_H_
#define KMS_MODULE_SESSION_SESSION_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "module/base/ck_status.h"
#include "module/objects/attribute_template.h"
#include "module/objects/key_store.h"
#include "module/ops/cipher_operation.h"
#include "module/ops/digest_operation.h"
#include "module/ops/sign_operation.h"
#include "module/provider/token.h"
#include "module/session/output_buffer.h"

namespace kms::p11 {

class Session {
 public:
  Session(CK_SESSION_HANDLE handle, Token* token, CK_FLAGS flags)
      : handle_(handle), token_(token), flags_(flags) {}
  // The session's certificates, data objects and public keys
  // (CKA_TOKEN=FALSE) end with it.
  ~Session();

  CK_SESSION_HANDLE handle() const { return handle_; }
  Token& token() const { return *token_; }
  bool read_write() const { return (flags_ & CKF_RW_SESSION) != 0; }
  std::mutex& mutex() { return mu_; }
  void FillInfo(CK_SESSION_INFO* info) const;
  // ulDeviceError: the code of the last failed request to kmsd made by a
  // call on this session, cleared by the next one that got an answer.
  void set_device_error(CK_ULONG code) { device_error_ = code; }

  // Objects visible to this session (private objects only after login).
  CkResult<std::shared_ptr<const P11Object>> GetObject(CK_OBJECT_HANDLE h);

  CkStatus FindInit(const AttributeList& criteria);
  CkStatus FindNext(CK_OBJECT_HANDLE* out, CK_ULONG max, CK_ULONG* count);
  CkStatus FindFinal();

  CkStatus DigestInit(const CK_MECHANISM& mechanism);
  CkStatus Digest(ByteView data, const OutputBuffer& out);
  CkStatus DigestUpdate(ByteView data);
  CkStatus DigestFinal(const OutputBuffer& out);

  CkStatus SignInit(const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key);
  CkStatus Sign(ByteView data, const OutputBuffer& out);
  CkStatus SignUpdate(ByteView data);
  CkStatus SignFinal(const OutputBuffer& out);

  CkStatus VerifyInit(const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key);
  CkStatus Verify(ByteView data, ByteView signature);
  CkStatus VerifyUpdate(ByteView data);
  CkStatus VerifyFinal(ByteView signature);

  // Encryption and decryption (session_cipher.cc). Multi-part calls
  // accumulate: C_*Update returns no output, C_*Final all of it.
  CkStatus CipherInit(bool encrypt, const CK_MECHANISM& mechanism,
                      CK_OBJECT_HANDLE key);
  CkStatus CipherSingle(bool encrypt, ByteView data, const OutputBuffer& out);
  CkStatus CipherUpdate(bool encrypt, ByteView data, const OutputBuffer& out);
  CkStatus CipherFinal(bool encrypt, const OutputBuffer& out);

  // Ends every operation (logout, close).
  void CancelOperations();
  // Ends one operation: a call that fails on its arguments still ends the
  // active operation, as the standard says of C_Sign, C_Verify, C_Digest,
  // C_Encrypt and C_Decrypt and their multi-part calls.
  enum class Operation { kDigest, kSign, kVerify, kEncrypt, kDecrypt };
  CkStatus EndWith(Operation operation, CkStatus status);

  // Key generation and object life cycle (session_objects.cc). Need a
  // logged-in R/W session; session keys (CKA_TOKEN=FALSE) are remembered
  // and destroyed on the server by DestroySessionObjects().
  CkStatus GenerateKeyPair(const CK_MECHANISM& mechanism,
                           const AttributeList& public_template,
                           const AttributeList& private_template,
                           CK_OBJECT_HANDLE* public_key,
                           CK_OBJECT_HANDLE* private_key);
  CkStatus GenerateKey(const CK_MECHANISM& mechanism,
                       const AttributeList& templ, CK_OBJECT_HANDLE* key);
  CkStatus DestroyObject(CK_OBJECT_HANDLE object);
  // C_CreateObject: stored objects, session objects, key import.
  CkStatus CreateObject(const AttributeList& templ, CK_OBJECT_HANDLE* object);
  // C_SetAttributeValue: CKA_LABEL and CKA_ID only.
  CkStatus SetAttributes(CK_OBJECT_HANDLE object, const AttributeList& templ);
  // C_WrapKey / C_UnwrapKey (session_wrap.cc): need a login; an unwrapped
  // key is a token key or a session key as C_GenerateKey makes them.
  CkStatus WrapKey(const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE wrapping,
                   CK_OBJECT_HANDLE key, const OutputBuffer& out);
  CkStatus UnwrapKey(const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE unwrapping,
                     ByteView wrapped, const AttributeList& templ,
                     CK_OBJECT_HANDLE* key);
  // Best effort (session close, logout, C_Finalize); never throws.
  void DestroySessionObjects() noexcept;

 private:
  // Puts a key just made on the server into the object cache, and for a
  // session key (token FALSE) remembers it for DestroySessionObjects().
  // Returns the objects' handles, in order.
  std::vector<CK_OBJECT_HANDLE> AdoptNewKey(
      const std::vector<std::shared_ptr<P11Object>>& objects, bool token);

  template <typename Op>
  struct Active {
    std::unique_ptr<Op> op;
    bool multipart = false;
    explicit operator bool() const { return op != nullptr; }
    void Reset() {
      op.reset();
      multipart = false;
    }
  };
  struct FindState {
    bool active = false;
    std::vector<CK_OBJECT_HANDLE> handles;
    size_t next = 0;
  };

  const CK_SESSION_HANDLE handle_;
  Token* const token_;
  const CK_FLAGS flags_;
  std::mutex mu_;
  FindState find_;
  Active<DigestOperation> digest_;
  Active<SignOperation> sign_;
  Active<VerifyOperation> verify_;
  Active<CipherOperation> encrypt_;
  Active<CipherOperation> decrypt_;
  std::atomic<CK_ULONG> device_error_{0};
  std::mutex session_keys_mu_;  // not mu_: logout reaches other sessions
  std::vector<std::string> session_keys_;
  // Handles of this session's local objects and whether each is private
  // (those end at logout too). Under session_keys_mu_.
  std::vector<std::pair<CK_OBJECT_HANDLE, bool>> local_objects_;
};

}  // namespace kms::p11

#endif  // KMS_MODULE_SESSION_SESSION_H_
