#include <array>
#include <string>

#include "server/crypto/operations.h"
#include "server/crypto/signature_internal.h"

namespace kms {
namespace {

struct SchemeInfo {
  SignScheme scheme;
  std::string_view name;
};

constexpr std::array kSchemes = {
    SchemeInfo{SignScheme::kRsaPkcs1, "RSA_PKCS1"},
    SchemeInfo{SignScheme::kRsaPss, "RSA_PSS"},
    SchemeInfo{SignScheme::kEcdsa, "ECDSA"},
    SchemeInfo{SignScheme::kEd25519, "ED25519"},
    SchemeInfo{SignScheme::kHmac, "HMAC"},
};

std::string_view SchemeName(SignScheme scheme) {
  for (const SchemeInfo& info : kSchemes) {
    if (info.scheme == scheme) return info.name;
  }
  return "?";
}

bool SchemeFitsKey(SignScheme scheme, Algorithm algorithm) {
  switch (scheme) {
    case SignScheme::kRsaPkcs1:
    case SignScheme::kRsaPss:
      return IsRsa(algorithm);
    case SignScheme::kEcdsa:
      return IsEc(algorithm);
    case SignScheme::kEd25519:
      return algorithm == Algorithm::kEd25519;
    case SignScheme::kHmac:
      return algorithm == Algorithm::kHmacSha256;
  }
  return false;
}

Status CheckParams(const KeyMaterial& key, const SignParams& params) {
  if (!SchemeFitsKey(params.scheme, key.algorithm())) {
    return Error(ErrorCode::kUsageNotAllowed,
                 std::string(SchemeName(params.scheme)) +
                     " signatures need another key type than " +
                     std::string(AlgorithmName(key.algorithm())));
  }
  if (params.scheme != SignScheme::kRsaPss &&
      (params.mgf1_hash.has_value() || params.salt_length.has_value())) {
    return Error(ErrorCode::kInvalidArgument,
                 "mgf1_hash and salt_length apply to RSA_PSS only");
  }
  if (params.scheme == SignScheme::kEd25519 && params.hash.has_value()) {
    return Error(ErrorCode::kInvalidArgument,
                 "ED25519 signs the message itself and takes no hash");
  }
  if (params.scheme == SignScheme::kHmac && params.hash.has_value() &&
      *params.hash != HashAlgorithm::kSha256) {
    return Error(ErrorCode::kInvalidArgument, "HMAC keys are HMAC-SHA256");
  }
  return Status::Ok();
}

}  // namespace

Result<SignScheme> ParseSignScheme(std::string_view name) {
  for (const SchemeInfo& info : kSchemes) {
    if (info.name == name) return info.scheme;
  }
  return Error(ErrorCode::kUnsupportedAlgorithm,
               "unknown signature scheme \"" + std::string(name) + "\"");
}

Status BadSignature() {
  return Error(ErrorCode::kSignatureInvalid, "signature does not verify");
}

Result<Bytes> Sign(const KeyMaterial& key, const SignParams& params,
                   ByteView data) {
  KMS_RETURN_IF_ERROR(CheckParams(key, params));
  switch (params.scheme) {
    case SignScheme::kRsaPkcs1:
    case SignScheme::kRsaPss:
      return RsaSign(key, params, data);
    case SignScheme::kEcdsa:
      return EcdsaSign(key, params, data);
    case SignScheme::kEd25519:
      return Ed25519Sign(key, data);
    case SignScheme::kHmac:
      return HmacSha256(View(key.secret()), data);
  }
  return Error(ErrorCode::kInternal, "unhandled signature scheme");
}

Status Verify(const KeyMaterial& key, const SignParams& params, ByteView data,
              ByteView signature) {
  KMS_RETURN_IF_ERROR(CheckParams(key, params));
  switch (params.scheme) {
    case SignScheme::kRsaPkcs1:
    case SignScheme::kRsaPss:
      return RsaVerify(key, params, data, signature);
    case SignScheme::kEcdsa:
      return EcdsaVerify(key, params, data, signature);
    case SignScheme::kEd25519:
      return Ed25519Verify(key, data, signature);
    case SignScheme::kHmac: {
      KMS_ASSIGN_OR_RETURN(Bytes expected,
                           HmacSha256(View(key.secret()), data));
      // Constant time so that a forger learns nothing from response timing.
      if (!ConstantTimeEquals(View(expected), signature)) return BadSignature();
      return Status::Ok();
    }
  }
  return Error(ErrorCode::kInternal, "unhandled signature scheme");
}

}  // namespace kms
