// A small PKI for dev mode and tests: a CA, a server certificate for
// localhost/127.0.0.1 and client certificates, written as PEM files.
#ifndef KMS_SERVER_DEV_PKI_H_
#define KMS_SERVER_DEV_PKI_H_

#include <string>
#include <vector>

#include "common/secure_memory.h"
#include "common/status.h"

namespace kms {

struct IssuedCertificate {
  std::string cert_pem;
  SecureString key_pem;  // PKCS#8 PEM, EC P-256
  std::string fingerprint;  // lowercase hex SHA-256 of the DER certificate
};

class DevCa {
 public:
  // A new self-signed CA (EC P-256, 10 years).
  static Result<DevCa> Create(const std::string& common_name);
  // Loads a CA from PEM text.
  static Result<DevCa> Load(const std::string& cert_pem,
                            const SecureString& key_pem);

  const std::string& cert_pem() const { return cert_pem_; }
  const SecureString& key_pem() const { return key_pem_; }

  // Server certificate (serverAuth) with the given DNS names and IPs as
  // subjectAltName; 2 years.
  Result<IssuedCertificate> IssueServer(
      const std::string& common_name, const std::vector<std::string>& dns,
      const std::vector<std::string>& ips) const;
  // Client certificate (clientAuth) whose subject CN names the client.
  Result<IssuedCertificate> IssueClient(const std::string& common_name) const;

 private:
  DevCa(std::string cert_pem, SecureString key_pem)
      : cert_pem_(std::move(cert_pem)), key_pem_(std::move(key_pem)) {}
  std::string cert_pem_;
  SecureString key_pem_;
};

// Lowercase hex SHA-256 of the DER form of a PEM certificate.
Result<std::string> CertificateFingerprint(const std::string& cert_pem);

}  // namespace kms

#endif  // KMS_SERVER_DEV_PKI_H_
