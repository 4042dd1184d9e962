#include "cfdi/parser.hpp"

#include <fmt/format.h>

#include <pugixml.hpp>

#include "cfdi/cadena.hpp"
#include "cfdi/xml_names.hpp"
#include "core/text.hpp"

namespace vertice::cfdi {

namespace {

using xml::Is;
using xml::LocalName;
using xml::NamespaceOf;

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view ns_uri, std::string_view local) {
  for (auto c = parent.first_child(); c; c = c.next_sibling())
    if (Is(c, ns_uri, local)) return c;
  return {};
}

template <typename F>
void EachChild(const pugi::xml_node& parent, std::string_view ns_uri, std::string_view local, F&& f) {
  for (auto c = parent.first_child(); c; c = c.next_sibling())
    if (Is(c, ns_uri, local)) f(c);
}

// The attribute's value by its 3.3/4.0 name, or the 3.2 lowerCamel one.
std::string Attr(const pugi::xml_node& n, const char* name, const char* legacy = nullptr) {
  if (auto a = n.attribute(name)) return a.value();
  if (legacy)
    if (auto a = n.attribute(legacy)) return a.value();
  return {};
}
bool HasAttr(const pugi::xml_node& n, const char* name, const char* legacy = nullptr) {
  return n.attribute(name) || (legacy && n.attribute(legacy));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "[0-9]+(\.[0-9]+)?" (a leading '-' tolerated) rounded half up to Scale decimals; decimals written
// are reported as written. Hand-written: the shared Decimal parser is strict about the scale.
template <typename D>
std::optional<D> ParseScaled(std::string_view text, int& decimals) {
  text = Trim(text);
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 15 || (dot != std::string_view::npos && frac.empty())) return std::nullopt;
  shared::Int128 units = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    units = units * 10 + (c - '0');
  }
  for (char c : frac)
    if (c < '0' || c > '9') return std::nullopt;
  decimals = static_cast<int>(frac.size());
  for (int i = 0; i < D::kScale; ++i) units = units * 10 + (i < static_cast<int>(frac.size()) ? frac[i] - '0' : 0);
  if (static_cast<int>(frac.size()) > D::kScale && frac[D::kScale] >= '5') units += 1;  // half up
  if (units > INT64_MAX) return std::nullopt;
  auto v = static_cast<int64_t>(units);
  return D::FromUnits(negative ? -v : v);
}

class Reader {
 public:
  explicit Reader(Document& doc) : doc_(doc) {}

  std::optional<Number> Num(const pugi::xml_node& n, const char* name, const char* legacy = nullptr,
                            bool required = false) {
    return Read<Number>(n, name, legacy, required);
  }
  std::optional<FactorNumber> Fac(const pugi::xml_node& n, const char* name, const char* legacy = nullptr) {
    return Read<FactorNumber>(n, name, legacy, false);
  }
  std::string Required(const pugi::xml_node& n, const char* name, const char* legacy = nullptr) {
    if (!HasAttr(n, name, legacy)) Missing(n, name);
    return Attr(n, name, legacy);
  }

 private:
  // A number attribute (Number or FactorNumber): absent → nullopt (and a finding if required),
  // unreadable → nullopt and a finding.
  template <typename N>
  std::optional<N> Read(const pugi::xml_node& n, const char* name, const char* legacy, bool required) {
    if (!HasAttr(n, name, legacy)) {
      if (required) Missing(n, name);
      return std::nullopt;
    }
    auto text = Attr(n, name, legacy);
    N out;
    auto v = ParseScaled<decltype(out.value)>(text, out.decimals);
    if (!v) {
      Bad(n, name, text);
      return std::nullopt;
    }
    out.text = std::move(text);
    out.value = *v;
    return out;
  }
  void Missing(const pugi::xml_node& n, const char* name) {
    doc_.value_errors.push_back({"CFDI02", classes::kInvalidValue, Severity::kError,
                                 fmt::format("Falta el atributo obligatorio {}@{}.", LocalName(n), name)});
  }
  void Bad(const pugi::xml_node& n, const char* name, std::string_view text) {
    doc_.value_errors.push_back(
        {"CFDI03", classes::kInvalidValue, Severity::kError,
         fmt::format("{}@{} no es un número válido: \"{}\".", LocalName(n), name, text.substr(0, 40))});
  }
  Document& doc_;
};

std::string TaxCode(std::string impuesto) {  // 3.2 wrote names
  if (impuesto == "ISR") return "001";
  if (impuesto == "IVA") return "002";
  if (impuesto == "IEPS") return "003";
  return impuesto;
}

Tax ReadTax(Reader& r, const pugi::xml_node& n, TaxKind kind, bool legacy) {
  Tax t;
  t.kind = kind;
  t.impuesto = TaxCode(Attr(n, "Impuesto", "impuesto"));
  if (legacy) {
    t.tipo_factor = "Tasa";
    t.importe = r.Num(n, "importe", nullptr, true);
    if (auto tasa = r.Num(n, "tasa")) {  // a percentage in 3.2 ("16.00")
      auto fraction = tasa->value.DivInt(100, shared::Rounding::kHalfUp);
      if (fraction) tasa->value = *fraction;
      t.tasa = tasa;
    }
    return t;
  }
  t.tipo_factor = Attr(n, "TipoFactor");
  t.tasa = r.Num(n, "TasaOCuota");
  t.base = r.Num(n, "Base");
  t.importe = r.Num(n, "Importe");
  return t;
}

void ReadTaxes(Reader& r, const pugi::xml_node& impuestos, std::string_view cfd, bool legacy, std::vector<Tax>& out) {
  if (auto tr = Child(impuestos, cfd, "Traslados"))
    EachChild(tr, cfd, "Traslado", [&](auto n) { out.push_back(ReadTax(r, n, TaxKind::kTraslado, legacy)); });
  if (auto re = Child(impuestos, cfd, "Retenciones"))
    EachChild(re, cfd, "Retencion", [&](auto n) { out.push_back(ReadTax(r, n, TaxKind::kRetencion, legacy)); });
}

void ReadPayments(Reader& r, const pugi::xml_node& node, std::string_view pns, Document& doc) {
  Payments p;
  p.version = pns == ns::kPagos20 ? "2.0" : "1.0";
  const bool v2 = p.version == "2.0";
  if (auto tot = Child(node, pns, "Totales")) p.monto_total_pagos = r.Num(tot, "MontoTotalPagos");
  EachChild(node, pns, "Pago", [&](pugi::xml_node pn) {
    Payment pago;
    pago.fecha_pago = r.Required(pn, "FechaPago");
    pago.forma_pago = Attr(pn, "FormaDePagoP");
    pago.moneda = r.Required(pn, "MonedaP");
    pago.tipo_cambio = r.Fac(pn, "TipoCambioP");
    pago.monto = r.Num(pn, "Monto", nullptr, true);
    pago.num_operacion = Attr(pn, "NumOperacion");
    EachChild(pn, pns, "DoctoRelacionado", [&](pugi::xml_node dn) {
      PaymentDoc d;
      d.id_documento = ToUpperAscii(std::string(Trim(r.Required(dn, "IdDocumento"))));
      d.serie = Attr(dn, "Serie");
      d.folio = Attr(dn, "Folio");
      d.moneda_dr = Attr(dn, "MonedaDR");
      d.equivalencia = r.Fac(dn, v2 ? "EquivalenciaDR" : "TipoCambioDR");
      d.metodo_pago_dr = Attr(dn, "MetodoDePagoDR");
      if (HasAttr(dn, "NumParcialidad")) {
        int parcialidad = 0;
        auto text = Attr(dn, "NumParcialidad");
        auto value = ParseScaled<shared::Decimal<0>>(text, parcialidad);
        if (value && parcialidad == 0 && value->Units() > 0 && value->Units() < 100000)
          d.num_parcialidad = static_cast<int>(value->Units());
        else
          doc.value_errors.push_back(
              {"CFDI03", classes::kInvalidValue, Severity::kError,
               fmt::format("DoctoRelacionado@NumParcialidad no es un entero: \"{}\".", text.substr(0, 20))});
      }
      d.saldo_anterior = r.Num(dn, "ImpSaldoAnt");
      d.pagado = r.Num(dn, "ImpPagado");
      d.insoluto = r.Num(dn, "ImpSaldoInsoluto");
      pago.docs.push_back(std::move(d));
    });
    // Pagos 1.0: a single document without ImpPagado nor TipoCambioDR was paid the whole Monto.
    if (!v2 && pago.docs.size() == 1 && !pago.docs[0].pagado && !pago.docs[0].equivalencia && pago.monto) {
      pago.docs[0].pagado = pago.monto;
      pago.docs[0].pagado_implied = true;
    }
    p.pagos.push_back(std::move(pago));
  });
  if (!doc.payments) doc.payments = std::move(p);
}

void ReadComplement(Reader& r, const pugi::xml_node& c, Document& doc) {
  auto local = LocalName(c);
  doc.complementos.emplace_back(local);
  auto uri = NamespaceOf(c);
  if (uri == ns::kTfd && local == "TimbreFiscalDigital") {
    if (doc.stamp) return;  // the first stamp counts
    Stamp s;
    s.version = Attr(c, "Version", "version");
    s.uuid_present = HasAttr(c, "UUID");
    s.uuid = ToUpperAscii(std::string(Trim(Attr(c, "UUID"))));
    s.fecha_timbrado = Attr(c, "FechaTimbrado");
    s.rfc_prov_certif = Attr(c, "RfcProvCertif");
    s.no_certificado_sat = Attr(c, "noCertificadoSAT", "NoCertificadoSAT");
    if (s.no_certificado_sat.empty()) s.no_certificado_sat = Attr(c, "NoCertificadoSAT");
    doc.stamp = std::move(s);
  } else if ((uri == ns::kPagos10 || uri == ns::kPagos20) && local == "Pagos") {
    ReadPayments(r, c, uri, doc);
  } else if (uri == ns::kNomina12 && local == "Nomina" && !doc.nomina) {
    Nomina n;
    n.fecha_pago = Attr(c, "FechaPago");
    n.total_percepciones = r.Num(c, "TotalPercepciones");
    n.total_deducciones = r.Num(c, "TotalDeducciones");
    n.total_otros_pagos = r.Num(c, "TotalOtrosPagos");
    doc.nomina = std::move(n);
  } else if (uri == ns::kImpLocal && local == "ImpuestosLocales") {
    LocalTaxes lt = doc.local_taxes.value_or(LocalTaxes{});
    if (auto t = r.Num(c, "TotaldeTraslados")) lt.traslados = lt.traslados.Add(t->value).value_or(lt.traslados);
    if (auto t = r.Num(c, "TotaldeRetenciones")) lt.retenciones = lt.retenciones.Add(t->value).value_or(lt.retenciones);
    doc.local_taxes = lt;
  }
}

std::string NormaliseTipo(std::string tipo) {
  if (tipo == "ingreso") return "I";
  if (tipo == "egreso") return "E";
  if (tipo == "traslado") return "T";
  return tipo;
}

Finding Refuse(const char* code, const char* error_class, std::string message) {
  return {code, error_class, Severity::kError, std::move(message)};
}

bool IsXmlnsAttr(std::string_view name) { return name == "xmlns" || name.starts_with("xmlns:"); }

std::string_view PrefixOf(std::string_view qname) {
  auto colon = qname.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
}

// Namespace well-formedness, which pugixml does not check: exactly one root element; every
// element and attribute prefix bound by an xmlns declaration in scope ("xml" is bound by
// definition); and every element of the Comprobante outside Complemento, ComplementoConcepto and
// Addenda (whose content belongs to other schemas) in the Comprobante's own namespace.
// Iterative: a hostile document's depth cannot overflow the stack.
std::optional<Finding> CheckNamespaces(const pugi::xml_document& xml) {
  int roots = 0;
  for (auto n = xml.first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_element) ++roots;
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata)
      return Refuse("XML04", classes::kMalformedXml, "El XML tiene texto fuera del elemento raíz.");
  }
  if (roots != 1)
    return Refuse("XML04", classes::kMalformedXml,
                  fmt::format("El XML debe tener exactamente un elemento raíz; tiene {}.", roots));
  struct Binding {
    std::string_view prefix, uri;
  };
  struct Frame {
    pugi::xml_node node;
    size_t bindings;  // bindings.size() before this element's declarations
    bool cfdi;        // the element must be in the Comprobante's namespace
  };
  std::vector<Binding> bindings;
  std::vector<Frame> stack;
  bindings.reserve(16);
  stack.reserve(64);
  auto lookup = [&](std::string_view prefix) -> std::optional<std::string_view> {
    for (auto it = bindings.rbegin(); it != bindings.rend(); ++it)
      if (it->prefix == prefix) return it->uri;
    if (prefix.empty()) return std::string_view{};  // no default namespace
    return std::nullopt;
  };
  auto root = xml.document_element();
  std::string_view root_ns;
  stack.push_back({root, 0, true});
  while (!stack.empty()) {
    auto frame = stack.back();
    stack.pop_back();
    bindings.resize(frame.bindings);
    auto n = frame.node;
    for (auto a = n.first_attribute(); a; a = a.next_attribute()) {
      std::string_view an = a.name();
      if (an == "xmlns")
        bindings.push_back({{}, a.value()});
      else if (an.starts_with("xmlns:")) {
        if (*a.value() == '\0')
          return Refuse("XML05", classes::kMalformedXml,
                        fmt::format("El prefijo \"{}\" se declara con un espacio de nombres vacío.",
                                    std::string(an.substr(6)).substr(0, 40)));
        bindings.push_back({an.substr(6), a.value()});
      }
    }
    std::string_view name = n.name();
    auto prefix = PrefixOf(name);
    auto uri =
        prefix == "xml" ? std::optional<std::string_view>("http://www.w3.org/XML/1998/namespace") : lookup(prefix);
    if (!uri)
      return Refuse("XML05", classes::kMalformedXml,
                    fmt::format("El prefijo \"{}\" del elemento {} no está declarado (xmlns:{}).",
                                std::string(prefix).substr(0, 40), std::string(name).substr(0, 80),
                                std::string(prefix).substr(0, 40)));
    for (auto a = n.first_attribute(); a; a = a.next_attribute()) {
      std::string_view an = a.name();
      auto ap = PrefixOf(an);
      if (ap.empty() || ap == "xml" || IsXmlnsAttr(an)) continue;
      if (!lookup(ap))
        return Refuse("XML05", classes::kMalformedXml,
                      fmt::format("El prefijo \"{}\" del atributo {} no está declarado.", std::string(ap).substr(0, 40),
                                  std::string(an).substr(0, 80)));
    }
    if (n == root)
      root_ns = *uri;
    else if (frame.cfdi && *uri != root_ns)
      return Refuse("XML06", classes::kMalformedXml,
                    fmt::format("El elemento {} está fuera del espacio de nombres del CFDI ({}).",
                                std::string(name).substr(0, 80), std::string(root_ns).substr(0, 80)));
    auto local = LocalName(n);
    const bool children_cfdi = frame.cfdi && (root_ns == ns::kCfd3 || root_ns == ns::kCfd4) && local != "Complemento" &&
                               local != "Addenda" && local != "ComplementoConcepto";
    const size_t depth = bindings.size();
    // Children pushed last first, so they are visited in document order (messages name the first).
    for (auto c = n.last_child(); c; c = c.previous_sibling())
      if (c.type() == pugi::node_element) stack.push_back({c, depth, children_cfdi});
  }
  return std::nullopt;
}

}  // namespace

std::expected<Document, Finding> Parse(std::string_view bytes) {
  pugi::xml_document xml;
  auto loaded =
      xml.load_buffer(bytes.data(), bytes.size(), pugi::parse_default | pugi::parse_doctype, pugi::encoding_utf8);
  if (!loaded)
    return std::unexpected(
        Refuse("XML01", classes::kMalformedXml,
               fmt::format("El archivo no es XML bien formado: {} (byte {}).", loaded.description(), loaded.offset)));
  for (auto n = xml.first_child(); n; n = n.next_sibling())
    if (n.type() == pugi::node_doctype)
      return std::unexpected(Refuse("XML01", classes::kMalformedXml, "El XML declara un DTD; no se acepta."));
  auto root = xml.document_element();
  if (!root) return std::unexpected(Refuse("XML01", classes::kMalformedXml, "El archivo no tiene elemento raíz."));
  if (auto bad = CheckNamespaces(xml)) return std::unexpected(std::move(*bad));
  auto root_ns = NamespaceOf(root);
  if (LocalName(root) != "Comprobante") {
    if (root_ns == ns::kRetenciones1 || root_ns == ns::kRetenciones2)
      return std::unexpected(Refuse("CFDI01", classes::kNotACfdi,
                                    "Es un CFDI de Retenciones e información de pagos, no un Comprobante; "
                                    "no se importa como factura."));
    return std::unexpected(Refuse("CFDI01", classes::kNotACfdi,
                                  fmt::format("El elemento raíz es \"{}\", no un Comprobante CFDI.",
                                              std::string(LocalName(root)).substr(0, 60))));
  }
  Document doc;
  doc.version = std::string(Trim(Attr(root, "Version", "version")));
  doc.namespace_uri = std::string(root_ns);
  std::string_view expected_ns = doc.version == "4.0" ? ns::kCfd4 : ns::kCfd3;
  if (root_ns != ns::kCfd3 && root_ns != ns::kCfd4)
    return std::unexpected(Refuse(
        "XML02", classes::kWrongNamespace,
        fmt::format("El espacio de nombres \"{}\" no es el de un CFDI del SAT.", std::string(root_ns).substr(0, 80))));
  if (doc.version != "3.2" && doc.version != "3.3" && doc.version != "4.0")
    return std::unexpected(Refuse("XML03", classes::kWrongNamespace,
                                  fmt::format("Versión de CFDI no soportada: \"{}\".", doc.version.substr(0, 20))));
  if (root_ns != expected_ns)
    return std::unexpected(
        Refuse("XML03", classes::kWrongNamespace,
               fmt::format("La versión {} no corresponde al espacio de nombres {}.", doc.version, root_ns)));
  const bool legacy = doc.version == "3.2";
  const std::string_view cfd = root_ns;
  Reader r(doc);

  doc.serie = Attr(root, "Serie", "serie");
  doc.folio = Attr(root, "Folio", "folio");
  doc.fecha = r.Required(root, "Fecha", "fecha");
  doc.tipo = NormaliseTipo(r.Required(root, "TipoDeComprobante", "tipoDeComprobante"));
  doc.forma_pago = Attr(root, "FormaPago", "formaDePago");
  doc.metodo_pago = Attr(root, "MetodoPago", "metodoDePago");
  doc.condiciones_pago = Attr(root, "CondicionesDePago", "condicionesDePago");
  doc.subtotal = r.Num(root, "SubTotal", "subTotal", true);
  doc.descuento = r.Num(root, "Descuento", "descuento");
  doc.moneda = Attr(root, "Moneda");
  if (doc.moneda.empty() && legacy) doc.moneda = "MXN";
  doc.tipo_cambio = r.Fac(root, "TipoCambio");
  doc.total = r.Num(root, "Total", "total", true);
  doc.exportacion = Attr(root, "Exportacion");
  doc.lugar_expedicion = Attr(root, "LugarExpedicion");
  doc.no_certificado = Attr(root, "NoCertificado", "noCertificado");
  {
    std::string_view sello = root.attribute(legacy ? "sello" : "Sello").value();
    doc.sello_tail = std::string(sello.size() > 8 ? sello.substr(sello.size() - 8) : sello);
    doc.seal.sello = std::string(sello);
    doc.seal.certificado = root.attribute(legacy ? "certificado" : "Certificado").value();
    if (!doc.seal.sello.empty() && !doc.seal.certificado.empty()) {
      auto cadena = BuildCadena(root, cfd, doc.version);
      doc.seal.cadena = std::move(cadena.text);
      doc.seal.unsupported = std::move(cadena.unsupported);
    }
  }
  if (auto g = Child(root, cfd, "InformacionGlobal")) doc.global_periodicidad = Attr(g, "Periodicidad");
  EachChild(root, cfd, "CfdiRelacionados", [&](pugi::xml_node rel) {
    auto tipo = Attr(rel, "TipoRelacion");
    EachChild(rel, cfd, "CfdiRelacionado", [&](pugi::xml_node one) {
      doc.related.push_back({tipo, ToUpperAscii(std::string(Trim(Attr(one, "UUID"))))});
    });
  });
  if (auto e = Child(root, cfd, "Emisor")) {
    doc.emisor.rfc = r.Required(e, "Rfc", "rfc");
    doc.emisor.nombre = Attr(e, "Nombre", "nombre");
    doc.emisor.regimen_fiscal = Attr(e, "RegimenFiscal");
    if (doc.emisor.regimen_fiscal.empty() && legacy)
      if (auto rf = Child(e, cfd, "RegimenFiscal")) doc.emisor.regimen_fiscal = Attr(rf, "Regimen");
  } else {
    doc.value_errors.push_back({"CFDI02", classes::kInvalidValue, Severity::kError, "Falta el nodo Emisor."});
  }
  if (auto e = Child(root, cfd, "Receptor")) {
    doc.receptor.rfc = r.Required(e, "Rfc", "rfc");
    doc.receptor.nombre = Attr(e, "Nombre", "nombre");
    doc.receptor.regimen_fiscal = Attr(e, "RegimenFiscalReceptor");
    doc.receptor.uso_cfdi = Attr(e, "UsoCFDI");
    doc.receptor.domicilio_fiscal = Attr(e, "DomicilioFiscalReceptor");
    doc.receptor.residencia_fiscal = Attr(e, "ResidenciaFiscal");
  } else {
    doc.value_errors.push_back({"CFDI02", classes::kInvalidValue, Severity::kError, "Falta el nodo Receptor."});
  }
  if (auto cs = Child(root, cfd, "Conceptos")) {
    EachChild(cs, cfd, "Concepto", [&](pugi::xml_node cn) {
      Concepto c;
      c.clave_prod_serv = Attr(cn, "ClaveProdServ");
      c.no_identificacion = Attr(cn, "NoIdentificacion", "noIdentificacion");
      c.cantidad = r.Num(cn, "Cantidad", "cantidad");
      c.clave_unidad = Attr(cn, "ClaveUnidad");
      c.unidad = Attr(cn, "Unidad", "unidad");
      c.descripcion = Attr(cn, "Descripcion", "descripcion");
      c.valor_unitario = r.Num(cn, "ValorUnitario", "valorUnitario");
      c.importe = r.Num(cn, "Importe", "importe", true);
      c.descuento = r.Num(cn, "Descuento", "descuento");
      c.objeto_imp = Attr(cn, "ObjetoImp");
      if (auto imp = Child(cn, cfd, "Impuestos")) {
        c.has_impuestos = true;
        ReadTaxes(r, imp, cfd, legacy, c.taxes);
      }
      doc.conceptos.push_back(std::move(c));
    });
  }
  if (auto imp = Child(root, cfd, "Impuestos")) {
    doc.has_impuestos = true;
    doc.total_traslados = r.Num(imp, "TotalImpuestosTrasladados", "totalImpuestosTrasladados");
    doc.total_retenciones = r.Num(imp, "TotalImpuestosRetenidos", "totalImpuestosRetenidos");
    ReadTaxes(r, imp, cfd, legacy, doc.header_taxes);
  }
  EachChild(root, cfd, "Complemento", [&](pugi::xml_node comp) {
    for (auto c = comp.first_child(); c; c = c.next_sibling())
      if (c.type() == pugi::node_element) ReadComplement(r, c, doc);
  });
  doc.has_addenda = static_cast<bool>(Child(root, cfd, "Addenda"));

  if (doc.stamp) {
    if (!doc.stamp->uuid_present || doc.stamp->uuid.empty())
      return std::unexpected(Refuse("TFD01", classes::kMissingUuid,
                                    "El TimbreFiscalDigital no tiene UUID: el comprobante no se puede identificar."));
    if (!IsUuid(doc.stamp->uuid))
      return std::unexpected(Refuse(
          "TFD02", classes::kInvalidUuidFormat,
          fmt::format("El UUID \"{}\" no tiene el formato 8-4-4-4-12 hexadecimal.", doc.stamp->uuid.substr(0, 40))));
  }
  return doc;
}

}  // namespace vertice::cfdi
