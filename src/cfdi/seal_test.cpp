// The issuer's seal against the real fixtures (tests/fixtures/cfdi): every genuine seal verifies,
// any one changed attribute or amount makes it fail, fake certificates and seals are invalid, an
// unsupported complement is not verifiable, empty seals are unsigned. Plus the parser's namespace
// checks and the generated documents' test seals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cfdi/builder.hpp"
#include "cfdi/parser.hpp"
#include "cfdi/seal.hpp"

namespace vertice::cfdi {
namespace {

const std::filesystem::path kDir = std::filesystem::path(VERTICE_FIXTURES_DIR) / "cfdi";

std::string ReadFile(const std::string& name) {
  std::ifstream in(kDir / name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SealVerdict Verify(std::string_view bytes) {
  static CertificateCache cache;
  auto doc = Parse(bytes);
  EXPECT_TRUE(doc.has_value()) << (doc ? "" : doc.error().message);
  if (!doc) return {SealState::kInvalid, "unreadable", ""};
  return VerifySeal(*doc, cache);
}

// Fixtures whose seal is genuine (checked against SAT's certificates' keys).
const std::vector<std::string> kGenuine = {
    "cfdi32_ingreso_real_legacy.xml",  // 3.2: SHA-1
    "cfdi33_e_nota_credito.xml",
    "cfdi33_i_multiples_tasas_ppd.xml",  // a schema example, sealed with a SAT test certificate
    "cfdi33_i_ppd_retenciones_stamped.xml",
    "cfdi33_i_real_implocal.xml",  // Impuestos locales
    "cfdi33_i_sustitucion_relacionados.xml",
    "cfdi33_i_usd_descuentos_unstamped.xml",
    "cfdi33_i_valid_3conceptos.xml",
    "cfdi33_n_nomina12.xml",              // Nómina 1.2 on 3.3
    "cfdi33_p_pago10_parcialidad10.xml",  // Pagos 1.0
    "cfdi40_i_6conceptos_ret_rounding_unstamped.xml",
    "cfdi40_i_ieps_exento_stamped.xml",
    "cfdi40_i_informacion_global_unstamped.xml",  // InformacionGlobal
    "cfdi40_i_iva8_stamped.xml",
    "cfdi40_i_ppd_iva16_stamped.xml",
    "cfdi40_i_ppd_retenciones_stamped.xml",
    "cfdi40_i_real.xml",
    "cfdi40_i_usd_descuentos_unstamped.xml",
    "cfdi40_i_valid.xml",
    "cfdi40_n_nomina12_unstamped.xml",      // Nómina 1.2 on 4.0
    "cfdi40_p_pago20_2docs_unstamped.xml",  // Pagos 2.0
    "cfdi40_p_pago20_pays_ppd_iva16_stamped.xml",
};

TEST(Seal, EveryGenuineFixtureVerifies) {
  for (const auto& name : kGenuine) {
    auto v = Verify(ReadFile(name));
    EXPECT_EQ(v.state, SealState::kValid) << name << ": " << v.reason << " " << v.message;
  }
}

TEST(Seal, FakeOrEditedSealsAreInvalid) {
  const std::map<std::string, std::string> kInvalid = {
      // Derived fixtures (MANIFEST: edited after sealing).
      {"broken_totals_mismatch.xml", seal_reasons::kSignatureMismatch},
      {"cfdi40_e_nota_credito_derived.xml", seal_reasons::kSignatureMismatch},
      // The PUE twin carries the PPD invoice's Sello unchanged: copied, not sealed.
      {"cfdi40_i_pue_iva16_stamped.xml", seal_reasons::kSignatureMismatch},
      // "Manipulated to sign it" with SAT's test certificate, then its amounts edited (MANIFEST).
      {"cfdi33_p_pago10_docto_usd.xml", seal_reasons::kSignatureMismatch},
      // CfdiUtils samples whose Certificado is a base64 PEM header and whose Sello is 4 bytes.
      {"cfdi33_p_pago10_partial_unstamped.xml", seal_reasons::kMalformedCertificate},
      {"cfdi33_p_pago10_usd_unstamped.xml", seal_reasons::kMalformedCertificate},
      {"broken_pago10_importes_inconsistentes.xml", seal_reasons::kMalformedCertificate},
  };
  for (const auto& [name, reason] : kInvalid) {
    auto v = Verify(ReadFile(name));
    EXPECT_EQ(v.state, SealState::kInvalid) << name;
    EXPECT_EQ(v.reason, reason) << name << ": " << v.message;
  }
}

TEST(Seal, EmptySealIsUnsigned) {
  for (const char* name : {"cfdi40_n_nomina12_stamped.xml", "cfdi40_p_pago20_2pagos_calc003.xml",
                           "cfdi40_p_pago20_calc002.xml", "cfdi40_p_pago20_multimoneda_calc001.xml",
                           "cfdi40_p_pago20_sat_example_3pagos.xml", "cfdi40_t_traslado_cartaporte_derived.xml"})
    EXPECT_EQ(Verify(ReadFile(name)).state, SealState::kUnsigned) << name;
}

TEST(Seal, UnsupportedComplementIsNotVerifiableNeverInvalid) {
  auto v = Verify(ReadFile("cfdi33_i_detallista_retail.xml"));
  EXPECT_EQ(v.state, SealState::kNotVerifiable) << v.message;
  EXPECT_EQ(v.reason, "detallista");
  // Tampering with it cannot be judged either way: still not verifiable, not invalid.
  auto xml = ReadFile("cfdi33_i_detallista_retail.xml");
  auto at = xml.find(" Total=\"");
  ASSERT_NE(at, std::string::npos);
  xml.insert(at + 8, "1");
  EXPECT_EQ(Verify(xml).state, SealState::kNotVerifiable);
}

// The value of the first attribute `name` preceded by whitespace, changed in its last character.
bool Tamper(std::string& xml, std::string_view name) {
  const std::string needle = std::string(name) + "=\"";
  for (size_t at = xml.find(needle); at != std::string::npos; at = xml.find(needle, at + 1)) {
    if (at == 0 || !std::isspace(static_cast<unsigned char>(xml[at - 1]))) continue;
    auto end = xml.find('"', at + needle.size());
    if (end == std::string::npos || end == at + needle.size()) return false;
    char& c = xml[end - 1];
    c = (c >= '0' && c <= '8') ? static_cast<char>(c + 1) : (c == '9' ? '0' : (c == 'A' ? 'B' : 'A'));
    return true;
  }
  return false;
}

TEST(Seal, AnyOneChangedAttributeOrAmountFails) {
  int tampered = 0;
  for (const auto& name : kGenuine) {
    const auto original = ReadFile(name);
    for (const char* attr : {"Total",
                             "total",
                             "SubTotal",
                             "Importe",
                             "importe",
                             "Descripcion",
                             "descripcion",
                             "ValorUnitario",
                             "Cantidad",
                             "Folio",
                             "Moneda",
                             "UsoCFDI",
                             "Nombre",
                             "ImpPagado",
                             "ImpSaldoInsoluto",
                             "Monto",
                             "TotalPercepciones",
                             "TotalDeducciones",
                             "TotaldeTraslados",
                             "TasaOCuota",
                             "Base",
                             "NumParcialidad"}) {
      auto xml = original;
      if (!Tamper(xml, attr)) continue;
      auto doc = Parse(xml);
      if (!doc) continue;  // the change made it unreadable: refused anyway
      CertificateCache cache;
      auto v = VerifySeal(*doc, cache);
      EXPECT_EQ(v.state, SealState::kInvalid) << name << " with " << attr << " changed";
      ++tampered;
    }
  }
  EXPECT_GT(tampered, 100);
}

TEST(Seal, AddendaIsOutsideTheSeal) {
  auto xml = ReadFile("cfdi40_i_valid.xml");
  auto at = xml.rfind("</cfdi:Comprobante>");
  ASSERT_NE(at, std::string::npos);
  xml.insert(at, "<cfdi:Addenda><x:Pedido xmlns:x=\"urn:proveedor\" Numero=\"123\"/></cfdi:Addenda>");
  EXPECT_EQ(Verify(xml).state, SealState::kValid);
}

TEST(Seal, WhitespaceInsideValuesIsNormalised) {
  // normalize-space: a value written with extra inner or outer blanks seals like the collapsed one.
  auto xml = ReadFile("cfdi40_i_valid.xml");
  auto doc = Parse(xml);
  ASSERT_TRUE(doc);
  auto at = xml.find(" Nombre=\"");
  ASSERT_NE(at, std::string::npos);
  auto value_at = at + 9;
  auto end = xml.find('"', value_at);
  auto value = xml.substr(value_at, end - value_at);
  auto space = value.find(' ');
  ASSERT_NE(space, std::string::npos) << value;
  std::string spaced = "  " + value.substr(0, space) + "   \t" + value.substr(space + 1) + " ";
  xml.replace(value_at, end - value_at, spaced);
  EXPECT_EQ(Verify(xml).state, SealState::kValid);
}

TEST(Seal, CertificateChecks) {
  auto base = ReadFile("cfdi40_i_valid.xml");
  {  // NoCertificado not the certificate's serial
    auto xml = base;
    ASSERT_TRUE(Tamper(xml, "NoCertificado"));
    auto v = Verify(xml);
    EXPECT_EQ(v.state, SealState::kInvalid);
    EXPECT_EQ(v.reason, seal_reasons::kSerialMismatch);
  }
  {  // emisor not the certificate's holder
    auto xml = base;
    ASSERT_TRUE(Tamper(xml, "Rfc"));
    auto v = Verify(xml);
    EXPECT_EQ(v.reason, seal_reasons::kRfcMismatch);
  }
  {  // Fecha outside the certificate's validity (2023-05-18 to 2027-05-18)
    auto xml = base;
    auto at = xml.find(" Fecha=\"2025");
    ASSERT_NE(at, std::string::npos);
    xml.replace(at + 8, 4, "2019");
    auto v = Verify(xml);
    EXPECT_EQ(v.reason, seal_reasons::kCertificateNotValidAtFecha);
  }
  {  // a certificate that is not one
    auto xml = base;
    auto at = xml.find(" Certificado=\"");
    ASSERT_NE(at, std::string::npos);
    xml.replace(at + 14, 8, "AAAAAAAA");
    auto v = Verify(xml);
    EXPECT_EQ(v.reason, seal_reasons::kMalformedCertificate);
  }
  {  // a seal that is not base64
    auto xml = base;
    auto at = xml.find(" Sello=\"");
    ASSERT_NE(at, std::string::npos);
    xml.replace(at + 8, 3, "!!!");
    EXPECT_EQ(Verify(xml).reason, seal_reasons::kMalformedSeal);
  }
}

TEST(Seal, GeneratedDocumentsCarryAValidTestSeal) {
  InvoiceSpec inv;
  inv.uuid = "0B5E2B6C-1F3A-4C9D-8E7F-123456789ABC";
  inv.folio = "9";
  inv.fecha = "2026-01-15T10:00:00";
  inv.emisor_rfc = "ADI920101AB3";
  inv.emisor_nombre = "ACME & HIJOS";
  inv.receptor_rfc = "WAL9709244W4";
  inv.receptor_nombre = "WALMART";
  inv.lines = {{"Café", "2", "100.00"}};
  auto xml = BuildInvoice(inv);
  EXPECT_EQ(Verify(xml).state, SealState::kValid);
  ASSERT_TRUE(Tamper(xml, "ValorUnitario"));
  EXPECT_EQ(Verify(xml).reason, seal_reasons::kSignatureMismatch);

  PaymentSpec pay;
  pay.uuid = "0B5E2B6C-1F3A-4C9D-8E7F-123456789ABD";
  pay.folio = "1";
  pay.fecha = "2026-02-01T10:00:00";
  pay.emisor_rfc = "ADI920101AB3";
  pay.receptor_rfc = "WAL9709244W4";
  pay.fecha_pago = "2026-02-01T09:00:00";
  pay.docs = {{inv.uuid, "MXN", "1", 1, "232.00", "232.00"}};
  auto p = BuildPayment(pay);
  EXPECT_EQ(Verify(p).state, SealState::kValid);
  ASSERT_TRUE(Tamper(p, "ImpPagado"));
  EXPECT_EQ(Verify(p).state, SealState::kInvalid);
}

// ---- namespaces -------------------------------------------------------------------------------

constexpr const char* kHead =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><cfdi:Comprobante xmlns:cfdi=\"http://www.sat.gob.mx/cfd/4\" "
    "Version=\"4.0\" Fecha=\"2026-01-01T00:00:00\" TipoDeComprobante=\"I\" SubTotal=\"1\" Total=\"1\"";

std::string ClassOf(std::string_view xml) {
  auto doc = Parse(xml);
  return doc ? "" : doc.error().error_class;
}

TEST(Namespaces, UndeclaredElementPrefixIsMalformed) {
  EXPECT_EQ(ClassOf(std::string(kHead) + "><cfdi:Emisor Rfc=\"AAA010101AAA\"/><cfdi:Receptor Rfc=\"XAXX010101000\"/>"
                                         "<cfdi:Complemento><tfd:TimbreFiscalDigital UUID=\"x\"/></cfdi:Complemento>"
                                         "</cfdi:Comprobante>"),
            "malformed_xml");
}

TEST(Namespaces, UndeclaredAttributePrefixIsMalformed) {
  EXPECT_EQ(ClassOf(std::string(kHead) + " xsi:schemaLocation=\"x\"><cfdi:Emisor Rfc=\"AAA010101AAA\"/>"
                                         "<cfdi:Receptor Rfc=\"XAXX010101000\"/></cfdi:Comprobante>"),
            "malformed_xml");
}

TEST(Namespaces, UndeclaredPrefixInsideAnAddendaIsMalformedToo) {
  EXPECT_EQ(ClassOf(std::string(kHead) + "><cfdi:Emisor Rfc=\"AAA010101AAA\"/><cfdi:Receptor Rfc=\"XAXX010101000\"/>"
                                         "<cfdi:Addenda><p:Pedido/></cfdi:Addenda></cfdi:Comprobante>"),
            "malformed_xml");
}

TEST(Namespaces, CfdiElementOutsideTheCfdiNamespaceIsMalformed) {
  // Unprefixed (no default namespace) and in another namespace.
  EXPECT_EQ(ClassOf(std::string(kHead) + "><Emisor Rfc=\"AAA010101AAA\"/><cfdi:Receptor Rfc=\"XAXX010101000\"/>"
                                         "</cfdi:Comprobante>"),
            "malformed_xml");
  EXPECT_EQ(ClassOf(std::string(kHead) + "><cfdi:Emisor Rfc=\"AAA010101AAA\"/><c3:Receptor "
                                         "xmlns:c3=\"http://www.sat.gob.mx/cfd/3\" Rfc=\"XAXX010101000\"/>"
                                         "</cfdi:Comprobante>"),
            "malformed_xml");
  EXPECT_EQ(
      ClassOf(std::string(kHead) + "><cfdi:Emisor Rfc=\"AAA010101AAA\"/><cfdi:Receptor Rfc=\"XAXX010101000\"/>"
                                   "<cfdi:Conceptos><x:Concepto xmlns:x=\"urn:x\" Importe=\"1\"/></cfdi:Conceptos>"
                                   "</cfdi:Comprobante>"),
      "malformed_xml");
}

TEST(Namespaces, TwoRootsAreMalformed) {
  std::string one = std::string(kHead) +
                    "><cfdi:Emisor Rfc=\"AAA010101AAA\"/><cfdi:Receptor Rfc=\"XAXX010101000\"/>"
                    "</cfdi:Comprobante>";
  EXPECT_EQ(ClassOf(one), "");
  auto second = one;
  second.replace(0, std::string_view("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").size(), "");
  EXPECT_EQ(ClassOf(one + second), "malformed_xml");
}

TEST(Namespaces, ComplementsAndDeclarationsOnDescendantsAreFine) {
  // Complements in their own namespaces, declared on the element itself; a default namespace.
  EXPECT_EQ(ClassOf("<Comprobante xmlns=\"http://www.sat.gob.mx/cfd/4\" Version=\"4.0\" Fecha=\"2026-01-01T00:00:00\" "
                    "TipoDeComprobante=\"I\" SubTotal=\"1\" Total=\"1\"><Emisor Rfc=\"AAA010101AAA\"/>"
                    "<Receptor Rfc=\"XAXX010101000\"/><Complemento><x:Otro xmlns:x=\"urn:x\"><x:Hijo/></x:Otro>"
                    "</Complemento></Comprobante>"),
            "");
}

TEST(Namespaces, EveryFixtureKeepsItsClass) {
  // Real files declare what they use: none becomes malformed_xml because of the checks.
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (e.path().extension() != ".xml") continue;
    auto name = e.path().filename().string();
    if (name == "broken_malformed_truncated.xml") continue;
    EXPECT_NE(ClassOf(ReadFile(name)), "malformed_xml") << name;
  }
}

}  // namespace
}  // namespace vertice::cfdi
