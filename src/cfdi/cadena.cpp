#include "cfdi/cadena.hpp"

#include <array>
#include <initializer_list>

#include "cfdi/parser.hpp"
#include "cfdi/xml_names.hpp"

namespace vertice::cfdi {

namespace {

using Names = std::initializer_list<std::string_view>;

class Builder {
 public:
  explicit Builder(std::string& out) : out_(out) {}

  // "|value" for each attribute of names present on n, in the order of names, normalize-space
  // applied. The node's attributes are read once (pugixml's attribute(name) would strcmp them
  // all for every name); names compare by length first.
  void Attrs(const pugi::xml_node& n, Names names) { Attrs(n, names.begin(), names.end()); }
  template <size_t N>
  void Attrs(const pugi::xml_node& n, const std::array<std::string_view, N>& names) {
    Attrs(n, names.begin(), names.end());
  }
  void Attrs(const pugi::xml_node& n, const std::string_view* first, const std::string_view* last) {
    struct Present {
      std::string_view name;
      const char* value;
    };
    std::array<Present, 48> present;
    size_t count = 0;
    for (auto a = n.first_attribute(); a; a = a.next_attribute()) {
      if (count == present.size()) {  // more than any SAT node declares: the slow path
        for (auto name = first; name != last; ++name)
          for (auto b = n.first_attribute(); b; b = b.next_attribute())
            if (*name == b.name()) {
              Append(b.value());
              break;
            }
        return;
      }
      present[count++] = {a.name(), a.value()};
    }
    for (auto name = first; name != last; ++name)
      for (size_t i = 0; i < count; ++i)
        if (present[i].name == *name) {
          Append(present[i].value);
          break;
        }
  }

  // Every child of parent named local in namespace uri, in document order.
  template <typename F>
  static void Each(const pugi::xml_node& parent, std::string_view uri, std::string_view local, F&& f) {
    for (auto c = parent.first_child(); c; c = c.next_sibling())
      if (xml::Is(c, uri, local)) f(c);
  }
  // parent/a/b…: every node at the end of the path.
  template <typename F>
  static void Path(const pugi::xml_node& parent, std::string_view uri, std::initializer_list<std::string_view> path,
                   F&& f) {
    Walk(parent, uri, path.begin(), path.end(), f);
  }

 private:
  template <typename It, typename F>
  static void Walk(const pugi::xml_node& n, std::string_view uri, It at, It end, F& f) {
    if (at == end) {
      f(n);
      return;
    }
    Each(n, uri, *at, [&](const pugi::xml_node& c) { Walk(c, uri, at + 1, end, f); });
  }

  void Append(const char* v) {
    out_ += '|';
    bool space = false, started = false;
    for (; *v; ++v) {
      const char c = *v;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        space = started;
        continue;
      }
      if (space) out_ += ' ';
      out_ += c;
      space = false;
      started = true;
    }
  }
  std::string& out_;
};

constexpr std::string_view kTfd = ns::kTfd;

class CadenaWriter {
 public:
  CadenaWriter(std::string& out, std::string& unsupported) : b_(out), unsupported_(unsupported) {}

  void Comprobante(const pugi::xml_node& root, std::string_view c, bool v4) {
    if (v4)
      b_.Attrs(root, {"Version", "Serie", "Folio", "Fecha", "FormaPago", "NoCertificado", "CondicionesDePago",
                      "SubTotal", "Descuento", "Moneda", "TipoCambio", "Total", "TipoDeComprobante", "Exportacion",
                      "MetodoPago", "LugarExpedicion", "Confirmacion"});
    else
      b_.Attrs(root, {"Version", "Serie", "Folio", "Fecha", "FormaPago", "NoCertificado", "CondicionesDePago",
                      "SubTotal", "Descuento", "Moneda", "TipoCambio", "Total", "TipoDeComprobante", "MetodoPago",
                      "LugarExpedicion", "Confirmacion"});
    if (v4) Builder::Each(root, c, "InformacionGlobal", [&](auto g) { b_.Attrs(g, {"Periodicidad", "Meses", "Año"}); });
    Builder::Each(root, c, "CfdiRelacionados", [&](auto r) {
      b_.Attrs(r, {"TipoRelacion"});
      Builder::Each(r, c, "CfdiRelacionado", [&](auto u) { b_.Attrs(u, {"UUID"}); });
    });
    Builder::Each(root, c, "Emisor", [&](auto e) {
      b_.Attrs(e, {"Rfc", "Nombre", "RegimenFiscal", "FacAtrAdquirente"});
    });
    Builder::Each(root, c, "Receptor", [&](auto e) {
      b_.Attrs(e, {"Rfc", "Nombre", "DomicilioFiscalReceptor", "ResidenciaFiscal", "NumRegIdTrib",
                   "RegimenFiscalReceptor", "UsoCFDI"});
    });
    Builder::Path(root, c, {"Conceptos", "Concepto"}, [&](auto cp) {
      b_.Attrs(cp, {"ClaveProdServ", "NoIdentificacion", "Cantidad", "ClaveUnidad", "Unidad", "Descripcion",
                    "ValorUnitario", "Importe", "Descuento", "ObjetoImp"});
      auto tax = [&](auto t) { b_.Attrs(t, {"Base", "Impuesto", "TipoFactor", "TasaOCuota", "Importe"}); };
      Builder::Path(cp, c, {"Impuestos", "Traslados", "Traslado"}, tax);
      Builder::Path(cp, c, {"Impuestos", "Retenciones", "Retencion"}, tax);
      Builder::Each(cp, c, "ACuentaTerceros", [&](auto t) {
        b_.Attrs(t, {"RfcACuentaTerceros", "NombreACuentaTerceros", "RegimenFiscalACuentaTerceros",
                     "DomicilioFiscalACuentaTerceros"});
      });
      Builder::Each(cp, c, "InformacionAduanera", [&](auto t) { b_.Attrs(t, {"NumeroPedimento"}); });
      Builder::Each(cp, c, "CuentaPredial", [&](auto t) { b_.Attrs(t, {"Numero"}); });
      ComplementoConcepto(cp, c);
      Builder::Each(cp, c, "Parte", [&](auto p) {
        b_.Attrs(
            p, {"ClaveProdServ", "NoIdentificacion", "Cantidad", "Unidad", "Descripcion", "ValorUnitario", "Importe"});
        Builder::Each(p, c, "InformacionAduanera", [&](auto t) { b_.Attrs(t, {"NumeroPedimento"}); });
      });
    });
    Builder::Each(root, c, "Impuestos", [&](auto im) {
      Builder::Path(im, c, {"Retenciones", "Retencion"}, [&](auto t) { b_.Attrs(t, {"Impuesto", "Importe"}); });
      b_.Attrs(im, {"TotalImpuestosRetenidos"});
      Builder::Path(im, c, {"Traslados", "Traslado"}, [&](auto t) {
        if (v4)
          b_.Attrs(t, {"Base", "Impuesto", "TipoFactor", "TasaOCuota", "Importe"});
        else
          b_.Attrs(t, {"Impuesto", "TipoFactor", "TasaOCuota", "Importe"});
      });
      b_.Attrs(im, {"TotalImpuestosTrasladados"});
    });
    Complementos(root, c);
  }

  void Legacy32(const pugi::xml_node& root, std::string_view c) {
    b_.Attrs(root, {"version", "fecha", "tipoDeComprobante", "formaDePago", "condicionesDePago", "subTotal",
                    "descuento", "TipoCambio", "Moneda", "total", "metodoDePago", "LugarExpedicion", "NumCtaPago",
                    "FolioFiscalOrig", "SerieFolioFiscalOrig", "FechaFolioFiscalOrig", "MontoFolioFiscalOrig"});
    auto domicilio = [&](auto d) {
      b_.Attrs(d, {"calle", "noExterior", "noInterior", "colonia", "localidad", "referencia", "municipio", "estado",
                   "pais", "codigoPostal"});
    };
    Builder::Each(root, c, "Emisor", [&](auto e) {
      b_.Attrs(e, {"rfc", "nombre"});
      Builder::Each(e, c, "DomicilioFiscal", domicilio);
      Builder::Each(e, c, "ExpedidoEn", domicilio);
      Builder::Each(e, c, "RegimenFiscal", [&](auto r) { b_.Attrs(r, {"Regimen"}); });
    });
    Builder::Each(root, c, "Receptor", [&](auto e) {
      b_.Attrs(e, {"rfc", "nombre"});
      Builder::Each(e, c, "Domicilio", domicilio);
    });
    auto aduana = [&](auto t) { b_.Attrs(t, {"numero", "fecha", "aduana"}); };
    Builder::Path(root, c, {"Conceptos", "Concepto"}, [&](auto cp) {
      b_.Attrs(cp, {"cantidad", "unidad", "noIdentificacion", "descripcion", "valorUnitario", "importe"});
      Builder::Each(cp, c, "InformacionAduanera", aduana);
      Builder::Each(cp, c, "CuentaPredial", [&](auto t) { b_.Attrs(t, {"numero"}); });
      ComplementoConcepto(cp, c);
      Builder::Each(cp, c, "Parte", [&](auto p) {
        b_.Attrs(p, {"cantidad", "unidad", "noIdentificacion", "descripcion", "valorUnitario", "importe"});
        Builder::Each(p, c, "InformacionAduanera", aduana);
      });
    });
    Builder::Each(root, c, "Impuestos", [&](auto im) {
      Builder::Path(im, c, {"Retenciones", "Retencion"}, [&](auto t) { b_.Attrs(t, {"impuesto", "importe"}); });
      b_.Attrs(im, {"totalImpuestosRetenidos"});
      Builder::Path(im, c, {"Traslados", "Traslado"}, [&](auto t) { b_.Attrs(t, {"impuesto", "tasa", "importe"}); });
      b_.Attrs(im, {"totalImpuestosTrasladados"});
    });
    Complementos(root, c);
  }

 private:
  void Unsupported(const pugi::xml_node& n) {
    if (unsupported_.empty()) unsupported_ = std::string(xml::LocalName(n)).substr(0, 100);
  }

  // A concept complement (terceros, instEducativas, …) is part of the cadena: not modelled.
  void ComplementoConcepto(const pugi::xml_node& cp, std::string_view c) {
    Builder::Each(cp, c, "ComplementoConcepto", [&](auto cc) {
      for (auto x = cc.first_child(); x; x = x.next_sibling())
        if (x.type() == pugi::node_element) Unsupported(x);
    });
  }

  void Complementos(const pugi::xml_node& root, std::string_view c) {
    Builder::Each(root, c, "Complemento", [&](auto comp) {
      for (auto x = comp.first_child(); x; x = x.next_sibling()) {
        if (x.type() != pugi::node_element) continue;
        auto uri = xml::NamespaceOf(x);
        auto local = xml::LocalName(x);
        if (uri == kTfd && local == "TimbreFiscalDigital") continue;  // sealed by the PAC, not the issuer
        if (uri == ns::kPagos10 && local == "Pagos")
          Pagos10(x, uri);
        else if (uri == ns::kPagos20 && local == "Pagos")
          Pagos20(x, uri);
        else if (uri == ns::kNomina12 && local == "Nomina")
          Nomina12(x, uri);
        else if (uri == ns::kImpLocal && local == "ImpuestosLocales")
          ImpLocal(x, uri);
        else
          Unsupported(x);
      }
    });
  }

  static constexpr std::array<std::string_view, 15> kPago = {
      "FechaPago",       "FormaDePagoP",    "MonedaP",        "TipoCambioP",  "Monto",
      "NumOperacion",    "RfcEmisorCtaOrd", "NomBancoOrdExt", "CtaOrdenante", "RfcEmisorCtaBen",
      "CtaBeneficiario", "TipoCadPago",     "CertPago",       "CadPago",      "SelloPago"};

  void Pagos10(const pugi::xml_node& x, std::string_view u) {
    b_.Attrs(x, {"Version"});
    Builder::Each(x, u, "Pago", [&](auto p) {
      b_.Attrs(p, kPago);
      Builder::Each(p, u, "DoctoRelacionado", [&](auto d) {
        b_.Attrs(d, {"IdDocumento", "Serie", "Folio", "MonedaDR", "TipoCambioDR", "MetodoDePagoDR", "NumParcialidad",
                     "ImpSaldoAnt", "ImpPagado", "ImpSaldoInsoluto"});
      });
      Builder::Each(p, u, "Impuestos", [&](auto im) {
        b_.Attrs(im, {"TotalImpuestosRetenidos", "TotalImpuestosTrasladados"});
        Builder::Path(im, u, {"Retenciones", "Retencion"}, [&](auto t) { b_.Attrs(t, {"Impuesto", "Importe"}); });
        Builder::Path(im, u, {"Traslados", "Traslado"}, [&](auto t) {
          b_.Attrs(t, {"Impuesto", "TipoFactor", "TasaOCuota", "Importe"});
        });
      });
    });
  }

  void Pagos20(const pugi::xml_node& x, std::string_view u) {
    b_.Attrs(x, {"Version"});
    Builder::Each(x, u, "Totales", [&](auto t) {
      b_.Attrs(t, {"TotalRetencionesIVA", "TotalRetencionesISR", "TotalRetencionesIEPS", "TotalTrasladosBaseIVA16",
                   "TotalTrasladosImpuestoIVA16", "TotalTrasladosBaseIVA8", "TotalTrasladosImpuestoIVA8",
                   "TotalTrasladosBaseIVA0", "TotalTrasladosImpuestoIVA0", "TotalTrasladosBaseIVAExento",
                   "MontoTotalPagos"});
    });
    auto tax_dr = [&](auto t) { b_.Attrs(t, {"BaseDR", "ImpuestoDR", "TipoFactorDR", "TasaOCuotaDR", "ImporteDR"}); };
    Builder::Each(x, u, "Pago", [&](auto p) {
      b_.Attrs(p, kPago);
      Builder::Each(p, u, "DoctoRelacionado", [&](auto d) {
        b_.Attrs(d, {"IdDocumento", "Serie", "Folio", "MonedaDR", "EquivalenciaDR", "NumParcialidad", "ImpSaldoAnt",
                     "ImpPagado", "ImpSaldoInsoluto", "ObjetoImpDR"});
        Builder::Each(d, u, "ImpuestosDR", [&](auto im) {
          Builder::Path(im, u, {"RetencionesDR", "RetencionDR"}, tax_dr);
          Builder::Path(im, u, {"TrasladosDR", "TrasladoDR"}, tax_dr);
        });
      });
      Builder::Each(p, u, "ImpuestosP", [&](auto im) {
        Builder::Path(im, u, {"RetencionesP", "RetencionP"}, [&](auto t) { b_.Attrs(t, {"ImpuestoP", "ImporteP"}); });
        Builder::Path(im, u, {"TrasladosP", "TrasladoP"}, [&](auto t) {
          b_.Attrs(t, {"BaseP", "ImpuestoP", "TipoFactorP", "TasaOCuotaP", "ImporteP"});
        });
      });
    });
  }

  void ImpLocal(const pugi::xml_node& x, std::string_view u) {
    b_.Attrs(x, {"version", "TotaldeRetenciones", "TotaldeTraslados"});
    Builder::Each(x, u, "RetencionesLocales", [&](auto t) {
      b_.Attrs(t, {"ImpLocRetenido", "TasadeRetencion", "Importe"});
    });
    Builder::Each(x, u, "TrasladosLocales", [&](auto t) {
      b_.Attrs(t, {"ImpLocTrasladado", "TasadeTraslado", "Importe"});
    });
  }

  void Nomina12(const pugi::xml_node& x, std::string_view u) {
    b_.Attrs(x, {"Version", "TipoNomina", "FechaPago", "FechaInicialPago", "FechaFinalPago", "NumDiasPagados",
                 "TotalPercepciones", "TotalDeducciones", "TotalOtrosPagos"});
    Builder::Each(x, u, "Emisor", [&](auto e) {
      b_.Attrs(e, {"Curp", "RegistroPatronal", "RfcPatronOrigen"});
      Builder::Each(e, u, "EntidadSNCF", [&](auto s) { b_.Attrs(s, {"OrigenRecurso", "MontoRecursoPropio"}); });
    });
    Builder::Each(x, u, "Receptor", [&](auto e) {
      b_.Attrs(
          e, {"Curp", "NumSeguridadSocial", "FechaInicioRelLaboral", "Antigüedad", "TipoContrato", "Sindicalizado",
              "TipoJornada", "TipoRegimen", "NumEmpleado", "Departamento", "Puesto", "RiesgoPuesto", "PeriodicidadPago",
              "Banco", "CuentaBancaria", "SalarioBaseCotApor", "SalarioDiarioIntegrado", "ClaveEntFed"});
      Builder::Each(e, u, "SubContratacion", [&](auto s) { b_.Attrs(s, {"RfcLabora", "PorcentajeTiempo"}); });
    });
    Builder::Each(x, u, "Percepciones", [&](auto ps) {
      b_.Attrs(ps, {"TotalSueldos", "TotalSeparacionIndemnizacion", "TotalJubilacionPensionRetiro", "TotalGravado",
                    "TotalExento"});
      Builder::Each(ps, u, "Percepcion", [&](auto p) {
        b_.Attrs(p, {"TipoPercepcion", "Clave", "Concepto", "ImporteGravado", "ImporteExento"});
        Builder::Each(p, u, "AccionesOTitulos", [&](auto a) { b_.Attrs(a, {"ValorMercado", "PrecioAlOtorgarse"}); });
        Builder::Each(p, u, "HorasExtra", [&](auto a) {
          b_.Attrs(a, {"Dias", "TipoHoras", "HorasExtra", "ImportePagado"});
        });
      });
      Builder::Each(ps, u, "JubilacionPensionRetiro", [&](auto a) {
        b_.Attrs(a,
                 {"TotalUnaExhibicion", "TotalParcialidad", "MontoDiario", "IngresoAcumulable", "IngresoNoAcumulable"});
      });
      Builder::Each(ps, u, "SeparacionIndemnizacion", [&](auto a) {
        b_.Attrs(a,
                 {"TotalPagado", "NumAñosServicio", "UltimoSueldoMensOrd", "IngresoAcumulable", "IngresoNoAcumulable"});
      });
    });
    Builder::Each(x, u, "Deducciones", [&](auto ds) {
      b_.Attrs(ds, {"TotalOtrasDeducciones", "TotalImpuestosRetenidos"});
      Builder::Each(ds, u, "Deduccion", [&](auto d) {
        b_.Attrs(d, {"TipoDeduccion", "Clave", "Concepto", "Importe"});
      });
    });
    Builder::Path(x, u, {"OtrosPagos", "OtroPago"}, [&](auto o) {
      b_.Attrs(o, {"TipoOtroPago", "Clave", "Concepto", "Importe"});
      Builder::Each(o, u, "SubsidioAlEmpleo", [&](auto s) { b_.Attrs(s, {"SubsidioCausado"}); });
      Builder::Each(o, u, "CompensacionSaldosAFavor", [&](auto s) {
        b_.Attrs(s, {"SaldoAFavor", "Año", "RemanenteSalFav"});
      });
    });
    Builder::Path(x, u, {"Incapacidades", "Incapacidad"}, [&](auto i) {
      b_.Attrs(i, {"DiasIncapacidad", "TipoIncapacidad", "ImporteMonetario"});
    });
  }

  Builder b_;
  std::string& unsupported_;
};

}  // namespace

Cadena BuildCadena(const pugi::xml_node& root, std::string_view cfd, std::string_view version) {
  Cadena out;
  out.text.reserve(1024);
  out.text += '|';
  CadenaWriter w(out.text, out.unsupported);
  if (version == "3.2")
    w.Legacy32(root, cfd);
  else
    w.Comprobante(root, cfd, version == "4.0");
  if (!out.unsupported.empty()) {
    out.text.clear();
    return out;
  }
  out.text += "||";
  return out;
}

}  // namespace vertice::cfdi
