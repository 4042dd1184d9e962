#include "cfdi/test_csd.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
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

// One RSA-2048 key (as SAT's CSDs: verification costs what a real one costs) for every test
// certificate, PKCS#8 DER in hex. Not a secret: it seals generated demo and test documents only,
// and a self-signed certificate with any RFC is no more trusted with it than with a fresh key
// (Vértice does not verify the chain to SAT's CA, docs/api.md). Fixed, so a generated document
// has the same bytes in every process: the demo data loaded twice is a duplicate, not a conflict.
constexpr const char* kTestKeyHex =
    "308204a30201000282010100bd39ac994d4af924c6c7870cd3040cdda95840b708e62edeb95296ed5d783c4d9c3bb0ee0a61"
    "dc4fe0aa8ca764076027a15e8de804de7efc094ca2239994a693fe1e43ce3313a3401f95bb4334eb6db9b22e1a4e678e88b7"
    "e4fbdf0753caf1cdf84e922c899007762cc171ba07e3a6d33514b691b7023bd342906ff27109981384a5636275b4df48a063"
    "430efac38b6b013da13028713ae405ede1e7c13a894b190eb5d4ea02f0c71ae03f0e73f7ede53c471bb116529b5db1310233"
    "825000691f5dbd50330e4d5fee19b4813d8eb60912f403214cd858e577d5f6d3e467e702ad5879273c1ba7b54a7dc846a2df"
    "9fd14220017a9d65f4d6bb7d1119f19342d1020301000102820100330c2c13ef561a80615fd27f132e348a57f5070059d63f"
    "2eb6b0212747dff7e4b811225a1552f12c5b5fa7324139fc26b4d1dd568a79bba8229a19e3a0bb09754348c6e209c572750a"
    "104ac486b23c97ac09e3eee2e100e11b551785d2851d5683762ed8f50375ffdb73144b2b75aebbabc63aba74b4958f1895fe"
    "9d59014d94ff9075cb3cbfc1aabbd4b76228ecce935665209fc718826f08a52685f764c11975a61962e92d1ad19fc032e422"
    "90793477a7d56e53340c0f227c1b47a176996e8eae2da98b817dc0e4fcf7208b07c8dc299d3cfd12ae4e15c545431b1e5df5"
    "2e2ac056de56e61756edba0c612a8ca2e9c4584f6701173937e6eab924605a0e4102818100e3fa8c855c21c07cab26ee0a05"
    "7825a403928342c32d9e9631336efd2729f03fedb18b29e94d4951c32244dba381821e75c7036d1e96c9c8286c09e9b701a3"
    "8ac6ff698460a72eb46d68abc6beb8ad36d539cae8c24ca56ed92969f27bfec5bdf67d93d5ac5eea0251623ba5b1317a2dbe"
    "113e812b376a2fc4459cebf132e77f02818100d47bbb5b53558494db107fc78f5f71d280ac67c2a7ddc48190c9850ec5ed7d"
    "f6af3164eb5f0032049895a0b5a199007094832613a78a40473fdc66be244b6cc7860e3894165af04cf09f050ecb2b00a7cf"
    "152c0645ce2e3111a806f7a0937997a79610a92aa9c4ec962b2826c05d8fa71e17478081442b725fa9e6687a427daf028181"
    "00e3004f7b5ac9a0c882033972710fb92b1f037bffb6286e884e65505671f0a8707f5511a4a1d17af816bcc0a392a319d50a"
    "a12720381d1cbe58c17afd6464155bd1d9f04f078e704ae7c61984c3d34f6611da81d851dfcfba1831cc74ce5258c355f4a4"
    "8756230c0f52c9e56a8e8d1d82fe865d1e70d1b4c1eb450583499fce3102818038eaa7e62fad61a54a04e2657f472ec3174a"
    "9744b2189a71a66a04a54f696d6b6dc44a672dfc6c6984c1d7d9af5ebf9a687db4ee60db8c9a4945ed93933f4cf5293897f9"
    "3affc30ca90bbf9c15da0003f35995805ca47d0511d8b37d135b4d9fccf94a9f35d961f189cc27a631b31e2ec2c5b3967d89"
    "d8257bf093d27aa562eb028180219aa8fd09696df7ef5a50c4c9375b2280df2aaf127c9ad69dd842f978ba598853e85ffde9"
    "ef26ce201b78449995223b5f7e2160115d4f4dac74660986432c4469f83ec74c5dd420df4a18abfcf2be42ec705009ad9c3e"
    "b406313cca9ed5a2e1ee2a152aa86a826dded65c3233332c785479c97289aca93e1c76cf87742aac95";

EVP_PKEY* TestKey() {
  static EVP_PKEY* key = [] {
    std::string hex(kTestKeyHex), der;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) der += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    return d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
  }();
  if (!key) Fail("test key");
  return key;
}

std::unique_ptr<Csd> MakeCsd(const std::string& rfc) {
  auto csd = std::make_unique<Csd>();
  EVP_PKEY_up_ref(TestKey());
  csd->key.reset(TestKey());
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
