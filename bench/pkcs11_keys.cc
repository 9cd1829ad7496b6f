#include "bench/pkcs11_keys.h"

#include <vector>

#include "bench/pkcs11_library.h"
#include "bench/public_key.h"

namespace kms::bench {
namespace {

// DER OIDs for CKA_EC_PARAMS.
const CK_BYTE kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
                         0xce, 0x3d, 0x03, 0x01, 0x07};
const CK_BYTE kP384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
const CK_BYTE kEd25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;

CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE type, const void* value, size_t size) {
  return {type, const_cast<void*>(value), static_cast<CK_ULONG>(size)};
}

template <typename T>
CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE type, const T& value) {
  return Attr(type, &value, sizeof(T));
}

bool IsRsa(KeyType type) {
  return type == KeyType::kRsa2048 || type == KeyType::kRsa3072;
}

Result<CK_OBJECT_HANDLE> FindOne(Pkcs11Session& session, CK_OBJECT_CLASS klass,
                                 const std::string& label) {
  KMS_ASSIGN_OR_RETURN(
      std::vector<CK_OBJECT_HANDLE> found,
      session.Find(
          {Attr(CKA_CLASS, klass), Attr(CKA_LABEL, label.data(), label.size())},
          2));
  if (found.empty()) {
    return Error(ErrorCode::kNotFound, "no object labelled '" + label + "'");
  }
  if (found.size() > 1) {
    return Error(ErrorCode::kFailedPrecondition,
                 "several objects labelled '" + label + "'");
  }
  return found[0];
}

}  // namespace

Result<TokenKey> GenerateTokenKey(Pkcs11Session& session, KeyType type,
                                  const std::string& label) {
  TokenKey key;
  key.type = type;
  key.label = label;
  CK_FUNCTION_LIST* fn = session.fn();
  if (type == KeyType::kAes256) {
    CK_MECHANISM mechanism = {CKM_AES_KEY_GEN, nullptr, 0};
    CK_ULONG length = 32;
    std::vector<CK_ATTRIBUTE> attrs = {
        Attr(CKA_TOKEN, kTrue),
        Attr(CKA_PRIVATE, kTrue),
        Attr(CKA_SENSITIVE, kTrue),
        Attr(CKA_EXTRACTABLE, kFalse),
        Attr(CKA_ENCRYPT, kTrue),
        Attr(CKA_DECRYPT, kTrue),
        Attr(CKA_VALUE_LEN, length),
        Attr(CKA_LABEL, label.data(), label.size()),
    };
    KMS_RETURN_IF_ERROR(
        CkStatus("C_GenerateKey",
                 fn->C_GenerateKey(session.handle(), &mechanism, attrs.data(),
                                   static_cast<CK_ULONG>(attrs.size()),
                                   &key.private_or_secret)));
    return key;
  }

  std::vector<CK_ATTRIBUTE> pub = {Attr(CKA_TOKEN, kTrue),
                                   Attr(CKA_VERIFY, kTrue),
                                   Attr(CKA_LABEL, label.data(), label.size())};
  std::vector<CK_ATTRIBUTE> priv = {
      Attr(CKA_TOKEN, kTrue),     Attr(CKA_PRIVATE, kTrue),
      Attr(CKA_SENSITIVE, kTrue), Attr(CKA_EXTRACTABLE, kFalse),
      Attr(CKA_SIGN, kTrue),      Attr(CKA_LABEL, label.data(), label.size())};
  CK_MECHANISM mechanism = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_ULONG bits = type == KeyType::kRsa3072 ? 3072 : 2048;
  static const CK_BYTE kExponent[] = {0x01, 0x00, 0x01};
  switch (type) {
    case KeyType::kRsa2048:
    case KeyType::kRsa3072:
      mechanism.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
      pub.push_back(Attr(CKA_MODULUS_BITS, bits));
      pub.push_back(Attr(CKA_PUBLIC_EXPONENT, kExponent, sizeof(kExponent)));
      pub.push_back(Attr(CKA_ENCRYPT, kTrue));
      priv.push_back(Attr(CKA_DECRYPT, kTrue));
      break;
    case KeyType::kEcP256:
      pub.push_back(Attr(CKA_EC_PARAMS, kP256, sizeof(kP256)));
      break;
    case KeyType::kEcP384:
      pub.push_back(Attr(CKA_EC_PARAMS, kP384, sizeof(kP384)));
      break;
    case KeyType::kEd25519:
      mechanism.mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN;
      pub.push_back(Attr(CKA_EC_PARAMS, kEd25519, sizeof(kEd25519)));
      break;
    default:
      return Error(ErrorCode::kInvalidArgument, "no key type to generate");
  }
  KMS_RETURN_IF_ERROR(CkStatus(
      "C_GenerateKeyPair",
      fn->C_GenerateKeyPair(session.handle(), &mechanism, pub.data(),
                            static_cast<CK_ULONG>(pub.size()), priv.data(),
                            static_cast<CK_ULONG>(priv.size()), &key.public_key,
                            &key.private_or_secret)));
  return key;
}

Result<TokenKey> FindTokenKey(Pkcs11Session& session, KeyType type,
                              const std::string& label) {
  TokenKey key;
  key.type = type;
  key.label = label;
  if (type == KeyType::kAes256) {
    KMS_ASSIGN_OR_RETURN(key.private_or_secret,
                         FindOne(session, CKO_SECRET_KEY, label));
    return key;
  }
  KMS_ASSIGN_OR_RETURN(key.private_or_secret,
                       FindOne(session, CKO_PRIVATE_KEY, label));
  KMS_ASSIGN_OR_RETURN(key.public_key, FindOne(session, CKO_PUBLIC_KEY, label));
  return key;
}

void DestroyTokenKey(Pkcs11Session& session, const TokenKey& key) {
  if (key.private_or_secret != CK_INVALID_HANDLE) {
    (void)session.Destroy(key.private_or_secret);
  }
  if (key.public_key != CK_INVALID_HANDLE) {
    (void)session.Destroy(key.public_key);
  }
}

Result<EvpPkeyPtr> ReadPublicKey(Pkcs11Session& session, const TokenKey& key) {
  if (key.public_key == CK_INVALID_HANDLE) {
    return Error(ErrorCode::kInvalidArgument, "no public key object");
  }
  if (IsRsa(key.type)) {
    KMS_ASSIGN_OR_RETURN(Bytes modulus,
                         session.GetAttribute(key.public_key, CKA_MODULUS));
    KMS_ASSIGN_OR_RETURN(
        Bytes exponent,
        session.GetAttribute(key.public_key, CKA_PUBLIC_EXPONENT));
    return RsaPublicKey(modulus, exponent);
  }
  KMS_ASSIGN_OR_RETURN(Bytes point,
                       session.GetAttribute(key.public_key, CKA_EC_POINT));
  return EcPublicKey(key.type, point);
}

}  // namespace kms::bench
