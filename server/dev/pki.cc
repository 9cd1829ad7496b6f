#include "server/dev/pki.h"

#include <openssl/pem.h>
#include <openssl/rand.h>

#include <climits>
#include <utility>

#include "common/encoding.h"
#include "common/openssl_raii.h"

namespace kms {
namespace {

constexpr int kCaDays = 3650;
constexpr int kLeafDays = 730;
// Certificates start slightly in the past so that a peer whose clock lags a
// little does not reject a certificate issued a moment ago.
constexpr long kBackdateSeconds = 300;  // NOLINT(runtime/int): OpenSSL's type

using GeneralNamesPtr =
    std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;
using GeneralNamePtr =
    std::unique_ptr<GENERAL_NAME, OpenSslDeleter<GENERAL_NAME_free>>;

Status OpenSslFailure(const std::string& what) {
  return Error(ErrorCode::kInternal, what + ": " + OpenSslErrorString());
}

// Refuses to prompt on a terminal for a passphrase: dev keys are never
// encrypted, and a library must not block on stdin.
int NoPassphrase(char*, int, int, void*) { return -1; }

Result<EvpPkeyPtr> NewP256Key() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return OpenSslFailure("EC P-256 key generation failed");
  return key;
}

Result<SecureString> PrivateKeyPem(EVP_PKEY* key) {
  // A secure-memory BIO wipes its buffer when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) return OpenSslFailure("BIO_new failed");
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return OpenSslFailure("cannot encode private key");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  if (size <= 0 || data == nullptr) return OpenSslFailure("empty key PEM");
  return SecureString(data, static_cast<size_t>(size));
}

Result<std::string> CertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return OpenSslFailure("BIO_new failed");
  if (PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslFailure("cannot encode certificate");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  if (size <= 0 || data == nullptr) return OpenSslFailure("empty cert PEM");
  return std::string(data, static_cast<size_t>(size));
}

Result<X509Ptr> ParseCertificate(const std::string& pem) {
  if (pem.size() > INT_MAX) {
    return Error(ErrorCode::kInvalidArgument, "certificate PEM too large");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslFailure("BIO_new_mem_buf failed");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!cert) {
    OpenSslErrorString();  // clear the queue; the detail is not useful
    return Error(ErrorCode::kInvalidArgument, "not a PEM certificate");
  }
  return cert;
}

Result<EvpPkeyPtr> ParsePrivateKey(const SecureString& pem) {
  if (pem.size() > INT_MAX) {
    return Error(ErrorCode::kInvalidArgument, "private key PEM too large");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslFailure("BIO_new_mem_buf failed");
  EvpPkeyPtr key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    // OpenSSL's error text could quote parts of the input; keep it out.
    OpenSslErrorString();
    return Error(ErrorCode::kInvalidArgument, "not an unencrypted PEM key");
  }
  return key;
}

Status SetRandomSerial(X509* cert) {
  // 128 bits of randomness; the top bit is cleared so that the DER INTEGER
  // stays positive and within the 20 octets RFC 5280 allows.
  uint8_t raw[16];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return OpenSslFailure("RAND_bytes");
  raw[0] &= 0x7f;
  raw[0] |= 0x01 << 6;  // never zero, never short
  BignumPtr bn(BN_bin2bn(raw, sizeof(raw), nullptr));
  if (!bn) return OpenSslFailure("BN_bin2bn failed");
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial || X509_set_serialNumber(cert, serial.get()) != 1) {
    return OpenSslFailure("cannot set serial number");
  }
  return Status::Ok();
}

Result<X509NamePtr> CommonNameOnly(const std::string& common_name) {
  if (common_name.empty() || common_name.size() > 64) {
    return Error(ErrorCode::kInvalidArgument,
                 "common name must be 1..64 characters");
  }
  X509NamePtr name(X509_NAME_new());
  if (!name) return OpenSslFailure("X509_NAME_new failed");
  if (X509_NAME_add_entry_by_txt(
          name.get(), "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(common_name.data()),
          static_cast<int>(common_name.size()), -1, 0) != 1) {
    OpenSslErrorString();
    return Error(ErrorCode::kInvalidArgument, "invalid common name");
  }
  return name;
}

// A certificate with everything but extensions and signature filled in.
Result<X509Ptr> NewCertificate(const std::string& common_name,
                               X509_NAME* issuer, EVP_PKEY* subject_key,
                               int days) {
  KMS_ASSIGN_OR_RETURN(X509NamePtr subject, CommonNameOnly(common_name));
  X509Ptr cert(X509_new());
  if (!cert) return OpenSslFailure("X509_new failed");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return OpenSslFailure("X509_set_version failed");
  }
  KMS_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) ==
          nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr) ==
          nullptr) {
    return OpenSslFailure("cannot set validity");
  }
  if (X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      X509_set_issuer_name(cert.get(),
                           issuer != nullptr ? issuer : subject.get()) != 1 ||
      X509_set_pubkey(cert.get(), subject_key) != 1) {
    return OpenSslFailure("cannot fill in certificate");
  }
  return cert;
}

// Adds one extension in OpenSSL's config syntax. Only fixed strings from
// this file go through here; names from callers are encoded directly.
Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslFailure(std::string("cannot add extension ") +
                          OBJ_nid2sn(nid));
  }
  return Status::Ok();
}

bool IsDnsName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '*';
    if (!ok) return false;
  }
  return true;
}

Status AddSubjectAltNames(X509* cert, const std::vector<std::string>& dns,
                          const std::vector<std::string>& ips) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return OpenSslFailure("sk_GENERAL_NAME_new_null failed");
  for (const std::string& host : dns) {
    if (!IsDnsName(host)) {
      return Error(ErrorCode::kInvalidArgument,
                   "invalid DNS name '" + host + "'");
    }
    GeneralNamePtr name(GENERAL_NAME_new());
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    if (!name || text == nullptr ||
        ASN1_STRING_set(text, host.data(), static_cast<int>(host.size())) !=
            1) {
      ASN1_IA5STRING_free(text);
      return OpenSslFailure("cannot encode DNS name");
    }
    GENERAL_NAME_set0_value(name.get(), GEN_DNS, text);
    if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0) {
      return OpenSslFailure("sk_GENERAL_NAME_push failed");
    }
    name.release();  // owned by names now
  }
  for (const std::string& ip : ips) {
    ASN1_OCTET_STRING* address = a2i_IPADDRESS(ip.c_str());
    if (address == nullptr) {
      OpenSslErrorString();
      return Error(ErrorCode::kInvalidArgument,
                   "invalid IP address '" + ip + "'");
    }
    GeneralNamePtr name(GENERAL_NAME_new());
    if (!name) {
      ASN1_OCTET_STRING_free(address);
      return OpenSslFailure("GENERAL_NAME_new failed");
    }
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, address);
    if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0) {
      return OpenSslFailure("sk_GENERAL_NAME_push failed");
    }
    name.release();
  }
  if (sk_GENERAL_NAME_num(names.get()) == 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "a server certificate needs at least one DNS name or IP");
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0,
                        X509V3_ADD_DEFAULT) != 1) {
    return OpenSslFailure("cannot add subjectAltName");
  }
  return Status::Ok();
}

Status Sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) {
    return OpenSslFailure("certificate signing failed");
  }
  return Status::Ok();
}

struct LoadedCa {
  X509Ptr cert;
  EvpPkeyPtr key;
};

Result<LoadedCa> ParseCa(const std::string& cert_pem,
                         const SecureString& key_pem) {
  LoadedCa ca;
  KMS_ASSIGN_OR_RETURN(ca.cert, ParseCertificate(cert_pem));
  KMS_ASSIGN_OR_RETURN(ca.key, ParsePrivateKey(key_pem));
  if (X509_check_private_key(ca.cert.get(), ca.key.get()) != 1) {
    OpenSslErrorString();
    return Error(ErrorCode::kInvalidArgument,
                 "CA private key does not match the CA certificate");
  }
  if (X509_check_ca(ca.cert.get()) == 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "certificate is not a CA certificate");
  }
  return ca;
}

enum class LeafKind { kServer, kClient };

Result<IssuedCertificate> IssueLeaf(const std::string& ca_cert_pem,
                                    const SecureString& ca_key_pem,
                                    const std::string& common_name,
                                    LeafKind kind,
                                    const std::vector<std::string>& dns,
                                    const std::vector<std::string>& ips) {
  KMS_ASSIGN_OR_RETURN(LoadedCa ca, ParseCa(ca_cert_pem, ca_key_pem));
  KMS_ASSIGN_OR_RETURN(EvpPkeyPtr key, NewP256Key());
  KMS_ASSIGN_OR_RETURN(
      X509Ptr cert,
      NewCertificate(common_name, X509_get_subject_name(ca.cert.get()),
                     key.get(), kLeafDays));
  X509* c = cert.get();
  X509* issuer = ca.cert.get();
  KMS_RETURN_IF_ERROR(
      AddExtension(c, issuer, NID_basic_constraints, "critical,CA:FALSE"));
  KMS_RETURN_IF_ERROR(
      AddExtension(c, issuer, NID_key_usage, "critical,digitalSignature"));
  KMS_RETURN_IF_ERROR(
      AddExtension(c, issuer, NID_ext_key_usage,
                   kind == LeafKind::kServer ? "serverAuth" : "clientAuth"));
  KMS_RETURN_IF_ERROR(
      AddExtension(c, issuer, NID_subject_key_identifier, "hash"));
  KMS_RETURN_IF_ERROR(
      AddExtension(c, issuer, NID_authority_key_identifier, "keyid:always"));
  if (kind == LeafKind::kServer) {
    KMS_RETURN_IF_ERROR(AddSubjectAltNames(c, dns, ips));
  }
  KMS_RETURN_IF_ERROR(Sign(c, ca.key.get()));

  IssuedCertificate issued;
  KMS_ASSIGN_OR_RETURN(issued.cert_pem, CertificatePem(c));
  KMS_ASSIGN_OR_RETURN(issued.key_pem, PrivateKeyPem(key.get()));
  KMS_ASSIGN_OR_RETURN(issued.fingerprint,
                       CertificateFingerprint(issued.cert_pem));
  return issued;
}

}  // namespace

Result<DevCa> DevCa::Create(const std::string& common_name) {
  KMS_ASSIGN_OR_RETURN(EvpPkeyPtr key, NewP256Key());
  KMS_ASSIGN_OR_RETURN(
      X509Ptr cert, NewCertificate(common_name, nullptr, key.get(), kCaDays));
  X509* c = cert.get();
  KMS_RETURN_IF_ERROR(
      AddExtension(c, c, NID_basic_constraints, "critical,CA:TRUE"));
  KMS_RETURN_IF_ERROR(
      AddExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign"));
  KMS_RETURN_IF_ERROR(AddExtension(c, c, NID_subject_key_identifier, "hash"));
  KMS_RETURN_IF_ERROR(Sign(c, key.get()));
  KMS_ASSIGN_OR_RETURN(std::string cert_pem, CertificatePem(c));
  KMS_ASSIGN_OR_RETURN(SecureString key_pem, PrivateKeyPem(key.get()));
  return DevCa(std::move(cert_pem), std::move(key_pem));
}

Result<DevCa> DevCa::Load(const std::string& cert_pem,
                          const SecureString& key_pem) {
  KMS_ASSIGN_OR_RETURN(LoadedCa ca, ParseCa(cert_pem, key_pem));
  // Re-encode so that the stored forms are canonical (PKCS#8 for the key)
  // whatever PEM flavour the files used.
  KMS_ASSIGN_OR_RETURN(std::string canonical_cert,
                       CertificatePem(ca.cert.get()));
  KMS_ASSIGN_OR_RETURN(SecureString canonical_key, PrivateKeyPem(ca.key.get()));
  return DevCa(std::move(canonical_cert), std::move(canonical_key));
}

Result<IssuedCertificate> DevCa::IssueServer(
    const std::string& common_name, const std::vector<std::string>& dns,
    const std::vector<std::string>& ips) const {
  return IssueLeaf(cert_pem_, key_pem_, common_name, LeafKind::kServer, dns,
                   ips);
}

Result<IssuedCertificate> DevCa::IssueClient(
    const std::string& common_name) const {
  return IssueLeaf(cert_pem_, key_pem_, common_name, LeafKind::kClient, {}, {});
}

Result<std::string> CertificateFingerprint(const std::string& cert_pem) {
  KMS_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(cert_pem));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // X509_digest hashes the DER encoding of the whole certificate.
  if (X509_digest(cert.get(), EVP_sha256(), digest, &length) != 1) {
    return OpenSslFailure("X509_digest failed");
  }
  return HexEncode(ByteView(digest, length));
}

}  // namespace kms
