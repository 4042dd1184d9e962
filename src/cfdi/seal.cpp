#include "cfdi/seal.hpp"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <ctime>
#include <optional>
#include <vector>

#include "core/text.hpp"

namespace vertice::cfdi {

namespace {

// Base64 (the standard alphabet) with whitespace between groups tolerated; nullopt if malformed.
std::optional<std::string> FromBase64(std::string_view in) {
  static const auto kTable = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(abc[i])] = i;
    return t;
  }();
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0, pad = 0;
  for (char ch : in) {
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
    if (ch == '=') {
      ++pad;
      continue;
    }
    if (pad) return std::nullopt;  // data after padding
    int v = kTable[static_cast<unsigned char>(ch)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (pad > 2 || bits >= 6) return std::nullopt;
  return out;
}

std::string NormalRfc(std::string_view rfc) {
  while (!rfc.empty() && rfc.front() == ' ') rfc.remove_prefix(1);
  while (!rfc.empty() && rfc.back() == ' ') rfc.remove_suffix(1);
  return ToUpperAscii(rfc);
}

std::optional<time_t> AsnTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return timegm(&tm);
}

// "YYYY-MM-DDTHH:MM:SS" read as if UTC.
std::optional<time_t> FechaTime(std::string_view f) {
  std::tm tm{};
  if (f.size() < 19) return std::nullopt;
  auto num = [&](size_t at, size_t len, int& out) {
    out = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (f[i] < '0' || f[i] > '9') return false;
      out = out * 10 + (f[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!num(0, 4, y) || f[4] != '-' || !num(5, 2, mo) || f[7] != '-' || !num(8, 2, d) || f[10] != 'T' ||
      !num(11, 2, h) || f[13] != ':' || !num(14, 2, mi) || f[16] != ':' || !num(17, 2, s))
    return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return timegm(&tm);
}

std::string Fmt(time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

SealVerdict Invalid(const char* reason, std::string message) {
  return {SealState::kInvalid, reason, std::move(message)};
}

}  // namespace

struct CertificateCache::Entry {
  bool ok = false;
  std::string error;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, &EVP_PKEY_free};
  std::string serial;             // the serial's bytes as text: SAT's "30001000000500003416"
  std::vector<std::string> rfcs;  // x500UniqueIdentifier: "RFC" or "RFC / RFC del representante"
  time_t not_before = 0, not_after = 0;
};

namespace {

std::shared_ptr<CertificateCache::Entry> ParseCertificate(const std::string& b64) {
  auto e = std::make_shared<CertificateCache::Entry>();
  auto der = FromBase64(b64);
  if (!der || der->empty()) {
    e->error = "el atributo Certificado no es base64";
    return e;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  std::unique_ptr<X509, decltype(&X509_free)> cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())), &X509_free);
  if (!cert) {
    e->error = "el atributo Certificado no contiene un certificado X.509 (DER) legible";
    return e;
  }
  e->key.reset(X509_get_pubkey(cert.get()));
  if (!e->key) {
    e->error = "el certificado no tiene una llave pública legible";
    return e;
  }
  if (const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get())) {
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(ASN1_INTEGER_to_BN(serial, nullptr), &BN_free);
    if (bn) {
      std::string bytes(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
      BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
      e->serial = std::move(bytes);
    }
  }
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_x500UniqueIdentifier, i)) >= 0;) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                          static_cast<size_t>(ASN1_STRING_length(data)));
    auto slash = text.find('/');
    e->rfcs.push_back(NormalRfc(text.substr(0, slash)));
  }
  auto nb = AsnTime(X509_get0_notBefore(cert.get()));
  auto na = AsnTime(X509_get0_notAfter(cert.get()));
  if (!nb || !na) {
    e->error = "el certificado no tiene fechas de vigencia legibles";
    return e;
  }
  e->not_before = *nb;
  e->not_after = *na;
  e->ok = true;
  return e;
}

bool VerifyWith(EVP_PKEY* key, const EVP_MD* md, std::string_view data, const std::string& sig) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

}  // namespace

std::string_view SealStateName(SealState s) {
  switch (s) {
    case SealState::kValid:
      return "valid";
    case SealState::kInvalid:
      return "invalid";
    case SealState::kNotVerifiable:
      return "not_verifiable";
    case SealState::kUnsigned:
      return "unsigned";
    case SealState::kUnverifiedImport:
      return "unverified_import";
  }
  return "invalid";
}

CertificateCache::CertificateCache() = default;
CertificateCache::~CertificateCache() = default;

std::shared_ptr<const CertificateCache::Entry> CertificateCache::Get(const std::string& certificado_base64) {
  {
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(certificado_base64); it != entries_.end()) return it->second;
  }
  auto parsed = ParseCertificate(certificado_base64);  // outside the lock: two threads may both parse
  std::lock_guard lock(mu_);
  if (entries_.size() >= 4096) entries_.clear();  // bounded: a hostile import of many certificates
  entries_.emplace(certificado_base64, parsed);
  return parsed;
}

SealVerdict VerifySeal(const Document& doc, CertificateCache& cache) {
  const auto& in = doc.seal;
  if (in.sello.empty() || in.certificado.empty())
    return {SealState::kUnsigned, "",
            in.sello.empty() ? "El comprobante no tiene sello (Sello vacío)."
                             : "El comprobante no trae el certificado con el que fue sellado (Certificado vacío)."};
  auto cert = cache.Get(in.certificado);
  if (!cert->ok) return Invalid(seal_reasons::kMalformedCertificate, "Certificado ilegible: " + cert->error + ".");
  auto no_cert = std::string_view(doc.no_certificado);
  while (!no_cert.empty() && no_cert.back() == ' ') no_cert.remove_suffix(1);
  while (!no_cert.empty() && no_cert.front() == ' ') no_cert.remove_prefix(1);
  if (cert->serial != no_cert)
    return Invalid(seal_reasons::kSerialMismatch,
                   fmt::format("El número de serie del certificado no es el NoCertificado \"{}\" del comprobante.",
                               no_cert.substr(0, 40)));
  const auto emisor = NormalRfc(doc.emisor.rfc);
  bool rfc_ok = false;
  for (const auto& r : cert->rfcs) rfc_ok = rfc_ok || r == emisor;
  if (!rfc_ok)
    return Invalid(seal_reasons::kRfcMismatch,
                   cert->rfcs.empty() ? "El certificado no indica el RFC de su titular."
                                      : fmt::format("El certificado es del RFC {}, no del emisor {}.",
                                                    cert->rfcs.front().substr(0, 20), emisor.substr(0, 20)));
  // Fecha is local time of LugarExpedicion, without zone: Mexico's zones are UTC−5 to UTC−8.
  auto fecha = FechaTime(doc.fecha);
  if (!fecha || cert->not_before > *fecha + 8 * 3600 || cert->not_after < *fecha + 5 * 3600)
    return Invalid(seal_reasons::kCertificateNotValidAtFecha,
                   fmt::format("El certificado no estaba vigente en la fecha del comprobante ({}; vigencia {} a {}).",
                               doc.fecha.substr(0, 30), Fmt(cert->not_before), Fmt(cert->not_after)));
  if (!in.unsupported.empty())
    return {SealState::kNotVerifiable, in.unsupported,
            fmt::format("El sello no se puede verificar: el complemento {} no está soportado.", in.unsupported)};
  auto sig = FromBase64(in.sello);
  if (!sig || sig->empty()) return Invalid(seal_reasons::kMalformedSeal, "El atributo Sello no es base64.");
  bool ok = false;
  if (doc.version == "3.2")  // SHA-1 was the 3.2 digest; SHA-256 accepted too (late 3.2 documents)
    ok = VerifyWith(cert->key.get(), EVP_sha1(), in.cadena, *sig) ||
         VerifyWith(cert->key.get(), EVP_sha256(), in.cadena, *sig);
  else
    ok = VerifyWith(cert->key.get(), EVP_sha256(), in.cadena, *sig);
  if (!ok)
    return Invalid(seal_reasons::kSignatureMismatch,
                   "El sello no corresponde al contenido: el comprobante fue modificado después de sellarse o el "
                   "sello no es de este certificado.");
  return {SealState::kValid, "", "Sello válido."};
}

}  // namespace vertice::cfdi
