#include "invoices/importer.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include "cfdi/rules.hpp"
#include "core/digest.hpp"
#include "core/text.hpp"

namespace vertice::invoices {

namespace json = boost::json;

namespace {

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string NormalRfc(std::string_view rfc) {
  while (!rfc.empty() && rfc.front() == ' ') rfc.remove_prefix(1);
  while (!rfc.empty() && rfc.back() == ' ') rfc.remove_suffix(1);
  return ToUpperAscii(rfc);
}

json::value Fac(const std::optional<cfdi::FactorNumber>& n) {
  return n ? json::value(n->value.ToString()) : json::value(nullptr);
}
json::value Trimmed(const std::optional<cfdi::Number>& n) {
  if (!n) return nullptr;
  return json::value(n->value.ToString());  // the parsed value: whitespace around the text is tolerated
}

json::array FindingsJson(const std::vector<cfdi::Finding>& findings, bool errors) {
  json::array out;
  for (const auto& f : findings)
    if ((f.severity == cfdi::Severity::kError) == errors)
      out.push_back(json::object{{"code", f.code}, {"class", f.error_class}, {"message", f.message}});
  return out;
}

// The JSON element cfdi_store_documents reads for one document.
struct SealColumns {
  std::string state, reason;
};

std::string DocumentJson(const cfdi::Document& d, const ImportFile& file, const std::string& sha,
                         const std::string& direction, const std::vector<cfdi::Finding>& findings,
                         const SealColumns& seal) {
  const bool issued = direction == "issued";
  json::object o;
  o["uuid"] = d.Stamped() ? json::value(d.Uuid()) : json::value(nullptr);
  o["sha256"] = sha;
  o["file_name"] = file.name.substr(0, 500);
  o["version"] = d.version;
  o["serie"] = d.serie;
  o["folio"] = d.folio;
  o["fecha"] = d.fecha;
  o["tipo"] = d.tipo;
  o["direction"] = direction;
  o["emisor_rfc"] = d.emisor.rfc;
  o["emisor_nombre"] = d.emisor.nombre;
  o["emisor_regimen"] = d.emisor.regimen_fiscal;
  o["receptor_rfc"] = d.receptor.rfc;
  o["receptor_nombre"] = d.receptor.nombre;
  o["receptor_uso_cfdi"] = d.receptor.uso_cfdi;
  o["receptor_regimen"] = d.receptor.regimen_fiscal;
  o["counterparty_rfc"] = NormalRfc(issued ? d.receptor.rfc : d.emisor.rfc);
  o["counterparty_name"] = issued ? d.receptor.nombre : d.emisor.nombre;
  o["subtotal"] = Trimmed(d.subtotal);
  o["descuento"] = Trimmed(d.descuento);
  o["total"] = Trimmed(d.total);
  o["moneda"] = d.moneda;
  o["tipo_cambio"] = d.tipo_cambio ? json::value(d.tipo_cambio->value.ToString()) : json::value(nullptr);
  o["total_traslados"] = Trimmed(d.total_traslados);
  o["total_retenciones"] = Trimmed(d.total_retenciones);
  o["metodo_pago"] = d.metodo_pago;
  o["forma_pago"] = d.forma_pago;
  o["condiciones_pago"] = d.condiciones_pago;
  o["lugar_expedicion"] = d.lugar_expedicion;
  o["exportacion"] = d.exportacion;
  o["status"] = d.Stamped() ? "vigente" : "borrador";
  o["stamped_at"] =
      d.stamp && !d.stamp->fecha_timbrado.empty() ? json::value(d.stamp->fecha_timbrado) : json::value(nullptr);
  o["pac_rfc"] = d.stamp ? d.stamp->rfc_prov_certif : "";
  o["tfd_version"] = d.stamp ? d.stamp->version : "";
  o["no_certificado"] = d.no_certificado;
  o["seal_state"] = seal.state;
  o["seal_reason"] = seal.reason;
  o["sello_tail"] = d.sello_tail;
  json::array comps;
  for (const auto& c : d.complementos) comps.emplace_back(c);
  o["complementos"] = std::move(comps);
  o["has_addenda"] = d.has_addenda;
  o["warnings"] = FindingsJson(findings, false);

  json::array conceptos, taxes, relations, payments, targets;
  auto add_tax = [&](const cfdi::Tax& t, json::value line) {
    taxes.push_back(json::object{{"line_no", line},
                                 {"kind", t.kind == cfdi::TaxKind::kTraslado ? "traslado" : "retencion"},
                                 {"impuesto", t.impuesto},
                                 {"tipo_factor", t.tipo_factor},
                                 {"tasa", Trimmed(t.tasa)},
                                 {"base", Trimmed(t.base)},
                                 {"importe", Trimmed(t.importe)}});
  };
  for (size_t i = 0; i < d.conceptos.size(); ++i) {
    const auto& c = d.conceptos[i];
    const auto line = static_cast<int64_t>(i + 1);
    conceptos.push_back(json::object{{"line_no", line},
                                     {"clave_prod_serv", c.clave_prod_serv},
                                     {"no_identificacion", c.no_identificacion},
                                     {"cantidad", Trimmed(c.cantidad)},
                                     {"clave_unidad", c.clave_unidad},
                                     {"unidad", c.unidad},
                                     {"descripcion", c.descripcion},
                                     {"valor_unitario", Trimmed(c.valor_unitario)},
                                     {"importe", Trimmed(c.importe)},
                                     {"descuento", Trimmed(c.descuento)},
                                     {"objeto_imp", c.objeto_imp}});
    for (const auto& t : c.taxes) add_tax(t, line);
  }
  for (const auto& t : d.header_taxes) add_tax(t, nullptr);
  for (const auto& r : d.related) {
    relations.push_back(json::object{{"tipo_relacion", r.tipo_relacion}, {"related_uuid", r.uuid}});
    if (d.tipo == "E" && r.tipo_relacion == "01") targets.emplace_back(r.uuid);
  }
  if (d.payments) {
    for (size_t pi = 0; pi < d.payments->pagos.size(); ++pi) {
      const auto& p = d.payments->pagos[pi];
      for (size_t di = 0; di < p.docs.size(); ++di) {
        const auto& doc = p.docs[di];
        payments.push_back(json::object{
            {"pago_no", static_cast<int64_t>(pi + 1)},
            {"doc_no", static_cast<int64_t>(di + 1)},
            {"fecha_pago", p.fecha_pago},
            {"forma_pago", p.forma_pago},
            {"moneda_p", p.moneda},
            {"tipo_cambio_p", Fac(p.tipo_cambio)},
            {"monto", Trimmed(p.monto)},
            {"invoice_uuid", doc.id_documento},
            {"serie", doc.serie},
            {"folio", doc.folio},
            {"num_parcialidad", doc.num_parcialidad ? json::value(*doc.num_parcialidad) : json::value(nullptr)},
            {"moneda_dr", doc.moneda_dr.empty() ? p.moneda : doc.moneda_dr},
            {"equivalencia", Fac(doc.equivalencia)},
            {"saldo_anterior", Trimmed(doc.saldo_anterior)},
            {"pagado", Trimmed(doc.pagado)},
            {"insoluto", Trimmed(doc.insoluto)}});
        targets.emplace_back(doc.id_documento);
      }
    }
  }
  o["conceptos"] = std::move(conceptos);
  o["taxes"] = std::move(taxes);
  o["relations"] = std::move(relations);
  o["payments"] = std::move(payments);
  o["targets"] = std::move(targets);  // invoices whose balance this document changes
  return json::serialize(o);
}

// Rule classes about amounts and catalogues: SAT's own validation accepted a stamped document
// whose seal verifies, so these are reported, not enforced, for it.
bool IsArithmeticClass(std::string_view cls) {
  using namespace cfdi::classes;
  return cls == kTotalsMismatch || cls == kTaxTotalsMismatch || cls == kCurrencyRules || cls == kTypeRules ||
         cls == kPaymentBalanceMismatch || cls == kPaymentAmountMismatch || cls == kRfcFormat || cls == kDataQuality;
}

const char* SealCode(std::string_view reason) {
  if (reason == cfdi::seal_reasons::kMalformedCertificate) return "SELLO01";
  if (reason == cfdi::seal_reasons::kSerialMismatch) return "SELLO02";
  if (reason == cfdi::seal_reasons::kRfcMismatch) return "SELLO03";
  if (reason == cfdi::seal_reasons::kCertificateNotValidAtFecha) return "SELLO04";
  return "SELLO05";  // signature_mismatch, malformed_seal
}

Outcome ParseOutcome(std::string_view s) {
  if (s == "accepted") return Outcome::kAccepted;
  if (s == "duplicate") return Outcome::kDuplicate;
  return Outcome::kConflict;
}

}  // namespace

SealOutcome ApplySealPolicy(const cfdi::SealVerdict& verdict, bool stamped, bool unverified,
                            std::vector<cfdi::Finding>& findings) {
  using cfdi::SealState;
  using cfdi::Severity;
  switch (verdict.state) {
    case SealState::kValid:
      if (stamped)
        for (auto& f : findings)
          if (f.severity == Severity::kError && IsArithmeticClass(f.error_class)) {
            f.severity = Severity::kWarning;
            f.message += " (El sello es válido y el SAT timbró el comprobante: se guarda con esta advertencia.)";
          }
      return {SealState::kValid, ""};
    case SealState::kNotVerifiable:
      findings.push_back({"SELLO06", "seal_not_verifiable", Severity::kWarning, verdict.message});
      return {SealState::kNotVerifiable, verdict.reason};
    case SealState::kUnsigned:
    case SealState::kInvalid:
    case SealState::kUnverifiedImport: {
      const std::string reason = verdict.state == SealState::kUnsigned ? "unsigned" : verdict.reason;
      const char* code = verdict.state == SealState::kUnsigned ? "SELLO00" : SealCode(verdict.reason);
      if (unverified) {
        findings.push_back({code, "seal_unverified", Severity::kWarning,
                            verdict.message + " Importado sin verificar por decisión explícita del usuario."});
        return {SealState::kUnverifiedImport, reason};
      }
      findings.push_back({code, "seal_invalid", Severity::kError,
                          verdict.message + " Se rechaza; para guardarlo de todos modos, impórtelo explícitamente "
                                            "como no verificado."});
      return {verdict.state == SealState::kUnsigned ? SealState::kUnsigned : SealState::kInvalid, reason};
    }
  }
  return {SealState::kInvalid, verdict.reason};
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kDuplicate:
      return "duplicate";
    case Outcome::kConflict:
      return "conflict";
    case Outcome::kRejected:
      return "rejected";
  }
  return "rejected";
}

json::object FileResultJson(const FileResult& r) {
  json::object o{{"file", r.name},
                 {"status", OutcomeName(r.outcome)},
                 {"uuid", r.uuid.empty() ? json::value(nullptr) : json::value(r.uuid)},
                 {"tipo", r.tipo.empty() ? json::value(nullptr) : json::value(r.tipo)},
                 {"direction", r.direction.empty() ? json::value(nullptr) : json::value(r.direction)},
                 {"errors", FindingsJson(r.findings, true)},
                 {"warnings", FindingsJson(r.findings, false)}};
  if (!r.seal_state.empty())
    o["seal"] = json::object{{"state", r.seal_state},
                             {"reason", r.seal_reason.empty() ? json::value(nullptr) : json::value(r.seal_reason)}};
  if (r.invoice_id) o["invoice_id"] = std::to_string(*r.invoice_id);
  return o;
}

void ImportCounts::Add(const FileResult& r) {
  ++files;
  switch (r.outcome) {
    case Outcome::kAccepted:
      ++accepted;
      break;
    case Outcome::kDuplicate:
      ++duplicates;
      break;
    case Outcome::kConflict:
      ++conflicts;
      break;
    case Outcome::kRejected:
      ++rejected;
      break;
  }
}

json::object CountsJson(const ImportCounts& c) {
  return {{"files", c.files},
          {"accepted", c.accepted},
          {"duplicates", c.duplicates},
          {"conflicts", c.conflicts},
          {"rejected", c.rejected}};
}

Importer::Importer(db::Pool& pool, const db::TenantScope& scope, const shared::Actor& actor, std::string source,
                   bool unverified)
    : pool_(pool), scope_(scope), actor_(actor), source_(std::move(source)), unverified_(unverified) {}

db::Task<Status> Importer::Begin() {
  auto opened = co_await pool_.InTransaction(scope_, [&](db::Transaction& tx) -> db::Task<Status> {
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto company, co_await tx.Query("SELECT rfc FROM companies WHERE company_id = vertice_current_company()"));
    if (company.Empty()) co_return Fail(ErrorKind::kNotFound, "company.not_found", "La empresa no existe.");
    company_rfc_ = company.Str(0, "rfc");
    VERTICE_CO_ASSIGN_OR_RETURN(
        auto row,
        co_await tx.Query("INSERT INTO sat_invoice_imports (tenant_id, company_id, source, actor_type, actor_id) "
                          "VALUES (vertice_current_tenant(), vertice_current_company(), $1, $2, $3) "
                          "RETURNING import_id",
                          db::P(source_, actor_.type, actor_.id)));
    import_id_ = row.Int(0, "import_id");
    co_return Status{};
  });
  co_return opened;
}

PreparedBatch Importer::Prepare(const std::vector<ImportFile>& files) const {
  PreparedBatch out;
  out.results.resize(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    auto& r = out.results[i];
    r.name = files[i].name;
    auto checked = cfdi::Check(files[i].bytes);
    r.findings = std::move(checked.findings);
    if (checked.document) {
      const auto& d = *checked.document;
      auto seal = ApplySealPolicy(cfdi::VerifySeal(d, *certificates_), d.Stamped(), unverified_, r.findings);
      r.seal_state = std::string(cfdi::SealStateName(seal.state));
      r.seal_reason = std::move(seal.reason);
      r.uuid = d.Uuid();
      r.tipo = d.tipo;
      const bool is_emisor = NormalRfc(d.emisor.rfc) == company_rfc_;
      const bool is_receptor = NormalRfc(d.receptor.rfc) == company_rfc_;
      if (is_emisor || is_receptor) {
        r.direction = is_emisor ? "issued" : "received";
      } else {
        r.findings.push_back({"EMPRESA01", "company_not_party", cfdi::Severity::kError,
                              "La empresa (RFC " + company_rfc_ +
                                  ") no es emisor ni receptor del comprobante (emisor " + d.emisor.rfc.substr(0, 20) +
                                  ", receptor " + d.receptor.rfc.substr(0, 20) + ")."});
      }
    }
    if (!checked.document || cfdi::HasErrors(r.findings)) {
      r.outcome = Outcome::kRejected;
      continue;
    }
    out.indices.push_back(i);
    out.docs.push_back(DocumentJson(*checked.document, files[i], Sha256Hex(files[i].bytes), r.direction, r.findings,
                                    {r.seal_state, r.seal_reason}));
    out.xmls.push_back(Base64(files[i].bytes));
  }
  return out;
}

db::Task<Result<std::vector<FileResult>>> Importer::Store(PreparedBatch batch) {
  for (size_t from = 0; from < batch.docs.size(); from += kBatch) {
    const size_t to = std::min(batch.docs.size(), from + kBatch);
    std::vector<size_t> indices(batch.indices.begin() + static_cast<long>(from),
                                batch.indices.begin() + static_cast<long>(to));
    std::vector<std::string> docs(std::make_move_iterator(batch.docs.begin() + static_cast<long>(from)),
                                  std::make_move_iterator(batch.docs.begin() + static_cast<long>(to)));
    std::vector<std::string> xmls(std::make_move_iterator(batch.xmls.begin() + static_cast<long>(from)),
                                  std::make_move_iterator(batch.xmls.begin() + static_cast<long>(to)));
    VERTICE_CO_TRY(co_await StoreChunk(batch.results, std::move(indices), std::move(docs), std::move(xmls)));
  }
  for (const auto& r : batch.results) counts_.Add(r);
  co_return std::move(batch.results);
}

db::Task<Result<std::vector<FileResult>>> Importer::Add(std::vector<ImportFile> files) {
  std::vector<FileResult> all;
  for (size_t from = 0; from < files.size(); from += kBatch) {
    std::vector<ImportFile> slice(
        std::make_move_iterator(files.begin() + static_cast<long>(from)),
        std::make_move_iterator(files.begin() + static_cast<long>(std::min(files.size(), from + kBatch))));
    auto prepared = Prepare(slice);
    VERTICE_CO_ASSIGN_OR_RETURN(auto results, co_await Store(std::move(prepared)));
    for (auto& r : results) all.push_back(std::move(r));
  }
  co_return all;
}

db::Task<Status> Importer::StoreChunk(std::vector<FileResult>& results, std::vector<size_t> indices,
                                      std::vector<std::string> docs, std::vector<std::string> xmls) {
  auto store = [&](size_t from, size_t to) -> db::Task<Status> {
    size_t size = 2;
    for (size_t k = from; k < to; ++k) size += docs[k].size() + 1;
    std::string payload;
    payload.reserve(size);  // ~1.5 MB per batch: no regrowth copies
    payload += '[';
    for (size_t k = from; k < to; ++k) {
      if (k > from) payload += ',';
      payload += docs[k];
    }
    payload += ']';
    std::string xml;
    size_t xml_size = 0;
    for (size_t k = from; k < to; ++k) xml_size += xmls[k].size() + 1;
    xml.reserve(xml_size);
    for (size_t k = from; k < to; ++k) {
      if (k > from) xml += ',';  // not in the base64 alphabet
      xml += xmls[k];
    }
    auto params = db::P(std::to_string(import_id_), std::move(payload), std::move(xml));
    auto rows = co_await pool_.InTransaction(scope_, [&](db::Transaction& tx) -> db::Task<Result<db::Rows>> {
      VERTICE_CO_ASSIGN_OR_RETURN(
          auto stored,
          co_await tx.Query(
              "SELECT idx, outcome, invoice_id FROM cfdi_store_documents($1::bigint, $2::jsonb, $3::text)", params));
      // A document stored despite a failed seal check is audited with the import, in its transaction.
      for (int row = 0; row < stored.Size(); ++row) {
        const auto& r = results[indices[from + static_cast<size_t>(stored.Int(row, "idx")) - 1]];
        if (stored.Get(row, "outcome") != "accepted" || r.seal_state != "unverified_import") continue;
        json::object after{{"import_id", std::to_string(import_id_)},
                           {"file", r.name},
                           {"uuid", r.uuid.empty() ? json::value(nullptr) : json::value(r.uuid)},
                           {"seal_reason", r.seal_reason},
                           {"source", source_}};
        // audit_log knows users, API keys and the system: the CLI's operator is recorded as the
        // system acting for that login (actor_id), the import's source in the row.
        shared::Actor actor = actor_;
        if (actor.type != "user" && actor.type != "api_key") actor.type = "system";
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, actor, "invoice.imported_unverified", "sat_invoice",
                                                    std::to_string(stored.Int(row, "invoice_id")), {},
                                                    json::serialize(after)));
      }
      co_return stored;
    });
    if (!rows) co_return std::unexpected(rows.error());
    for (int row = 0; row < rows->Size(); ++row) {
      auto& r = results[indices[from + static_cast<size_t>(rows->Int(row, "idx")) - 1]];
      r.outcome = ParseOutcome(rows->Get(row, "outcome"));
      r.invoice_id = rows->Int(row, "invoice_id");
      if (r.outcome == Outcome::kConflict)
        r.findings.push_back({"UUID01", "uuid_conflict", cfdi::Severity::kError,
                              "Ya existe un comprobante con el UUID " + r.uuid + " y contenido distinto."});
    }
    co_return Status{};
  };
  auto all = co_await store(0, docs.size());
  if (all) co_return all;
  if (db::IsConnectionError(all.error()) || all.error().kind == ErrorKind::kUnavailable) co_return all;
  // The database refused the batch: store file by file so only the culprit is rejected.
  for (size_t k = 0; k < docs.size(); ++k) {
    auto one = co_await store(k, k + 1);
    if (!one) {
      if (db::IsConnectionError(one.error())) co_return one;
      auto& r = results[indices[k]];
      r.outcome = Outcome::kRejected;
      r.findings.push_back({"STORE01", "storage_refused", cfdi::Severity::kError,
                            "La base de datos rechazó el comprobante: " + one.error().message});
    }
  }
  co_return Status{};
}

db::Task<Status> Importer::Finish() {
  auto id = std::to_string(import_id_);
  auto done = co_await pool_.InTransaction(scope_, [&](db::Transaction& tx) -> db::Task<Status> {
    VERTICE_CO_TRY(co_await tx.Query(
        "UPDATE sat_invoice_imports SET files = $2, accepted = $3, duplicates = $4, conflicts = $5, rejected = $6, "
        "finished_at = now() WHERE import_id = $1",
        db::P(id, std::to_string(counts_.files), std::to_string(counts_.accepted), std::to_string(counts_.duplicates),
              std::to_string(counts_.conflicts), std::to_string(counts_.rejected))));
    co_return Status{};
  });
  co_return done;
}

}  // namespace vertice::invoices
