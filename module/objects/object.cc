#include "module/objects/object.h"

#include <cstring>

namespace kms::p11 {

bool P11Object::Has(CK_ATTRIBUTE_TYPE type) const {
  return attributes_.count(type) > 0 || sensitive_.count(type) > 0;
}

bool P11Object::IsSensitive(CK_ATTRIBUTE_TYPE type) const {
  return sensitive_.count(type) > 0;
}

const Bytes* P11Object::Find(CK_ATTRIBUTE_TYPE type) const {
  auto it = attributes_.find(type);
  return it == attributes_.end() ? nullptr : &it->second;
}

bool P11Object::Bool(CK_ATTRIBUTE_TYPE type) const {
  const Bytes* v = Find(type);
  return v != nullptr && v->size() == sizeof(CK_BBOOL) && (*v)[0] == CK_TRUE;
}

CK_ULONG P11Object::ApproximateSize() const {
  CK_ULONG size = 0;
  for (const auto& [type, value] : attributes_) size += value.size();
  return size;
}

void P11Object::SetBytes(CK_ATTRIBUTE_TYPE type, Bytes value) {
  attributes_[type] = std::move(value);
}

void P11Object::SetString(CK_ATTRIBUTE_TYPE type, const std::string& value) {
  attributes_[type] = Bytes(value.begin(), value.end());
}

void P11Object::SetUlong(CK_ATTRIBUTE_TYPE type, CK_ULONG value) {
  Bytes b(sizeof(value));
  std::memcpy(b.data(), &value, sizeof(value));
  attributes_[type] = std::move(b);
}

void P11Object::SetBool(CK_ATTRIBUTE_TYPE type, bool value) {
  attributes_[type] = Bytes{static_cast<uint8_t>(value ? CK_TRUE : CK_FALSE)};
}

void P11Object::SetSensitive(CK_ATTRIBUTE_TYPE type) {
  attributes_.erase(type);
  sensitive_.insert(type);
}

}  // namespace kms::p11
