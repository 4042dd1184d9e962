#include "cfdi/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "cfdi/parser.hpp"
#include "core/text.hpp"

namespace vertice::cfdi {

namespace {

using shared::Int128;
using shared::Rounding;

constexpr int64_t kUnitsPerCent = 10000;  // Amount has 6 decimals

int64_t Cents(Int128 units6) {
  return static_cast<int64_t>(shared::detail::DivRound(units6, kUnitsPerCent, Rounding::kHalfUp));
}
int64_t Cents(const std::optional<Number>& n) { return n ? Cents(n->value.Units()) : 0; }
std::string Pesos(int64_t cents) { return shared::Money::FromUnits(cents).ToString(); }

class Out {
 public:
  explicit Out(std::vector<Finding>& f) : f_(f) {}
  void Error(const char* code, const char* cls, std::string msg) {
    f_.push_back({code, cls, Severity::kError, std::move(msg)});
  }
  void Warn(const char* code, const char* cls, std::string msg) {
    f_.push_back({code, cls, Severity::kWarning, std::move(msg)});
  }

 private:
  std::vector<Finding>& f_;
};

// RFC shape: 3 (moral) or 4 (física) of [A-Z Ñ &], YYMMDD, 3-character homoclave. Nothing trimmed.
bool RfcShape(std::string_view rfc) {
  size_t i = 0;
  int letters = 0;
  while (i < rfc.size() && letters < 4) {
    if (rfc[i] >= 'A' && rfc[i] <= 'Z') {
      ++i;
    } else if (rfc[i] == '&') {
      ++i;
    } else if (rfc.substr(i, 2) == "\xC3\x91") {  // Ñ in UTF-8
      i += 2;
    } else {
      break;
    }
    ++letters;
  }
  if (letters < 3 || rfc.size() - i != 9) return false;
  for (size_t k = i; k < i + 6; ++k)
    if (rfc[k] < '0' || rfc[k] > '9') return false;
  for (size_t k = i + 6; k < rfc.size(); ++k)
    if (!((rfc[k] >= 'A' && rfc[k] <= 'Z') || (rfc[k] >= '0' && rfc[k] <= '9'))) return false;
  return true;
}

// "YYYY-MM-DDThh:mm:ss", a real calendar date (FECHA01).
bool IsCfdiDateTime(std::string_view s) {
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
  auto num = [&](size_t at, size_t len, int& out) {
    out = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) || !num(17, 2, se))
    return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || se > 59) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(mo == 2 && d == 29 && !leap);
}

void CheckDates(const Document& d, Out& out) {
  if (!d.fecha.empty() && !IsCfdiDateTime(d.fecha))
    out.Error("FECHA01", classes::kInvalidValue,
              fmt::format("Fecha \"{}\" no es una fecha y hora AAAA-MM-DDThh:mm:ss válida.", d.fecha.substr(0, 30)));
  if (d.stamp && !d.stamp->fecha_timbrado.empty() && !IsCfdiDateTime(d.stamp->fecha_timbrado))
    out.Error(
        "FECHA01", classes::kInvalidValue,
        fmt::format("FechaTimbrado \"{}\" no es una fecha y hora válida.", d.stamp->fecha_timbrado.substr(0, 30)));
  if (d.payments)
    for (const auto& p : d.payments->pagos)
      // Real payment complements carry a bare date too ("2020-01-30").
      if (!IsCfdiDateTime(p.fecha_pago.size() == 10 ? p.fecha_pago + "T00:00:00" : p.fecha_pago))
        out.Error("FECHA01", classes::kInvalidValue,
                  fmt::format("FechaPago \"{}\" no es una fecha y hora válida.", p.fecha_pago.substr(0, 30)));
}

void CheckParties(const Document& d, Out& out) {
  if (!d.emisor.rfc.empty() && !RfcShape(d.emisor.rfc))
    out.Warn("EMISORRFC01", classes::kRfcFormat,
             fmt::format("El RFC del emisor \"{}\" no tiene formato de RFC.", d.emisor.rfc.substr(0, 20)));
  if (!d.receptor.rfc.empty() && !RfcShape(d.receptor.rfc))
    out.Warn("RECEPRFC01", classes::kRfcFormat,
             fmt::format("El RFC del receptor \"{}\" no tiene formato de RFC.", d.receptor.rfc.substr(0, 20)));
}

void CheckCurrency(const Document& d, Out& out) {
  if (d.version == "3.2") return;
  if (d.moneda.empty()) {
    out.Error("TIPOCAMBIO01", classes::kCurrencyRules, "Falta el atributo Moneda.");
    return;
  }
  const auto one = Factor::FromUnits(Factor::kOne);
  if (d.moneda == "MXN" && d.tipo_cambio && d.tipo_cambio->value != one)
    out.Error("TIPOCAMBIO02", classes::kCurrencyRules,
              fmt::format("Con Moneda MXN el TipoCambio debe omitirse o ser 1 (es {}).", d.tipo_cambio->text));
  if (d.moneda == "XXX" && d.tipo_cambio)
    out.Error("TIPOCAMBIO03", classes::kCurrencyRules, "Con Moneda XXX no debe haber TipoCambio.");
  if (d.moneda != "MXN" && d.moneda != "XXX") {
    if (!d.tipo_cambio || d.tipo_cambio->decimals > 6 || !d.tipo_cambio->value.IsPositive())
      out.Error("TIPOCAMBIO04", classes::kCurrencyRules,
                fmt::format("Con Moneda {} el TipoCambio es obligatorio, mayor que cero y de hasta 6 decimales.",
                            d.moneda.substr(0, 5)));
  }
  int decimals = CurrencyDecimals(d.moneda);
  if (decimals < 0) return;
  auto check = [&](const char* code, const char* what, const std::optional<Number>& n) {
    if (n && n->decimals > decimals)
      out.Error(
          code, classes::kCurrencyRules,
          fmt::format("{} \"{}\" tiene más de {} decimales, los de la moneda {}.", what, n->text, decimals, d.moneda));
  };
  check("MONDEC01", "SubTotal", d.subtotal);
  check("MONDEC02", "Descuento", d.descuento);
  check("MONDEC03", "Total", d.total);
  check("MONDEC04", "TotalImpuestosTrasladados", d.total_traslados);
  check("MONDEC05", "TotalImpuestosRetenidos", d.total_retenciones);
}

struct TaxSums {
  bool any_traslado = false;  // with an Importe (Exento lines carry none)
  bool any_retencion = false;
  int64_t traslados = 0;  // cents: each group rounded, then summed
  int64_t retenciones = 0;
  std::map<std::string, int64_t> traslado_groups;   // impuesto|factor|tasa → cents
  std::map<std::string, int64_t> retencion_groups;  // impuesto → cents
};

std::string TrasladoKey(const Tax& t) {
  return fmt::format("{}|{}|{}", t.impuesto, t.tipo_factor, t.tasa ? t.tasa->value.ToString() : "");
}

TaxSums SumConceptTaxes(const Document& d) {
  TaxSums s;
  std::map<std::string, Int128> tras, ret;
  for (const auto& c : d.conceptos)
    for (const auto& t : c.taxes) {
      if (t.tipo_factor == "Exento" || !t.importe) continue;
      if (t.kind == TaxKind::kTraslado) {
        tras[TrasladoKey(t)] += t.importe->value.Units();
        s.any_traslado = true;
      } else {
        ret[t.impuesto] += t.importe->value.Units();
        s.any_retencion = true;
      }
    }
  for (const auto& [k, v] : tras) s.traslados += s.traslado_groups[k] = Cents(v);
  for (const auto& [k, v] : ret) s.retenciones += s.retencion_groups[k] = Cents(v);
  return s;
}

void CheckSums(const Document& d, Out& out) {
  const bool modern = d.version != "3.2";
  Int128 importes = 0, descuentos = 0;
  bool concept_discounts = false;
  for (const auto& c : d.conceptos) {
    if (c.importe) importes += c.importe->value.Units();
    if (c.descuento) {
      descuentos += c.descuento->value.Units();
      concept_discounts = true;
    }
  }
  const int64_t subtotal = Cents(d.subtotal), descuento = Cents(d.descuento), total = Cents(d.total);
  if (!d.conceptos.empty() && Cents(importes) != subtotal)
    out.Error("SUMAS01", classes::kTotalsMismatch,
              fmt::format("La suma de los importes de los conceptos ({}) no es igual al SubTotal ({}).",
                          Pesos(Cents(importes)), Pesos(subtotal)));
  if (modern && (concept_discounts || d.descuento) && Cents(descuentos) != descuento)
    out.Error("SUMAS02", classes::kTotalsMismatch,
              fmt::format("La suma de los descuentos de los conceptos ({}) no es igual al Descuento ({}).",
                          Pesos(Cents(descuentos)), Pesos(descuento)));
  if (descuento > subtotal)
    out.Error("SUMAS12", classes::kTotalsMismatch,
              fmt::format("El Descuento ({}) es mayor que el SubTotal ({}).", Pesos(descuento), Pesos(subtotal)));
  for (size_t i = 0; i < d.conceptos.size(); ++i) {
    const auto& c = d.conceptos[i];
    if (c.descuento && c.importe && c.descuento->value > c.importe->value)
      out.Error("CONCEPDESC01", classes::kTotalsMismatch,
                fmt::format("El concepto {} tiene un Descuento mayor que su Importe.", i + 1));
  }

  int64_t traslados = Cents(d.total_traslados), retenciones = Cents(d.total_retenciones);
  if (modern) {
    auto sums = SumConceptTaxes(d);
    if ((sums.any_traslado || d.total_traslados) && sums.traslados != traslados)
      out.Error("SUMAS04", classes::kTaxTotalsMismatch,
                fmt::format("Los traslados de los conceptos suman {} y TotalImpuestosTrasladados dice {}.",
                            Pesos(sums.traslados), Pesos(traslados)));
    if ((sums.any_retencion || d.total_retenciones) && sums.retenciones != retenciones)
      out.Error("SUMAS08", classes::kTaxTotalsMismatch,
                fmt::format("Las retenciones de los conceptos suman {} y TotalImpuestosRetenidos dice {}.",
                            Pesos(sums.retenciones), Pesos(retenciones)));
    // Every computed group in the header with the same amount, and no header group without conceptos.
    std::set<std::string> header_tras, header_ret;
    for (const auto& t : d.header_taxes) {
      if (t.tipo_factor == "Exento" || !t.importe) continue;
      if (t.kind == TaxKind::kTraslado) {
        auto key = TrasladoKey(t);
        header_tras.insert(key);
        auto it = sums.traslado_groups.find(key);
        if (it == sums.traslado_groups.end())
          out.Error("SUMAS07", classes::kTaxTotalsMismatch,
                    fmt::format("El traslado {} {} del comprobante no aparece en ningún concepto.", t.impuesto,
                                t.tasa ? t.tasa->text : ""));
        else if (it->second != Cents(t.importe))
          out.Error("SUMAS06", classes::kTaxTotalsMismatch,
                    fmt::format("El traslado {} {} suma {} en los conceptos y {} en el comprobante.", t.impuesto,
                                t.tasa ? t.tasa->text : "", Pesos(it->second), Pesos(Cents(t.importe))));
      } else {
        header_ret.insert(t.impuesto);
        auto it = sums.retencion_groups.find(t.impuesto);
        if (it == sums.retencion_groups.end())
          out.Error("SUMAS11", classes::kTaxTotalsMismatch,
                    fmt::format("La retención {} del comprobante no aparece en ningún concepto.", t.impuesto));
        else if (it->second != Cents(t.importe))
          out.Error("SUMAS10", classes::kTaxTotalsMismatch,
                    fmt::format("La retención {} suma {} en los conceptos y {} en el comprobante.", t.impuesto,
                                Pesos(it->second), Pesos(Cents(t.importe))));
      }
    }
    // A 0 % group adds nothing; stamped files leave it out of the header (SAT accepted them).
    for (const auto& [k, v] : sums.traslado_groups)
      if (!header_tras.contains(k) && v != 0)
        out.Error("SUMAS05", classes::kTaxTotalsMismatch,
                  fmt::format("El traslado {} de los conceptos falta en los impuestos del comprobante.", k));
    for (const auto& [k, v] : sums.retencion_groups)
      if (!header_ret.contains(k) && v != 0)
        out.Error("SUMAS09", classes::kTaxTotalsMismatch,
                  fmt::format("La retención {} de los conceptos falta en los impuestos del comprobante.", k));
    if (sums.any_traslado) traslados = sums.traslados;
    if (sums.any_retencion) retenciones = sums.retenciones;
  }
  int64_t local = 0;
  if (d.local_taxes) local = Cents(d.local_taxes->traslados.Units()) - Cents(d.local_taxes->retenciones.Units());
  const int64_t expected = subtotal - descuento + traslados - retenciones + local;
  if (expected != total)
    out.Error("SUMAS03", classes::kTotalsMismatch,
              fmt::format("El Total ({}) no es SubTotal − Descuento + traslados − retenciones{} = {}.", Pesos(total),
                          d.local_taxes ? " ± impuestos locales" : "", Pesos(expected)));
}

void CheckType(const Document& d, Out& out) {
  static const std::set<std::string, std::less<>> kTypes{"I", "E", "T", "N", "P"};
  if (!kTypes.contains(d.tipo)) {
    out.Error("TIPOCOMP00", classes::kInvalidValue,
              fmt::format("TipoDeComprobante \"{}\" no es I, E, T, N ni P.", d.tipo.substr(0, 10)));
    return;
  }
  if (d.version == "3.2") return;
  const bool tp = d.tipo == "T" || d.tipo == "P";
  if ((tp || d.tipo == "N") && !d.condiciones_pago.empty())
    out.Error("TIPOCOMP01", classes::kTypeRules, "Los comprobantes T, P y N no llevan CondicionesDePago.");
  if (tp && d.has_impuestos)
    out.Error("TIPOCOMP02", classes::kTypeRules, "Los comprobantes T y P no llevan nodo Impuestos.");
  // FormaPago/MetodoPago on T or P change nothing we compute, and SAT's own published examples
  // carry them: warnings, not rejections.
  if (tp && !d.forma_pago.empty())
    out.Warn("TIPOCOMP03", classes::kTypeRules, "Los comprobantes T y P no llevan FormaPago.");
  if (tp && !d.metodo_pago.empty())
    out.Warn("TIPOCOMP04", classes::kTypeRules, "Los comprobantes T y P no llevan MetodoPago.");
  if (tp && (d.descuento || std::any_of(d.conceptos.begin(), d.conceptos.end(),
                                        [](const auto& c) { return c.descuento.has_value(); })))
    out.Error("TIPOCOMP05", classes::kTypeRules, "Los comprobantes T y P no llevan Descuento.");
  if (tp && (Cents(d.subtotal) != 0 || Cents(d.total) != 0))
    out.Error("TIPOCOMP07", classes::kTypeRules, "Los comprobantes T y P tienen SubTotal y Total en cero.");
  if (!tp)
    for (size_t i = 0; i < d.conceptos.size(); ++i)
      if (d.conceptos[i].valor_unitario && !d.conceptos[i].valor_unitario->value.IsPositive())
        out.Error("TIPOCOMP09", classes::kTypeRules,
                  fmt::format("El concepto {} tiene ValorUnitario cero o negativo.", i + 1));
  if (d.tipo == "N" && d.moneda != "MXN")
    out.Error("TIPOCOMP10", classes::kTypeRules, "Los comprobantes de nómina se emiten en MXN.");
  if (d.tipo == "P" && !d.payments)
    out.Error("COMPPAG01", classes::kTypeRules, "Un comprobante de tipo P debe llevar el complemento de pagos.");
  if (d.tipo != "P" && d.payments)
    out.Error("COMPPAG01", classes::kTypeRules, "El complemento de pagos solo va en comprobantes de tipo P.");
  if (d.tipo == "N" && d.nomina) {
    int64_t percepciones = Cents(d.nomina->total_percepciones) + Cents(d.nomina->total_otros_pagos);
    if (percepciones != Cents(d.subtotal))
      out.Warn("NOMINA01", classes::kDataQuality,
               fmt::format("Percepciones + otros pagos de la nómina ({}) no igualan el SubTotal ({}).",
                           Pesos(percepciones), Pesos(Cents(d.subtotal))));
    if (Cents(d.nomina->total_deducciones) != Cents(d.descuento))
      out.Warn("NOMINA02", classes::kDataQuality,
               fmt::format("Las deducciones de la nómina ({}) no igualan el Descuento ({}).",
                           Pesos(Cents(d.nomina->total_deducciones)), Pesos(Cents(d.descuento))));
  }
}

// Amount in the payment's currency of a document paid in its own currency: ImpPagado / Equivalencia.
Int128 InPaymentCurrency(const Payment& p, const PaymentDoc& doc) {
  Int128 paid = doc.pagado->value.Units();
  if (!doc.equivalencia || doc.moneda_dr == p.moneda || doc.equivalencia->value.Units() <= 0) return paid;
  return shared::detail::DivRound(paid * Factor::kOne, doc.equivalencia->value.Units(), Rounding::kHalfUp);
}

void CheckPayments(const Document& d, Out& out) {
  if (!d.payments) return;
  const auto& pays = *d.payments;
  std::set<std::pair<std::string, int>> parcialidades;
  Int128 total_mxn = 0;
  for (size_t pi = 0; pi < pays.pagos.size(); ++pi) {
    const auto& p = pays.pagos[pi];
    if (p.monto && !p.monto->value.IsPositive())
      out.Error("PAGO07", classes::kPaymentAmountMismatch,
                fmt::format("El pago {} tiene Monto cero o negativo.", pi + 1));
    if (p.moneda == "XXX")
      out.Error("PAGO04", classes::kCurrencyRules, fmt::format("El pago {} no puede tener MonedaP XXX.", pi + 1));
    if (p.docs.empty() && pays.version == "2.0")
      out.Error("PAGO02", classes::kPaymentBalanceMismatch,
                fmt::format("El pago {} no relaciona ningún documento.", pi + 1));
    Int128 applied = 0;
    for (size_t di = 0; di < p.docs.size(); ++di) {
      const auto& doc = p.docs[di];
      auto where = fmt::format("pago {}, documento {}", pi + 1, doc.id_documento.substr(0, 36));
      if (!IsUuid(doc.id_documento))
        out.Error("PAGO22", classes::kInvalidValue, fmt::format("IdDocumento no es un UUID ({}).", where));
      if (doc.saldo_anterior && !doc.saldo_anterior->value.IsPositive())
        out.Error("PAGO26", classes::kPaymentBalanceMismatch,
                  fmt::format("ImpSaldoAnt debe ser mayor que cero ({}).", where));
      if (doc.pagado && !doc.pagado->value.IsPositive())
        out.Error("PAGO27", classes::kPaymentBalanceMismatch,
                  fmt::format("ImpPagado debe ser mayor que cero ({}).", where));
      if (doc.insoluto && doc.insoluto->value.IsNegative())
        out.Error("PAGO28", classes::kPaymentBalanceMismatch,
                  fmt::format("ImpSaldoInsoluto no puede ser negativo ({}).", where));
      if (doc.saldo_anterior && doc.pagado && doc.insoluto) {
        Int128 expected = static_cast<Int128>(doc.saldo_anterior->value.Units()) - doc.pagado->value.Units();
        if (expected != doc.insoluto->value.Units())
          out.Error("PAGO28", classes::kPaymentBalanceMismatch,
                    fmt::format("ImpSaldoInsoluto ({}) no es ImpSaldoAnt ({}) − ImpPagado ({}) ({}).",
                                doc.insoluto->text, doc.saldo_anterior->text, doc.pagado->text, where));
      }
      if (doc.num_parcialidad && !parcialidades.emplace(doc.id_documento, *doc.num_parcialidad).second)
        out.Error("PAGPARC01", classes::kPaymentBalanceMismatch,
                  fmt::format("La parcialidad {} del documento {} aparece dos veces.", *doc.num_parcialidad,
                              doc.id_documento.substr(0, 36)));
      if (doc.moneda_dr != p.moneda && !doc.moneda_dr.empty() && !doc.equivalencia)
        out.Error("PAGO24", classes::kCurrencyRules,
                  fmt::format("Falta la equivalencia entre {} y {} ({}).", doc.moneda_dr.substr(0, 5),
                              p.moneda.substr(0, 5), where));
      if (doc.pagado) applied += InPaymentCurrency(p, doc);
    }
    // PAGO30: Σ ImpPagado / Equivalencia must fit in Monto (a cent of slack for the SAT's own
    // rounding contradictions, CfdiUtils problemas/contradicciones-pagos.md). A warning: stamped
    // files in the wild break it, and the balance follows ImpPagado regardless.
    if (p.monto && Cents(applied) > Cents(p.monto) + 1)
      out.Warn("PAGO30", classes::kPaymentAmountMismatch,
               fmt::format("Los documentos del pago {} suman {} {} y el Monto es {}.", pi + 1, Pesos(Cents(applied)),
                           p.moneda.substr(0, 5), p.monto->text));
    if (p.monto) {
      Int128 mxn = p.monto->value.Units();
      if (p.moneda != "MXN" && p.tipo_cambio)
        mxn = shared::detail::DivRound(mxn * p.tipo_cambio->value.Units(), Factor::kOne, Rounding::kHalfUp);
      total_mxn += mxn;
    }
  }
  if (pays.monto_total_pagos && std::llabs(Cents(total_mxn) - Cents(pays.monto_total_pagos)) > 1)
    out.Warn("PAGOS20TOT01", classes::kPaymentAmountMismatch,
             fmt::format("MontoTotalPagos ({}) no es la suma de los pagos en MXN ({}).", pays.monto_total_pagos->text,
                         Pesos(Cents(total_mxn))));
}

}  // namespace

int CurrencyDecimals(std::string_view moneda) {
  if (moneda == "MXN" || moneda == "USD" || moneda == "EUR" || moneda == "CAD" || moneda == "GBP") return 2;
  if (moneda == "XXX" || moneda == "JPY" || moneda == "CLP" || moneda == "KRW") return 0;
  return -1;
}

std::vector<Finding> Validate(const Document& d) {
  std::vector<Finding> findings = d.value_errors;
  Out out(findings);
  if (!d.stamp)
    out.Warn("TFD00", classes::kUnstamped,
             "Sin TimbreFiscalDigital: se guarda como borrador (pre-CFDI), no como comprobante fiscal.");
  CheckDates(d, out);
  CheckParties(d, out);
  CheckType(d, out);
  CheckCurrency(d, out);
  if (d.tipo == "I" || d.tipo == "E" || d.tipo == "N") CheckSums(d, out);
  CheckPayments(d, out);
  return findings;
}

Checked Check(std::string_view bytes) {
  Checked c;
  auto parsed = Parse(bytes);
  if (!parsed) {
    c.findings.push_back(std::move(parsed.error()));
    return c;
  }
  c.findings = Validate(*parsed);
  c.document = std::move(*parsed);
  return c;
}

}  // namespace vertice::cfdi
