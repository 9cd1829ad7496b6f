#include "module/ops/message_accumulator.h"

namespace kms::p11 {

CkResult<MessageAccumulator> MessageAccumulator::Start(const SignSpec& spec) {
  EvpMdCtxPtr md;
  if (spec.local_hash != nullptr) {
    md.reset(EVP_MD_CTX_new());
    if (md == nullptr ||
        EVP_DigestInit_ex(md.get(), spec.local_hash->md(), nullptr) != 1) {
      return CkError(CKR_HOST_MEMORY, "digest init failed");
    }
  }
  return MessageAccumulator(&spec, std::move(md));
}

CkStatus MessageAccumulator::Update(ByteView data) {
  if (md_ != nullptr) {
    if (EVP_DigestUpdate(md_.get(), data.data(), data.size()) != 1) {
      return CkError(CKR_GENERAL_ERROR, "digest update failed");
    }
    return CkStatus::Ok();
  }
  if (data_.size() + data.size() > spec_->max_input) {
    return CkError(CKR_DATA_LEN_RANGE, "input too long for the mechanism");
  }
  data_.insert(data_.end(), data.begin(), data.end());
  return CkStatus::Ok();
}

CkResult<Bytes> MessageAccumulator::Finish() {
  if (md_ != nullptr) {
    Bytes digest(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(md_.get(), digest.data(), &len) != 1) {
      return CkError(CKR_GENERAL_ERROR, "digest final failed");
    }
    digest.resize(len);
    return digest;
  }
  if (data_.size() < spec_->min_input || data_.size() > spec_->max_input) {
    return CkError(CKR_DATA_LEN_RANGE, "input length does not fit");
  }
  return std::move(data_);
}

}  // namespace kms::p11
