#include "module/ops/cipher_operation.h"

#include "common/encoding.h"
#include "module/include/kms/pkcs11_vendor.h"

namespace kms::p11 {

namespace {

// Plaintext per operation; fits kmsd's default http.max_data_bytes (8 MiB)
// once base64-encoded. Ciphertext may add a tag, an IV and a header.
constexpr size_t kMaxPlaintext = size_t{4} << 20;
constexpr size_t kMaxCiphertextOverhead = 64;

CkResult<std::unique_ptr<CipherOperation>> Start(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth, bool encrypt) {
  bool aes = false;
  switch (mechanism.mechanism) {
    case CKM_AES_GCM:
    case CKM_AES_CBC:
    case CKM_AES_CBC_PAD:
    case CKM_AES_CTR:
    case CKM_KMS_AES_GCM_ROTATING:
      aes = true;
      break;
    case CKM_RSA_PKCS:
    case CKM_RSA_PKCS_OAEP:
      break;
    default:
      return CkError(CKR_MECHANISM_INVALID);
  }
  CK_KEY_TYPE wanted = aes ? CKK_AES : CKK_RSA;
  if (CkKeyType(key->algorithm()) != wanted ||
      key->object_class() == CKO_DATA ||
      key->object_class() == CKO_CERTIFICATE) {
    return CkError(CKR_KEY_TYPE_INCONSISTENT);
  }
  if (!key->Bool(encrypt ? CKA_ENCRYPT : CKA_DECRYPT)) {
    return CkError(CKR_KEY_FUNCTION_NOT_PERMITTED);
  }
  if (!aes && !encrypt && key->object_class() != CKO_PRIVATE_KEY) {
    return CkError(CKR_KEY_TYPE_INCONSISTENT, "decrypt needs a private key");
  }
  CkResult<std::unique_ptr<CipherOperation>> op =
      mechanism.mechanism == CKM_KMS_AES_GCM_ROTATING
          ? StartRotatingGcm(mechanism, std::move(key), auth, encrypt)
      : aes ? StartAesCipher(mechanism, std::move(key), auth, encrypt)
            : StartRsaCipher(mechanism, std::move(key), auth, encrypt);
  if (op.ok()) {
    if (encrypt) {
      (*op)->LimitInput(kMaxPlaintext, CKR_DATA_LEN_RANGE);
    } else {
      (*op)->LimitInput(kMaxPlaintext + kMaxCiphertextOverhead,
                        CKR_ENCRYPTED_DATA_LEN_RANGE);
    }
  }
  return op;
}

}  // namespace

CkStatus CipherOperation::CheckRoomFor(size_t more) const {
  if (more > max_input_ - input_.size()) {
    return CkError(too_long_,
                   "input over " + std::to_string(max_input_) + " bytes");
  }
  return CkStatus::Ok();
}

CkStatus CipherOperation::Update(ByteView data) {
  CK_RETURN_IF_ERROR(CheckRoomFor(data.size()));
  input_.insert(input_.end(), data.begin(), data.end());
  return CkStatus::Ok();
}

CkResult<std::unique_ptr<CipherOperation>> StartEncrypt(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth) {
  return Start(mechanism, std::move(key), auth, true);
}

CkResult<std::unique_ptr<CipherOperation>> StartDecrypt(
    const CK_MECHANISM& mechanism, std::shared_ptr<const P11Object> key,
    RingAuth* auth) {
  return Start(mechanism, std::move(key), auth, false);
}

CkResult<Bytes> ReplyBytes(const Json& reply, const char* field) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(reply.get(), field);
  if (!cJSON_IsString(v)) {
    return CkError(CKR_DEVICE_ERROR, std::string("reply without ") + field);
  }
  auto bytes = Base64Decode(v->valuestring);
  if (!bytes.ok()) return CkError(CKR_DEVICE_ERROR, "malformed reply");
  return std::move(bytes).value();
}

}  // namespace kms::p11
