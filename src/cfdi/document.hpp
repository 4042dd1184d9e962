// The parsed form of one SAT CFDI (3.2, 3.3 or 4.0): what Vértice stores, validates and computes
// balances from. Numbers keep the text as written (decimals written matter to SAT rules) next to
// an exact value; absent attributes are nullopt. The original bytes are kept by the caller.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cfdi/findings.hpp"
#include "shared/decimal.hpp"

namespace vertice::cfdi {

using Amount = shared::Decimal<6>;  // CFDI importes carry up to 6 decimals (t_Importe)
using Factor = shared::Decimal<9>;  // TipoCambio / EquivalenciaDR (up to 10 decimals, rounded to 9)

struct Number {
  std::string text;  // as written, trimmed of nothing
  Amount value;
  int decimals = 0;  // decimals written ("1000.50" → 2)
};

struct FactorNumber {
  std::string text;
  Factor value;
  int decimals = 0;
};

enum class TaxKind { kTraslado, kRetencion };

struct Tax {
  TaxKind kind = TaxKind::kTraslado;
  std::string impuesto;     // 001 ISR, 002 IVA, 003 IEPS (3.2 names are mapped to codes)
  std::string tipo_factor;  // Tasa, Cuota, Exento ("Tasa" for 3.2)
  std::optional<Number> tasa;
  std::optional<Number> base;
  std::optional<Number> importe;
};

struct Concepto {
  std::string clave_prod_serv;
  std::string no_identificacion;
  std::optional<Number> cantidad;
  std::string clave_unidad;
  std::string unidad;
  std::string descripcion;
  std::optional<Number> valor_unitario;
  std::optional<Number> importe;
  std::optional<Number> descuento;
  std::string objeto_imp;
  bool has_impuestos = false;
  std::vector<Tax> taxes;
};

struct Related {
  std::string tipo_relacion;  // 01 nota de crédito, 04 sustitución, 07 anticipo, …
  std::string uuid;           // upper-case
};

struct PaymentDoc {
  std::string id_documento;  // invoice UUID, upper-case
  std::string serie;
  std::string folio;
  std::string moneda_dr;
  std::optional<FactorNumber> equivalencia;  // EquivalenciaDR (2.0) / TipoCambioDR (1.0)
  std::string metodo_pago_dr;                // 1.0 only
  std::optional<int> num_parcialidad;
  std::optional<Number> saldo_anterior;
  std::optional<Number> pagado;  // implied = Monto for a single 1.0 doc without it
  bool pagado_implied = false;
  std::optional<Number> insoluto;
};

struct Payment {
  std::string fecha_pago;
  std::string forma_pago;
  std::string moneda;
  std::optional<FactorNumber> tipo_cambio;
  std::optional<Number> monto;
  std::string num_operacion;
  std::vector<PaymentDoc> docs;
};

struct Payments {
  std::string version;  // "1.0" or "2.0"
  std::vector<Payment> pagos;
  std::optional<Number> monto_total_pagos;  // 2.0 Totales
};

struct Nomina {
  std::string fecha_pago;
  std::optional<Number> total_percepciones;
  std::optional<Number> total_deducciones;
  std::optional<Number> total_otros_pagos;
};

struct LocalTaxes {
  Amount traslados;
  Amount retenciones;
};

struct Stamp {
  std::string version;
  std::string uuid;  // upper-case; empty when the attribute is missing
  bool uuid_present = false;
  std::string fecha_timbrado;
  std::string rfc_prov_certif;
  std::string no_certificado_sat;
};

struct Party {
  std::string rfc;
  std::string nombre;
  std::string regimen_fiscal;
  std::string uso_cfdi;           // receptor
  std::string domicilio_fiscal;   // receptor (4.0)
  std::string residencia_fiscal;  // receptor
};

// What the issuer's seal is checked with (cfdi/seal.hpp): the cadena original built from the
// document's tree while it was parsed, and the Sello and Certificado attributes as written.
struct SealInput {
  std::string cadena;       // "||…||"; empty when unsupported names a complement it cannot cover
  std::string unsupported;  // local name of that complement
  std::string sello;        // Comprobante@Sello (3.2: @sello), base64
  std::string certificado;  // Comprobante@Certificado (3.2: @certificado), base64 DER
};

struct Document {
  std::string version;  // 3.2, 3.3, 4.0
  std::string namespace_uri;
  std::string serie;
  std::string folio;
  std::string fecha;  // local time of LugarExpedicion, no zone
  std::string tipo;   // I, E, T, N, P (3.2 ingreso/egreso/traslado mapped)
  std::string forma_pago;
  std::string metodo_pago;
  std::string condiciones_pago;
  std::optional<Number> subtotal;
  std::optional<Number> descuento;
  std::string moneda;  // "MXN" when absent in 3.2
  std::optional<FactorNumber> tipo_cambio;
  std::optional<Number> total;
  std::string exportacion;
  std::string lugar_expedicion;
  std::string no_certificado;
  std::string sello_tail;           // last 8 characters of Sello (QR expression)
  std::string global_periodicidad;  // InformacionGlobal (4.0)
  Party emisor;
  Party receptor;
  std::vector<Related> related;
  std::vector<Concepto> conceptos;
  bool has_impuestos = false;
  std::optional<Number> total_traslados;
  std::optional<Number> total_retenciones;
  std::vector<Tax> header_taxes;
  std::vector<std::string> complementos;  // local names, document order, across every Complemento
  std::optional<Stamp> stamp;
  std::optional<Payments> payments;
  std::optional<Nomina> nomina;
  std::optional<LocalTaxes> local_taxes;
  bool has_addenda = false;
  SealInput seal;
  std::vector<Finding> value_errors;  // unreadable numbers and missing required attributes

  bool Stamped() const { return stamp.has_value(); }
  const std::string& Uuid() const {
    static const std::string kEmpty;
    return stamp ? stamp->uuid : kEmpty;
  }
};

}  // namespace vertice::cfdi
