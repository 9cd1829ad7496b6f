#include "module/ops/cipher_operation.h"

#include "common/encoding.h"
#include "module/include/kms/pkcs11_vendor.h"

namespace kms::p11 {

namespace {

constexpr size_t kMaxInput = 512 * 1024;  // kmsd's body limit with base64

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
  if (mechanism.mechanism == CKM_KMS_AES_GCM_ROTATING) {
    return StartRotatingGcm(mechanism, std::move(key), auth, encrypt);
  }
  return aes ? StartAesCipher(mechanism, std::move(key), auth, encrypt)
             : StartRsaCipher(mechanism, std::move(key), auth, encrypt);
}

}  // namespace

CkStatus CipherOperation::Update(ByteView data) {
  if (input_.size() + data.size() > kMaxInput) {
    return CkError(CKR_DATA_LEN_RANGE, "input over 512 KiB");
  }
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
