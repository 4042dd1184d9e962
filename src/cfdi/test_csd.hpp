// Seals generated CFDI (cfdi/builder.hpp: demo data, tests, benchmarks) with a test certificate
// for the emisor's RFC, so the product's own documents verify like real ones. The self-signed
// certificate (subject x500UniqueIdentifier = the RFC, serial = kTestNoCertificado, valid
// 2000–2099) is made in memory the first time an RFC is seen, with one fixed test key (in
// test_csd.cpp: not a secret), so a generated document has the same bytes in every process. Not
// a SAT certificate: a document sealed this way verifies here and nowhere else.
#pragma once

#include <string>
#include <string_view>

namespace vertice::cfdi {

inline constexpr std::string_view kTestNoCertificado = "99999000000000000001";
inline constexpr std::string_view kSelloPlaceholder = "@VERTICE-SELLO@";
inline constexpr std::string_view kCertificadoPlaceholder = "@VERTICE-CERTIFICADO@";

// xml carries NoCertificado="kTestNoCertificado", Sello="kSelloPlaceholder" and
// Certificado="kCertificadoPlaceholder"; both placeholders are replaced by the seal over the
// document's cadena original and the certificate of emisor_rfc. Throws std::runtime_error when
// the document cannot be read or OpenSSL fails (a programming error in the caller).
std::string SealWithTestCertificate(std::string xml, std::string_view emisor_rfc);

}  // namespace vertice::cfdi
