// Every fixture of tests/fixtures/cfdi (copied from ../shared/fixtures/cfdi with its MANIFEST)
// through Parse + Validate: fields equal to expected.json, broken files refused with their class.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cfdi/builder.hpp"
#include "cfdi/parser.hpp"
#include "cfdi/rules.hpp"

namespace vertice::cfdi {
namespace {

namespace json = boost::json;
const std::filesystem::path kDir = std::filesystem::path(VERTICE_FIXTURES_DIR) / "cfdi";

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json::object Expected() { return json::parse(ReadFile(kDir / "expected.json")).as_object(); }

json::value Str(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }
json::value Num(const std::optional<Number>& n) { return n ? json::value(n->text) : json::value(nullptr); }
json::value Fac(const std::optional<FactorNumber>& n) { return n ? json::value(n->text) : json::value(nullptr); }

bool HasClass(const std::vector<Finding>& findings, std::string_view cls, Severity severity) {
  for (const auto& f : findings)
    if (f.error_class == cls && f.severity == severity) return true;
  return false;
}

std::string Describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings)
    out += (f.severity == Severity::kError ? "E " : "W ") + f.code + " " + f.error_class + ": " + f.message + "\n";
  return out;
}

TEST(CfdiFixtures, BrokenFilesAreRefusedWithTheirErrorClass) {
  int broken = 0;
  for (const auto& [name, rec] : Expected()) {
    if (rec.at("error").is_null()) continue;
    ++broken;
    auto checked = Check(ReadFile(kDir / std::string(name)));
    EXPECT_FALSE(checked.Accepted()) << name;
    EXPECT_TRUE(HasClass(checked.findings, rec.at("error").as_string(), Severity::kError))
        << name << " expected " << rec.at("error") << "\n"
        << Describe(checked.findings);
  }
  EXPECT_EQ(broken, 7);
}

TEST(CfdiFixtures, ValidFilesAreAcceptedWithEveryExpectedField) {
  int valid = 0;
  for (const auto& [name, value] : Expected()) {
    const auto& rec = value.as_object();
    if (!rec.at("error").is_null()) continue;
    ++valid;
    SCOPED_TRACE(std::string(name));
    auto checked = Check(ReadFile(kDir / std::string(name)));
    ASSERT_TRUE(checked.Accepted()) << Describe(checked.findings);
    const auto& d = *checked.document;
    std::string tipo(rec.at("tipo").as_string());
    if (tipo == "ingreso") tipo = "I";
    EXPECT_EQ(d.tipo, tipo);
    EXPECT_EQ(json::value(d.version), rec.at("version"));
    EXPECT_EQ(d.Stamped() ? json::value(d.Uuid()) : json::value(nullptr), rec.at("uuid"));
    EXPECT_EQ(Str(d.fecha), rec.at("fecha"));
    EXPECT_EQ(json::value(d.emisor.rfc), rec.at("emisor_rfc"));
    EXPECT_EQ(Str(d.emisor.nombre), rec.at("emisor_nombre"));
    EXPECT_EQ(json::value(d.receptor.rfc), rec.at("receptor_rfc"));
    EXPECT_EQ(Num(d.subtotal), rec.at("subtotal"));
    EXPECT_EQ(Num(d.descuento), rec.at("descuento"));
    EXPECT_EQ(Num(d.total), rec.at("total"));
    if (!rec.at("moneda").is_null()) {
      EXPECT_EQ(json::value(d.moneda), rec.at("moneda"));
    }
    EXPECT_EQ(Fac(d.tipo_cambio), rec.at("tipo_cambio"));
    EXPECT_EQ(Str(d.metodo_pago), rec.at("metodo_pago"));
    EXPECT_EQ(Str(d.forma_pago), rec.at("forma_pago"));
    EXPECT_EQ(Num(d.total_traslados), rec.at("total_impuestos_trasladados"));
    EXPECT_EQ(Num(d.total_retenciones), rec.at("total_impuestos_retenidos"));
    EXPECT_EQ(static_cast<int64_t>(d.conceptos.size()), rec.at("num_conceptos").as_int64());
    json::array comps;
    for (const auto& c : d.complementos) comps.emplace_back(c);
    EXPECT_EQ(json::value(comps), rec.at("complementos"));
    EXPECT_EQ(d.has_addenda, rec.at("has_addenda").as_bool());
    if (d.stamp) {
      EXPECT_EQ(json::value(d.stamp->version), rec.at("tfd_version"));
    }
    if (rec.contains("pagos")) {
      ASSERT_TRUE(d.payments);
      const auto& pagos = rec.at("pagos").as_array();
      ASSERT_EQ(pagos.size(), d.payments->pagos.size());
      for (size_t i = 0; i < pagos.size(); ++i) {
        const auto& ep = pagos[i].as_object();
        const auto& p = d.payments->pagos[i];
        EXPECT_EQ(json::value(d.payments->version), ep.at("pagos_version"));
        EXPECT_EQ(json::value(p.fecha_pago), ep.at("fecha_pago"));
        EXPECT_EQ(Num(p.monto), ep.at("monto"));
        EXPECT_EQ(json::value(p.moneda), ep.at("moneda"));
        EXPECT_EQ(Fac(p.tipo_cambio), ep.at("tipo_cambio"));
        EXPECT_EQ(Str(p.forma_pago), ep.at("forma_pago"));
        const auto& docs = ep.at("docs").as_array();
        ASSERT_EQ(docs.size(), p.docs.size());
        for (size_t k = 0; k < docs.size(); ++k) {
          const auto& ed = docs[k].as_object();
          const auto& doc = p.docs[k];
          EXPECT_EQ(json::value(doc.id_documento), ed.at("id_documento"));
          EXPECT_EQ(doc.pagado_implied ? json::value(nullptr) : Num(doc.pagado), ed.at("imp_pagado"));
          EXPECT_EQ(doc.num_parcialidad ? json::value(std::to_string(*doc.num_parcialidad)) : json::value(nullptr),
                    ed.at("num_parcialidad"));
          EXPECT_EQ(Num(doc.saldo_anterior), ed.at("imp_saldo_ant"));
          EXPECT_EQ(Num(doc.insoluto), ed.at("imp_saldo_insoluto"));
          EXPECT_EQ(Str(doc.moneda_dr), ed.at("moneda_dr"));
          EXPECT_EQ(Fac(doc.equivalencia), ed.at("equivalencia_dr"));
        }
      }
      if (rec.contains("monto_total_pagos")) {
        EXPECT_EQ(Num(d.payments->monto_total_pagos), rec.at("monto_total_pagos"));
      }
    } else {
      EXPECT_FALSE(d.payments);
    }
    // The extractor's data-quality findings are our warnings too.
    if (rec.contains("check_warnings"))
      for (const auto& w : rec.at("check_warnings").as_array()) {
        std::string cls(w.as_string());
        cls = cls.substr(0, cls.find(':'));
        EXPECT_TRUE(HasClass(checked.findings, cls, Severity::kWarning)) << cls << "\n" << Describe(checked.findings);
      }
    EXPECT_EQ(d.Stamped(), !HasClass(checked.findings, classes::kUnstamped, Severity::kWarning));
  }
  EXPECT_EQ(valid, 34);
}

}  // namespace
}  // namespace vertice::cfdi

namespace vertice::cfdi {
namespace {

TEST(CfdiBuilder, WritesDocumentsThatPassEveryRule) {
  InvoiceSpec inv;
  inv.uuid = "11111111-2222-4333-8444-555555555555";
  inv.folio = "100";
  inv.fecha = "2026-03-01T10:00:00";
  inv.emisor_rfc = "ADI920101AB3";
  inv.emisor_nombre = "ACME DISTRIBUCIONES & CÍA";
  inv.receptor_rfc = "GCO930215KX7";
  inv.receptor_nombre = "GLOBEX";
  inv.metodo_pago = "PPD";
  inv.forma_pago = "99";
  inv.lines = {{"Café 1 kg", "3", "215.50"}, {"Libro", "1", "99.99", ""}, {"Agua", "2.5", "13.33", "0.080000"}};
  auto checked = Check(BuildInvoice(inv));
  ASSERT_TRUE(checked.Accepted()) << Describe(checked.findings);
  EXPECT_EQ(checked.document->total->text, "885.93");  // 646.50 + 99.99 + 33.33 (2.5 × 13.33) + 103.44 + 2.67
  EXPECT_EQ(checked.findings.size(), 0u) << Describe(checked.findings);

  PaymentSpec pay;
  pay.uuid = "21111111-2222-4333-8444-555555555555";
  pay.fecha = "2026-03-20T10:00:00";
  pay.emisor_rfc = inv.emisor_rfc;
  pay.receptor_rfc = inv.receptor_rfc;
  pay.fecha_pago = "2026-03-19T12:00:00";
  pay.moneda_p = "USD";
  pay.tipo_cambio_p = "17.50";
  pay.docs = {{inv.uuid, "MXN", "17.50", 1, "885.93", "350.00"}};
  auto paid = Check(BuildPayment(pay));
  ASSERT_TRUE(paid.Accepted()) << Describe(paid.findings);
  EXPECT_EQ(paid.document->payments->pagos[0].monto->text, "20.00");
  EXPECT_EQ(paid.findings.size(), 0u) << Describe(paid.findings);
}

TEST(CfdiRules, RejectsWhatSatRulesForbidWithEveryRuleListed) {
  InvoiceSpec inv;
  inv.uuid = "11111111-2222-4333-8444-555555555555";
  inv.fecha = "2026-02-30T10:00:00";
  inv.emisor_rfc = "ADI920101AB3";
  inv.receptor_rfc = "GCO930215KX7";
  inv.lines = {{"Café", "1", "100.00"}};
  auto xml = BuildInvoice(inv);
  xml.replace(xml.find("Total=\"116.00\""), 14, "Total=\"117.00\"");
  xml.replace(xml.find("Moneda=\"MXN\""), 12, "Moneda=\"MXN\" TipoCambio=\"17.5\"");
  auto checked = Check(xml);
  EXPECT_FALSE(checked.Accepted());
  std::set<std::string> codes;
  for (const auto& f : checked.findings) codes.insert(f.code);
  EXPECT_TRUE(codes.contains("SUMAS03")) << Describe(checked.findings);
  EXPECT_TRUE(codes.contains("FECHA01")) << Describe(checked.findings);
  EXPECT_TRUE(codes.contains("TIPOCAMBIO02")) << Describe(checked.findings);

  EXPECT_EQ(Check("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>").findings.at(0).error_class,
            classes::kMalformedXml);
  EXPECT_EQ(Check("").findings.at(0).error_class, classes::kMalformedXml);
  EXPECT_EQ(Check("<a xmlns='urn:x'/>").findings.at(0).error_class, classes::kNotACfdi);
}

}  // namespace
}  // namespace vertice::cfdi
