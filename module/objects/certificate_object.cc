#include "module/objects/certificate_object.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdio>
#include <ctime>

#include "common/openssl_raii.h"
#include "common/status.h"

namespace kms::p11 {
namespace {

template <typename T, int (*Encode)(const T*, unsigned char**)>
Bytes Der(const T* value) {
  int size = Encode(value, nullptr);
  if (size <= 0) return {};
  Bytes out(static_cast<size_t>(size));
  unsigned char* p = out.data();
  Encode(value, &p);
  return out;
}

Bytes NameDer(const X509_NAME* name) {
  return Der<X509_NAME, i2d_X509_NAME>(name);
}

CkResult<Bytes> CkDate(const ASN1_TIME* time) {
  struct tm t = {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &t) != 1) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "unreadable certificate date");
  }
  char text[16];
  int n = std::snprintf(text, sizeof(text), "%04d%02d%02d",
                        (t.tm_year + 1900) % 10000, t.tm_mon + 1, t.tm_mday);
  if (n != 8) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   "certificate date out of range");
  }
  return Bytes(text, text + 8);
}

}  // namespace

CkResult<CertificateFacts> ParseCertificate(ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) {
    ERR_clear_error();
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   "CKA_VALUE is not one DER X.509 certificate");
  }
  CertificateFacts facts;
  facts.subject = NameDer(X509_get_subject_name(cert.get()));
  facts.issuer = NameDer(X509_get_issuer_name(cert.get()));
  facts.serial_number =
      Der<ASN1_INTEGER, i2d_ASN1_INTEGER>(X509_get0_serialNumber(cert.get()));
  facts.public_key_info =
      Der<X509_PUBKEY, i2d_X509_PUBKEY>(X509_get_X509_PUBKEY(cert.get()));
  CK_ASSIGN_OR_RETURN(facts.start_date,
                      CkDate(X509_get0_notBefore(cert.get())));
  CK_ASSIGN_OR_RETURN(facts.end_date, CkDate(X509_get0_notAfter(cert.get())));
  if (facts.subject.empty() || facts.issuer.empty() ||
      facts.serial_number.empty() || facts.public_key_info.empty()) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "unreadable certificate");
  }
  return facts;
}

CkResult<Bytes> CheckValue(ByteView value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(value.data(), value.size(), digest, &length, EVP_sha1(),
                 nullptr) != 1 ||
      length < 3) {
    return CkError(CKR_FUNCTION_FAILED, "SHA-1 failed");
  }
  return Bytes(digest, digest + 3);
}

CkStatus SetCertificateAttributes(P11Object& o, const Bytes& der) {
  CK_ASSIGN_OR_RETURN(CertificateFacts facts, ParseCertificate(View(der)));
  CK_ASSIGN_OR_RETURN(Bytes check, CheckValue(View(der)));
  o.SetUlong(CKA_CERTIFICATE_TYPE, CKC_X_509);
  o.SetBytes(CKA_VALUE, der);
  o.SetBytes(CKA_SUBJECT, std::move(facts.subject));
  o.SetBytes(CKA_ISSUER, std::move(facts.issuer));
  o.SetBytes(CKA_SERIAL_NUMBER, std::move(facts.serial_number));
  o.SetBytes(CKA_START_DATE, std::move(facts.start_date));
  o.SetBytes(CKA_END_DATE, std::move(facts.end_date));
  o.SetBytes(CKA_PUBLIC_KEY_INFO, std::move(facts.public_key_info));
  o.SetBytes(CKA_CHECK_VALUE, std::move(check));
  o.SetBytes(CKA_URL, {});
  o.SetBytes(CKA_HASH_OF_SUBJECT_PUBLIC_KEY, {});
  o.SetBytes(CKA_HASH_OF_ISSUER_PUBLIC_KEY, {});
  o.SetBool(CKA_TRUSTED, false);
  return CkStatus::Ok();
}

}  // namespace kms::p11
