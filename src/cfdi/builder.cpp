#include "cfdi/builder.hpp"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "cfdi/test_csd.hpp"
#include "shared/decimal.hpp"

namespace vertice::cfdi {

namespace {

using shared::Money;
using shared::Rounding;
using Six = shared::Decimal<6>;

template <typename D>
D Must(std::string_view text) {
  auto v = D::Parse(text);
  if (!v) throw std::invalid_argument("cfdi builder: bad amount " + std::string(text));
  return *v;
}
template <typename T>
T Must(Result<T> r) {
  if (!r) throw std::invalid_argument("cfdi builder: " + r.error().message);
  return *r;
}

// XML attribute escaping for names and descriptions.
std::string Esc(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Tfd(const std::string& uuid, const std::string& fecha) {
  if (uuid.empty()) return "";
  return fmt::format(
      "<tfd:TimbreFiscalDigital xmlns:tfd=\"http://www.sat.gob.mx/TimbreFiscalDigital\" "
      "Version=\"1.1\" UUID=\"{}\" FechaTimbrado=\"{}\" RfcProvCertif=\"SPR190613I52\" SelloCFD=\"VERTICE\" "
      "NoCertificadoSAT=\"00001000000509846663\" SelloSAT=\"VERTICE\"/>",
      uuid, fecha);
}

constexpr const char* kHead =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cfdi:Comprobante xmlns:cfdi=\"http://www.sat.gob.mx/cfd/4\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ";

}  // namespace

std::string BuildInvoice(const InvoiceSpec& s) {
  Money subtotal;
  std::map<std::string, std::pair<Money, Money>> iva_groups;  // tasa → (base, importe)
  std::string conceptos;
  for (const auto& l : s.lines) {
    auto qty = Must<Six>(l.cantidad);
    auto price = Must<Money>(l.valor_unitario);
    Money importe = Must(price.Mul(qty, Rounding::kHalfUp));
    subtotal = Must(subtotal.Add(importe));
    std::string tax;
    if (l.iva.empty()) {
      tax = fmt::format("<cfdi:Traslado Base=\"{}\" Impuesto=\"002\" TipoFactor=\"Exento\"/>", importe.ToString());
      iva_groups.try_emplace("Exento");
      auto& g = iva_groups["Exento"];
      g.first = Must(g.first.Add(importe));
    } else {
      auto rate = Must<Six>(l.iva);
      Money iva = Must(importe.Mul(rate, Rounding::kHalfUp));
      tax = fmt::format(
          "<cfdi:Traslado Base=\"{}\" Impuesto=\"002\" TipoFactor=\"Tasa\" TasaOCuota=\"{}\" Importe=\"{}\"/>",
          importe.ToString(), l.iva, iva.ToString());
      auto& g = iva_groups[l.iva];
      g.first = Must(g.first.Add(importe));
      g.second = Must(g.second.Add(iva));
    }
    conceptos += fmt::format(
        "<cfdi:Concepto ClaveProdServ=\"{}\" Cantidad=\"{}\" ClaveUnidad=\"H87\" Unidad=\"Pieza\" Descripcion=\"{}\" "
        "ValorUnitario=\"{}\" Importe=\"{}\" ObjetoImp=\"02\"><cfdi:Impuestos><cfdi:Traslados>{}</cfdi:Traslados>"
        "</cfdi:Impuestos></cfdi:Concepto>",
        l.clave_prod_serv, l.cantidad, Esc(l.descripcion), price.ToString(), importe.ToString(), tax);
  }
  Money traslados;
  std::string header_taxes;
  bool any_rate = false;
  for (const auto& [tasa, g] : iva_groups) {
    if (tasa == "Exento") {
      header_taxes +=
          fmt::format("<cfdi:Traslado Base=\"{}\" Impuesto=\"002\" TipoFactor=\"Exento\"/>", g.first.ToString());
      continue;
    }
    any_rate = true;
    traslados = Must(traslados.Add(g.second));
    header_taxes += fmt::format(
        "<cfdi:Traslado Base=\"{}\" Impuesto=\"002\" TipoFactor=\"Tasa\" TasaOCuota=\"{}\" Importe=\"{}\"/>",
        g.first.ToString(), tasa, g.second.ToString());
  }
  Money total = Must(subtotal.Add(traslados));
  std::string related;
  for (const auto& [tipo, uuid] : s.related)
    related += fmt::format(
        "<cfdi:CfdiRelacionados TipoRelacion=\"{}\"><cfdi:CfdiRelacionado UUID=\"{}\"/>"
        "</cfdi:CfdiRelacionados>",
        tipo, uuid);
  auto xml = fmt::format(
      "{}Version=\"4.0\" Serie=\"{}\" Folio=\"{}\" Fecha=\"{}\" FormaPago=\"{}\" "
      "NoCertificado=\"{}\" "
      "SubTotal=\"{}\" Moneda=\"{}\"{} Total=\"{}\" TipoDeComprobante=\"{}\" Exportacion=\"01\" MetodoPago=\"{}\" "
      "LugarExpedicion=\"06600\" Sello=\"{}\" Certificado=\"{}\">{}"
      "<cfdi:Emisor Rfc=\"{}\" Nombre=\"{}\" RegimenFiscal=\"601\"/>"
      "<cfdi:Receptor Rfc=\"{}\" Nombre=\"{}\" DomicilioFiscalReceptor=\"06600\" RegimenFiscalReceptor=\"601\" "
      "UsoCFDI=\"G03\"/><cfdi:Conceptos>{}</cfdi:Conceptos>"
      "<cfdi:Impuestos{}><cfdi:Traslados>{}</cfdi:Traslados></cfdi:Impuestos>{}</cfdi:Comprobante>\n",
      kHead, s.serie, s.folio, s.fecha, s.forma_pago, kTestNoCertificado, subtotal.ToString(), s.moneda,
      s.tipo_cambio.empty() ? "" : fmt::format(" TipoCambio=\"{}\"", s.tipo_cambio), total.ToString(), s.tipo,
      s.metodo_pago, kSelloPlaceholder, kCertificadoPlaceholder, related, s.emisor_rfc, Esc(s.emisor_nombre),
      s.receptor_rfc, Esc(s.receptor_nombre), conceptos,
      any_rate ? fmt::format(" TotalImpuestosTrasladados=\"{}\"", traslados.ToString()) : "", header_taxes,
      s.uuid.empty() ? "" : "<cfdi:Complemento>" + Tfd(s.uuid, s.fecha) + "</cfdi:Complemento>");
  return SealWithTestCertificate(std::move(xml), s.emisor_rfc);
}

std::string BuildPayment(const PaymentSpec& s) {
  std::string docs;
  Money monto_computed;
  for (const auto& d : s.docs) {
    auto before = Must<Money>(d.saldo_anterior);
    auto paid = Must<Money>(d.pagado);
    auto after = Must(before.Sub(paid));
    auto eq = Must<shared::Decimal<6>>(d.equivalencia);
    monto_computed = Must(monto_computed.Add(Must(paid.Div(eq, Rounding::kHalfUp))));
    docs += fmt::format(
        "<pago20:DoctoRelacionado IdDocumento=\"{}\" MonedaDR=\"{}\" EquivalenciaDR=\"{}\" NumParcialidad=\"{}\" "
        "ImpSaldoAnt=\"{}\" ImpPagado=\"{}\" ImpSaldoInsoluto=\"{}\" ObjetoImpDR=\"01\"/>",
        d.uuid, d.moneda_dr, d.equivalencia, d.parcialidad, before.ToString(), paid.ToString(), after.ToString());
  }
  std::string monto = s.monto.empty() ? monto_computed.ToString() : s.monto;
  Money monto_mxn = Must<Money>(monto);
  if (!s.tipo_cambio_p.empty()) monto_mxn = Must(monto_mxn.Mul(Must<Six>(s.tipo_cambio_p), Rounding::kHalfUp));
  auto xml = fmt::format(
      "{}xmlns:pago20=\"http://www.sat.gob.mx/Pagos20\" Version=\"4.0\" Serie=\"P\" Folio=\"{}\" Fecha=\"{}\" "
      "NoCertificado=\"{}\" SubTotal=\"0\" Moneda=\"XXX\" Total=\"0\" TipoDeComprobante=\"P\" "
      "Exportacion=\"01\" LugarExpedicion=\"06600\" Sello=\"{}\" Certificado=\"{}\">"
      "<cfdi:Emisor Rfc=\"{}\" Nombre=\"{}\" RegimenFiscal=\"601\"/>"
      "<cfdi:Receptor Rfc=\"{}\" Nombre=\"{}\" DomicilioFiscalReceptor=\"06600\" RegimenFiscalReceptor=\"601\" "
      "UsoCFDI=\"CP01\"/><cfdi:Conceptos><cfdi:Concepto ClaveProdServ=\"84111506\" Cantidad=\"1\" ClaveUnidad=\"ACT\" "
      "Descripcion=\"Pago\" ValorUnitario=\"0\" Importe=\"0\" ObjetoImp=\"01\"/></cfdi:Conceptos>"
      "<cfdi:Complemento><pago20:Pagos Version=\"2.0\"><pago20:Totales MontoTotalPagos=\"{}\"/>"
      "<pago20:Pago FechaPago=\"{}\" FormaDePagoP=\"{}\" MonedaP=\"{}\"{} Monto=\"{}\">{}</pago20:Pago>"
      "</pago20:Pagos>{}</cfdi:Complemento></cfdi:Comprobante>\n",
      kHead, s.folio, s.fecha, kTestNoCertificado, kSelloPlaceholder, kCertificadoPlaceholder, s.emisor_rfc,
      Esc(s.emisor_nombre), s.receptor_rfc, Esc(s.receptor_nombre), monto_mxn.ToString(), s.fecha_pago, s.forma_pago,
      s.moneda_p, s.tipo_cambio_p.empty() ? " TipoCambioP=\"1\"" : fmt::format(" TipoCambioP=\"{}\"", s.tipo_cambio_p),
      monto, docs, Tfd(s.uuid, s.fecha));
  return SealWithTestCertificate(std::move(xml), s.emisor_rfc);
}

}  // namespace vertice::cfdi
