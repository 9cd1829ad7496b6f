#include "module/provider/token.h"

#include <openssl/evp.h>

#include <cstring>

#include "common/encoding.h"
#include "common/logging.h"
#include "module/provider/module_info.h"

namespace kms::p11 {
namespace {

std::string SerialFor(const TokenConfig& c) {
  std::string text = c.label + "\n" + c.key_ring;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  return HexEncode(ByteView(digest, 8));
}

}  // namespace

void CopyPadded(CK_UTF8CHAR* field, size_t size, std::string_view text) {
  std::memset(field, ' ', size);
  std::memcpy(field, text.data(), std::min(size, text.size()));
}

Token::Token(CK_SLOT_ID slot_id, TokenConfig config, KmsClient* client,
             int64_t cache_ttl_ms, std::atomic<CK_OBJECT_HANDLE>* next_handle)
    : slot_id_(slot_id),
      config_(std::move(config)),
      auth_(client, config_.key_ring),
      objects_(&auth_, cache_ttl_ms, next_handle),
      serial_(SerialFor(config_)) {}

void Token::FillSlotInfo(CK_SLOT_INFO* info) const {
  std::memset(info, 0, sizeof(*info));
  CopyPadded(info->slotDescription, sizeof(info->slotDescription),
             "kms key ring " + config_.key_ring);
  CopyPadded(info->manufacturerID, sizeof(info->manufacturerID), kManufacturer);
  info->flags = CKF_TOKEN_PRESENT | CKF_HW_SLOT;
  info->hardwareVersion = kModuleVersion;
  info->firmwareVersion = kModuleVersion;
}

void Token::FillTokenInfo(CK_TOKEN_INFO* info) {
  std::memset(info, 0, sizeof(*info));
  CopyPadded(info->label, sizeof(info->label), config_.label);
  CopyPadded(info->manufacturerID, sizeof(info->manufacturerID), kManufacturer);
  CopyPadded(info->model, sizeof(info->model), "kmsd");
  CopyPadded(info->serialNumber, sizeof(info->serialNumber), serial_);
  info->flags = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_TOKEN_INITIALIZED;
  auto pin = auth_.GetPinStatus();
  if (pin.ok()) {
    if (pin->pin_set) info->flags |= CKF_USER_PIN_INITIALIZED;
    if (pin->locked) info->flags |= CKF_USER_PIN_LOCKED;
    if (!pin->locked && pin->failed_attempts > 0) {
      info->flags |= CKF_USER_PIN_COUNT_LOW;
      if (pin->max_attempts > 0 &&
          pin->max_attempts - pin->failed_attempts == 1) {
        info->flags |= CKF_USER_PIN_FINAL_TRY;
      }
    }
  } else {
    KMS_LOG(kInfo) << "PIN status of key ring " << config_.key_ring
                   << " unavailable: " << pin.status().message();
    // Assume the usual case so that applications still offer a login.
    info->flags |= CKF_USER_PIN_INITIALIZED;
  }
  info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
  info->ulSessionCount = CK_UNAVAILABLE_INFORMATION;
  info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
  info->ulRwSessionCount = CK_UNAVAILABLE_INFORMATION;
  info->ulMaxPinLen = 256;
  info->ulMinPinLen = 4;
  info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
  info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
  info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
  info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
  info->hardwareVersion = kModuleVersion;
  info->firmwareVersion = kModuleVersion;
  CopyPadded(info->utcTime, sizeof(info->utcTime), "");
}

CkStatus Token::GenerateRandom(CK_BYTE_PTR out, CK_ULONG length) {
  CK_ULONG done = 0;
  while (done < length) {
    CK_ULONG chunk = std::min<CK_ULONG>(length - done, 4096);
    Json body = Json::Object();
    body.Set("length", static_cast<int64_t>(chunk));
    auto reply = auth_.logged_in()
                     ? auth_.Call("POST", "/v1/random", body)
                     : auth_.CallAnonymous("POST", "/v1/random", body);
    CK_RETURN_IF_ERROR(reply.status());
    const cJSON* random =
        cJSON_GetObjectItemCaseSensitive(reply->get(), "random");
    if (!cJSON_IsString(random)) {
      return CkError(CKR_DEVICE_ERROR, "random reply without bytes");
    }
    auto bytes = Base64DecodeSecure(random->valuestring);
    if (!bytes.ok() || bytes->size() != chunk) {
      return CkError(CKR_DEVICE_ERROR, "malformed random reply");
    }
    std::memcpy(out + done, bytes->data(), chunk);
    done += chunk;
  }
  return CkStatus::Ok();
}

}  // namespace kms::p11
