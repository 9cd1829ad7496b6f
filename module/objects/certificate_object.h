// What a DER X.509 certificate says about itself, as the PKCS#11 attributes
// of a certificate object (CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER, dates,
// CKA_PUBLIC_KEY_INFO, CKA_CHECK_VALUE). Derived with OpenSSL, so that the
// attributes always agree with CKA_VALUE.
#ifndef KMS_MODULE_OBJECTS_CERTIFICATE_OBJECT_H_
#define KMS_MODULE_OBJECTS_CERTIFICATE_OBJECT_H_

#include "module/base/ck_status.h"
#include "module/objects/object.h"

namespace kms::p11 {

struct CertificateFacts {
  Bytes subject;          // DER Name
  Bytes issuer;           // DER Name
  Bytes serial_number;    // DER INTEGER
  Bytes start_date;       // CK_DATE of notBefore ("YYYYMMDD")
  Bytes end_date;         // CK_DATE of notAfter
  Bytes public_key_info;  // DER SubjectPublicKeyInfo
};

// CKR_ATTRIBUTE_VALUE_INVALID unless `der` is exactly one DER certificate.
CkResult<CertificateFacts> ParseCertificate(ByteView der);

// CKA_CHECK_VALUE: the first three bytes of the SHA-1 of `value`.
CkResult<Bytes> CheckValue(ByteView value);

// Sets the attributes derived from the certificate `der` on `o`.
CkStatus SetCertificateAttributes(P11Object& o, const Bytes& der);

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_CERTIFICATE_OBJECT_H_
