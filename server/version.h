#ifndef KMS_SERVER_VERSION_H_
#define KMS_SERVER_VERSION_H_

namespace kms {

inline constexpr char kKmsVersion[] = "0.1.0";

}  // namespace kms

#endif  // KMS_SERVER_VERSION_H_
