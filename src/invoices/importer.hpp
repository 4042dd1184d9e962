// Imports CFDI files into a company: each file is read and validated (cfdi/), matched to the
// company as emisor (issued) or receptor (received), then stored in batches — one round trip per
// batch through cfdi_store_documents — with a per-file outcome: accepted, duplicate (same UUID
// and bytes: idempotent), conflict (same UUID, other bytes) or rejected with its rule codes.
// Every batch is one transaction; a batch the database refuses is retried file by file, so a
// bad file never takes its neighbours down with it.
//
// The issuer's seal (cfdi/seal.hpp) decides too (ApplySealPolicy): a document whose seal verifies
// is stored even when its arithmetic disagrees with our rules (SAT accepted it; the findings
// become warnings); an invalid or missing seal refuses the document (seal_invalid) unless the
// import is explicitly unverified, which stores it as unverified_import and audits it; a seal
// that cannot be checked (an unsupported complement) is stored with a warning.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cfdi/findings.hpp"
#include "cfdi/seal.hpp"
#include "db/pool.hpp"
#include "shared/audit.hpp"

namespace vertice::invoices {

struct ImportFile {
  std::string name;
  std::string bytes;
};

enum class Outcome { kAccepted, kDuplicate, kConflict, kRejected };
std::string_view OutcomeName(Outcome o);

struct FileResult {
  std::string name;
  Outcome outcome = Outcome::kRejected;
  std::string uuid;  // empty for unstamped drafts and unreadable files
  std::string tipo;
  std::string direction;  // issued / received
  std::optional<int64_t> invoice_id;
  std::vector<cfdi::Finding> findings;  // errors (rejected) and warnings (stored with the document)
  std::string seal_state;               // empty for unreadable files; else cfdi::SealStateName
  std::string seal_reason;
};

// What the seal's verdict does to a document's findings, and the state stored with it.
// stamped: the document carries a TimbreFiscalDigital; unverified: the user asked explicitly to
// store documents whose seal is invalid or missing.
struct SealOutcome {
  cfdi::SealState state = cfdi::SealState::kUnsigned;
  std::string reason;
};
SealOutcome ApplySealPolicy(const cfdi::SealVerdict& verdict, bool stamped, bool unverified,
                            std::vector<cfdi::Finding>& findings);
boost::json::object FileResultJson(const FileResult& r);

struct ImportCounts {
  int files = 0, accepted = 0, duplicates = 0, conflicts = 0, rejected = 0;
  void Add(const FileResult& r);
};
boost::json::object CountsJson(const ImportCounts& c);

// Files read, validated and turned into rows, ready to store (CPU only: may run on any thread).
struct PreparedBatch {
  std::vector<FileResult> results;
  std::vector<size_t> indices;    // results[indices[k]] is docs[k]
  std::vector<std::string> docs;  // JSON elements for cfdi_store_documents
  std::vector<std::string> xmls;  // the original bytes of each, base64
};

class Importer {
 public:
  // source: api, cli or demo. The scope must name the tenant and company. unverified: store
  // documents whose seal is invalid or missing (as unverified_import, audited) instead of refusing them.
  Importer(db::Pool& pool, const db::TenantScope& scope, const shared::Actor& actor, std::string source,
           bool unverified = false);

  // Opens the import (a sat_invoice_imports row) and reads the company's RFC.
  db::Task<Status> Begin();
  // Validates and stores one batch (any size; it is split into transactions of kBatch files).
  db::Task<Result<std::vector<FileResult>>> Add(std::vector<ImportFile> files);
  // The two halves of Add, so a caller can prepare the next batch on another thread while the
  // database stores this one. Prepare needs Begin() to have read the company's RFC.
  PreparedBatch Prepare(const std::vector<ImportFile>& files) const;
  db::Task<Result<std::vector<FileResult>>> Store(PreparedBatch batch);
  // Records the counts on the import row, with a synchronous commit that makes every batch
  // durable (they commit asynchronously): call it before reporting anything as imported.
  db::Task<Status> Finish();

  int64_t ImportId() const { return import_id_; }
  const ImportCounts& Counts() const { return counts_; }
  static constexpr size_t kBatch = 250;

 private:
  db::Task<Status> StoreChunk(std::vector<FileResult>& results, std::vector<size_t> indices,
                              std::vector<std::string> docs, std::vector<std::string> xmls);

  db::Pool& pool_;
  db::TenantScope scope_;
  shared::Actor actor_;
  std::string source_;
  bool unverified_ = false;
  std::shared_ptr<cfdi::CertificateCache> certificates_ = std::make_shared<cfdi::CertificateCache>();
  std::string company_rfc_;
  int64_t import_id_ = 0;
  ImportCounts counts_;
};

}  // namespace vertice::invoices
