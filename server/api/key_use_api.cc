#include <charconv>

#include "server/api/handlers.h"
#include "server/crypto/operations.h"
#include "server/keys/key_service.h"

namespace kms {
namespace {

SignScheme DefaultScheme(Algorithm algorithm) {
  if (IsRsa(algorithm)) return SignScheme::kRsaPkcs1;
  if (IsEc(algorithm)) return SignScheme::kEcdsa;
  if (algorithm == Algorithm::kEd25519) return SignScheme::kEd25519;
  return SignScheme::kHmac;
}

std::optional<int> OptionalVersion(JsonReader& body) {
  auto v = body.OptionalInt("version");
  if (!v) return std::nullopt;
  if (*v < 1 || *v > 1000000) {
    body.Fail(ErrorCode::kInvalidArgument, "version must be positive");
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

Result<std::optional<HashAlgorithm>> OptionalHash(
    const std::optional<std::string>& name) {
  if (!name) return std::optional<HashAlgorithm>();
  KMS_ASSIGN_OR_RETURN(HashAlgorithm hash, ParseHash(*name));
  return std::optional<HashAlgorithm>(hash);
}

struct SignRequest {
  std::optional<int> version;
  std::optional<std::string> scheme, hash, mgf1_hash;
  std::optional<int64_t> salt_length;
  Bytes data;
};

Result<SignRequest> ReadSignRequest(RequestScope& scope, bool with_signature,
                                    Bytes* signature) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  SignRequest r;
  r.version = OptionalVersion(*body);
  r.scheme = body->OptionalString("scheme");
  r.hash = body->OptionalString("hash");
  r.mgf1_hash = body->OptionalString("mgf1_hash");
  r.salt_length = body->OptionalInt("salt_length");
  r.data = body->Base64("data");
  if (with_signature) *signature = body->Base64("signature");
  KMS_RETURN_IF_ERROR(body->Finish());
  return r;
}

Result<SignParams> ToSignParams(const SignRequest& r, Algorithm algorithm) {
  SignParams params;
  if (r.scheme) {
    KMS_ASSIGN_OR_RETURN(params.scheme, ParseSignScheme(*r.scheme));
  } else {
    params.scheme = DefaultScheme(algorithm);
  }
  KMS_ASSIGN_OR_RETURN(params.hash, OptionalHash(r.hash));
  KMS_ASSIGN_OR_RETURN(params.mgf1_hash, OptionalHash(r.mgf1_hash));
  if (r.salt_length) {
    if (*r.salt_length < 0 || *r.salt_length > 1024) {
      return Error(ErrorCode::kInvalidArgument,
                   "salt_length must be between 0 and 1024");
    }
    params.salt_length = static_cast<int>(*r.salt_length);
  }
  return params;
}

struct CipherRequest {
  std::optional<int> version;
  std::string mode;
  Bytes input;  // plaintext or ciphertext
  Bytes iv, aad, tag, label;
  int64_t tag_bits = 128;
  std::optional<std::string> hash, mgf1_hash;
};

Result<CipherRequest> ReadCipherRequest(RequestScope& scope,
                                        const char* input_field,
                                        bool decrypt) {
  KMS_ASSIGN_OR_RETURN(JsonReader * body, scope.Body());
  CipherRequest r;
  r.version = OptionalVersion(*body);
  r.mode = body->OptionalString("mode").value_or("");
  r.input = body->Base64(input_field);
  r.iv = body->OptionalBase64("iv").value_or(Bytes());
  r.aad = body->OptionalBase64("aad").value_or(Bytes());
  if (decrypt) r.tag = body->OptionalBase64("tag").value_or(Bytes());
  r.tag_bits = body->Int("tag_bits", 128);
  r.hash = body->OptionalString("hash");
  r.mgf1_hash = body->OptionalString("mgf1_hash");
  r.label = body->OptionalBase64("label").value_or(Bytes());
  KMS_RETURN_IF_ERROR(body->Finish());
  return r;
}

Result<RsaDecryptParams> ToRsaParams(const CipherRequest& r) {
  RsaDecryptParams params;
  if (r.mode == "RSA_PKCS1") {
    params.padding = RsaPadding::kPkcs1;
    return params;
  }
  if (r.mode != "RSA_OAEP" && !r.mode.empty()) {
    if (ParseCipherMode(r.mode).ok()) {
      return Error(ErrorCode::kUsageNotAllowed,
                   r.mode + " needs an AES key, not an RSA key");
    }
    return Error(ErrorCode::kUnsupportedAlgorithm,
                 "mode for RSA keys must be RSA_OAEP or RSA_PKCS1");
  }
  params.padding = RsaPadding::kOaep;
  if (r.hash) {
    KMS_ASSIGN_OR_RETURN(params.oaep_hash, ParseHash(*r.hash));
  }
  params.mgf1_hash = params.oaep_hash;
  if (r.mgf1_hash) {
    KMS_ASSIGN_OR_RETURN(params.mgf1_hash, ParseHash(*r.mgf1_hash));
  }
  params.label = r.label;
  return params;
}

Result<CipherParams> ToCipherParams(const CipherRequest& r) {
  if (r.mode == "RSA_OAEP" || r.mode == "RSA_PKCS1") {
    return Error(ErrorCode::kUsageNotAllowed,
                 r.mode + " needs an RSA key, not an AES key");
  }
  CipherParams params;
  KMS_ASSIGN_OR_RETURN(params.mode,
                       ParseCipherMode(r.mode.empty() ? "GCM" : r.mode));
  params.iv = r.iv;
  params.aad = r.aad;
  params.tag_bits = static_cast<int>(r.tag_bits);
  if (params.mode != CipherMode::kGcm && !r.aad.empty()) {
    return Error(ErrorCode::kInvalidArgument, "aad is only for GCM");
  }
  return params;
}

void NoteVersion(RequestScope& scope, const UsableKey& key) {
  scope.audit().version = key.version.version;
}

}  // namespace

Result<Json> HandlePublicKey(RequestScope& scope) {
  ServerContext& ctx = scope.context();
  KMS_ASSIGN_OR_RETURN(KeyRecord key,
                       ctx.store->GetKey(scope.param(0), scope.param(1)));
  int version = key.primary_version;
  if (auto text = scope.Query("version")) {
    auto [end, ec] =
        std::from_chars(text->data(), text->data() + text->size(), version);
    if (ec != std::errc() || end != text->data() + text->size() ||
        version < 1) {
      return Error(ErrorCode::kInvalidArgument,
                   "version must be a positive integer");
    }
  }
  KMS_ASSIGN_OR_RETURN(KeyVersionRecord record,
                       ctx.store->GetVersion(key.key_ring, key.id, version));
  // docs/api.md: a public key exists while the version is not destroyed.
  if (record.state == VersionState::kDestroyed) {
    return Error(ErrorCode::kVersionDestroyed,
                 "version " + std::to_string(version) + " of key '" + key.id +
                     "' is destroyed");
  }
  if (record.public_key_der.empty()) {
    return Error(ErrorCode::kUsageNotAllowed,
                 key.algorithm + " keys have no public key");
  }
  Json j = Json::Object();
  j.Set("version", version);
  j.Set("algorithm", key.algorithm);
  j.SetBase64("public_key", View(record.public_key_der));
  return j;
}

Result<Json> HandleSign(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(SignRequest r, ReadSignRequest(scope, false, nullptr));
  KMS_ASSIGN_OR_RETURN(UsableKey key, scope.context().keys->LoadForUse(
                                          scope.param(0), scope.param(1),
                                          r.version, kUsageSign));
  NoteVersion(scope, key);
  KMS_ASSIGN_OR_RETURN(SignParams params,
                       ToSignParams(r, key.material->algorithm()));
  KMS_ASSIGN_OR_RETURN(Bytes signature,
                       Sign(*key.material, params, View(r.data)));
  Json j = Json::Object();
  j.Set("version", key.version.version);
  j.SetBase64("signature", View(signature));
  return j;
}

Result<Json> HandleVerify(RequestScope& scope) {
  Bytes signature;
  KMS_ASSIGN_OR_RETURN(SignRequest r, ReadSignRequest(scope, true, &signature));
  KMS_ASSIGN_OR_RETURN(UsableKey key, scope.context().keys->LoadForUse(
                                          scope.param(0), scope.param(1),
                                          r.version, kUsageVerify));
  NoteVersion(scope, key);
  KMS_ASSIGN_OR_RETURN(SignParams params,
                       ToSignParams(r, key.material->algorithm()));
  KMS_RETURN_IF_ERROR(
      Verify(*key.material, params, View(r.data), View(signature)));
  Json j = Json::Object();
  j.Set("version", key.version.version);
  j.Set("valid", true);
  return j;
}

Result<Json> HandleEncrypt(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(CipherRequest r,
                       ReadCipherRequest(scope, "plaintext", false));
  KMS_ASSIGN_OR_RETURN(UsableKey key, scope.context().keys->LoadForUse(
                                          scope.param(0), scope.param(1),
                                          r.version, kUsageEncrypt));
  NoteVersion(scope, key);
  Json j = Json::Object();
  j.Set("version", key.version.version);
  if (IsRsa(key.material->algorithm())) {
    KMS_ASSIGN_OR_RETURN(RsaDecryptParams params, ToRsaParams(r));
    KMS_ASSIGN_OR_RETURN(Bytes ciphertext,
                         RsaEncrypt(*key.material, params, View(r.input)));
    j.SetBase64("ciphertext", View(ciphertext));
    return j;
  }
  KMS_ASSIGN_OR_RETURN(CipherParams params, ToCipherParams(r));
  KMS_ASSIGN_OR_RETURN(CipherOutput out, SymmetricEncrypt(*key.material,
                                                          params, View(r.input)));
  j.SetBase64("ciphertext", View(out.ciphertext));
  j.SetBase64("iv", View(out.iv));
  if (params.mode == CipherMode::kGcm) j.SetBase64("tag", View(out.tag));
  return j;
}

Result<Json> HandleDecrypt(RequestScope& scope) {
  KMS_ASSIGN_OR_RETURN(CipherRequest r,
                       ReadCipherRequest(scope, "ciphertext", true));
  KMS_ASSIGN_OR_RETURN(UsableKey key, scope.context().keys->LoadForUse(
                                          scope.param(0), scope.param(1),
                                          r.version, kUsageDecrypt));
  NoteVersion(scope, key);
  SecureBytes plaintext;
  if (IsRsa(key.material->algorithm())) {
    KMS_ASSIGN_OR_RETURN(RsaDecryptParams params, ToRsaParams(r));
    KMS_ASSIGN_OR_RETURN(plaintext,
                         RsaDecrypt(*key.material, params, View(r.input)));
  } else {
    KMS_ASSIGN_OR_RETURN(CipherParams params, ToCipherParams(r));
    if (params.mode == CipherMode::kGcm) {
      params.tag_bits = static_cast<int>(r.tag.size() * 8);
    }
    KMS_ASSIGN_OR_RETURN(plaintext, SymmetricDecrypt(*key.material, params,
                                                     View(r.input), View(r.tag)));
  }
  Json j = Json::Object();
  j.Set("version", key.version.version);
  j.SetBase64("plaintext", View(plaintext));
  return j;
}

}  // namespace kms
