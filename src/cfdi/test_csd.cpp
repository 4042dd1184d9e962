#include "cfdi/test_csd.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <map>
#include <memory>
#include <mutex>
#include <pugixml.hpp>
#include <stdexcept>

#include "cfdi/cadena.hpp"
#include "cfdi/xml_names.hpp"

namespace vertice::cfdi {

namespace {

struct Csd {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, &EVP_PKEY_free};
  std::string certificado;  // base64 DER
};

[[noreturn]] void Fail(const char* what) { throw std::runtime_error(std::string("test CSD: ") + what); }

std::string Base64(const unsigned char* data, size_t len) {
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::unique_ptr<Csd> MakeCsd(const std::string& rfc) {
  auto csd = std::make_unique<Csd>();
  csd->key.reset(EVP_RSA_gen(2048));  // SAT's CSDs are RSA 2048: verification costs what a real one costs
  if (!csd->key) Fail("key generation");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  if (!cert) Fail("X509_new");
  X509_set_version(cert.get(), 2);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(kTestNoCertificado.data()),
                static_cast<int>(kTestNoCertificado.size()), nullptr),
      &BN_free);
  if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) Fail("serial");
  if (!ASN1_TIME_set_string_X509(X509_getm_notBefore(cert.get()), "20000101000000Z") ||
      !ASN1_TIME_set_string_X509(X509_getm_notAfter(cert.get()), "20991231235959Z"))
    Fail("validity");
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn = "VERTICE CSD DE PRUEBA " + rfc;
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.data()),
                             static_cast<int>(cn.size()), -1, 0);
  if (!X509_NAME_add_entry_by_txt(name, "2.5.4.45", V_ASN1_UTF8STRING,
                                  reinterpret_cast<const unsigned char*>(rfc.data()), static_cast<int>(rfc.size()), -1,
                                  0))
    Fail("subject");
  X509_set_issuer_name(cert.get(), name);
  if (!X509_set_pubkey(cert.get(), csd->key.get()) || !X509_sign(cert.get(), csd->key.get(), EVP_sha256()))
    Fail("self-signature");
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0) Fail("DER");
  csd->certificado = Base64(der, static_cast<size_t>(len));
  OPENSSL_free(der);
  return csd;
}

const Csd& CsdFor(std::string_view rfc) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Csd>, std::less<>> by_rfc;
  std::lock_guard lock(mu);
  auto it = by_rfc.find(rfc);
  if (it == by_rfc.end()) it = by_rfc.emplace(std::string(rfc), MakeCsd(std::string(rfc))).first;
  return *it->second;
}

void ReplaceOnce(std::string& s, std::string_view what, std::string_view with) {
  auto at = s.find(what);
  if (at == std::string::npos) Fail("placeholder missing");
  s.replace(at, what.size(), with);
}

}  // namespace

std::string SealWithTestCertificate(std::string xml, std::string_view emisor_rfc) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8)) Fail("unreadable XML");
  auto root = doc.document_element();
  auto version = std::string_view(root.attribute("Version").value());
  auto cadena = BuildCadena(root, xml::NamespaceOf(root), version);
  if (!cadena.unsupported.empty()) Fail("unsupported complement");
  const Csd& csd = CsdFor(emisor_rfc);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t sig_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, csd.key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len, reinterpret_cast<const unsigned char*>(cadena.text.data()),
                     cadena.text.size()) != 1)
    Fail("sign");
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     reinterpret_cast<const unsigned char*>(cadena.text.data()), cadena.text.size()) != 1)
    Fail("sign");
  ReplaceOnce(xml, kSelloPlaceholder, Base64(reinterpret_cast<const unsigned char*>(sig.data()), sig_len));
  ReplaceOnce(xml, kCertificadoPlaceholder, csd.certificado);
  return xml;
}

}  // namespace vertice::cfdi
