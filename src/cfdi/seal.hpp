// The issuer's seal of a CFDI (Comprobante@Sello): the signature over the cadena original
// (cfdi/cadena.hpp) with the key of the certificate in Comprobante@Certificado — RSA with SHA-256
// for 3.3 and 4.0, SHA-1 for 3.2 — plus the certificate's own claims: its serial number is
// NoCertificado, it was valid at Fecha, and its subject's RFC is the emisor's.
//
// What "valid" means: the document is unchanged since it was sealed by the holder of that
// certificate's key. Not verified (no SAT certificates offline): that the certificate chains to
// SAT's CA, that it was not revoked, and the PAC's SelloSAT in the TimbreFiscalDigital.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cfdi/document.hpp"

namespace vertice::cfdi {

enum class SealState {
  kValid,             // the seal verifies
  kInvalid,           // it does not (reason says why)
  kNotVerifiable,     // a complement the cadena does not cover (reason: its name)
  kUnsigned,          // Sello or Certificado empty or absent
  kUnverifiedImport,  // stored on the user's explicit request despite a failed check (reason kept)
};
std::string_view SealStateName(SealState s);

// Reasons of kInvalid (stable codes, stored and answered by the API).
namespace seal_reasons {
inline constexpr const char* kSignatureMismatch = "signature_mismatch";
inline constexpr const char* kSerialMismatch = "serial_mismatch";
inline constexpr const char* kCertificateNotValidAtFecha = "certificate_not_valid_at_fecha";
inline constexpr const char* kRfcMismatch = "rfc_mismatch";
inline constexpr const char* kMalformedCertificate = "malformed_certificate";
inline constexpr const char* kMalformedSeal = "malformed_seal";
}  // namespace seal_reasons

struct SealVerdict {
  SealState state = SealState::kUnsigned;
  std::string reason;   // kInvalid: a seal_reasons code; kNotVerifiable: the complement's name
  std::string message;  // Spanish, for people
};

// Parsed certificates, keyed by the certificate's base64 text (one parse per distinct certificate
// per import: SAT bulk downloads repeat the issuer's few CSDs). Thread-safe; bounded.
class CertificateCache {
 public:
  CertificateCache();
  ~CertificateCache();
  CertificateCache(const CertificateCache&) = delete;
  CertificateCache& operator=(const CertificateCache&) = delete;

  struct Entry;
  std::shared_ptr<const Entry> Get(const std::string& certificado_base64);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_;
};

SealVerdict VerifySeal(const Document& doc, CertificateCache& cache);

}  // namespace vertice::cfdi
