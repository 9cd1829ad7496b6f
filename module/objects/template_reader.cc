#include "module/objects/template_reader.h"

#include <cstdio>
#include <cstring>

#include "common/status.h"

namespace kms::p11 {
namespace {

std::string AttributeName(CK_ATTRIBUTE_TYPE type) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "attribute 0x%lx", type);
  return buf;
}

}  // namespace

CkResult<const Bytes*> TemplateReader::Raw(CK_ATTRIBUTE_TYPE type) {
  read_.insert(type);
  const Bytes* found = nullptr;
  for (const auto& a : attributes_) {
    if (a.type != type) continue;
    if (found != nullptr && *found != a.value) {
      return CkError(CKR_TEMPLATE_INCONSISTENT,
                     AttributeName(type) + " given twice");
    }
    found = &a.value;
  }
  return found;
}

CkResult<std::optional<bool>> TemplateReader::Bool(CK_ATTRIBUTE_TYPE type) {
  CK_ASSIGN_OR_RETURN(const Bytes* raw, Raw(type));
  if (raw == nullptr) return std::optional<bool>();
  if (raw->size() != sizeof(CK_BBOOL)) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "boolean of wrong size");
  }
  return std::optional<bool>((*raw)[0] != CK_FALSE);
}

CkResult<std::optional<CK_ULONG>> TemplateReader::Ulong(
    CK_ATTRIBUTE_TYPE type) {
  CK_ASSIGN_OR_RETURN(const Bytes* raw, Raw(type));
  if (raw == nullptr) return std::optional<CK_ULONG>();
  if (raw->size() != sizeof(CK_ULONG)) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "CK_ULONG of wrong size");
  }
  CK_ULONG value = 0;
  std::memcpy(&value, raw->data(), sizeof(value));
  return std::optional<CK_ULONG>(value);
}

CkResult<std::optional<std::string>> TemplateReader::String(
    CK_ATTRIBUTE_TYPE type) {
  CK_ASSIGN_OR_RETURN(const Bytes* raw, Raw(type));
  if (raw == nullptr) return std::optional<std::string>();
  return std::optional<std::string>(std::string(raw->begin(), raw->end()));
}

CkStatus TemplateReader::RequireBoolIfPresent(CK_ATTRIBUTE_TYPE type,
                                              bool allowed) {
  CK_ASSIGN_OR_RETURN(std::optional<bool> value, Bool(type));
  if (value && *value != allowed) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   AttributeName(type) + " must be " +
                       (allowed ? "TRUE" : "FALSE"));
  }
  return CkStatus::Ok();
}

CkStatus TemplateReader::RequireUlongIfPresent(CK_ATTRIBUTE_TYPE type,
                                               CK_ULONG expected) {
  CK_ASSIGN_OR_RETURN(std::optional<CK_ULONG> value, Ulong(type));
  if (value && *value != expected) {
    return CkError(CKR_TEMPLATE_INCONSISTENT,
                   AttributeName(type) +
                       " contradicts the mechanism");
  }
  return CkStatus::Ok();
}

void TemplateReader::Ignore(std::initializer_list<CK_ATTRIBUTE_TYPE> types) {
  read_.insert(types.begin(), types.end());
}

CkStatus TemplateReader::CheckAllRead() const {
  for (const auto& a : attributes_) {
    if (read_.count(a.type) == 0) {
      return CkError(CKR_ATTRIBUTE_TYPE_INVALID,
                     AttributeName(a.type) +
                         " is not supported in this template");
    }
  }
  return CkStatus::Ok();
}

}  // namespace kms::p11
