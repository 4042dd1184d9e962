// A reconciliation run for one company: loads what the matcher needs (open documents of the
// company net of what the bank already settled, payment complements, exchange rates from its own
// USD documents, its rules and learned aliases, the unreconciled movements in range), runs the
// matcher, and stores its decisions as matches with append-only events — automatic ones
// accepted, the rest proposed as suggestions — in one transaction. Movements with an accepted
// or manual match are never touched; a suggestion a user rejected is never proposed again.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "db/pool.hpp"
#include "reconciliation/matcher.hpp"
#include "shared/audit.hpp"

namespace vertice::reconciliation {

struct RunRequest {
  std::optional<int64_t> account_id;
  std::string from_date, to_date;  // ISO, empty: unbounded
  std::string requested_by;
  MatcherOptions options;
};

struct RunReport {
  int64_t run_id = 0;
  int movements = 0, auto_matched = 0, suggested = 0, classified = 0, unmatched = 0;
  double duration_ms = 0;
};
boost::json::object RunReportJson(const RunReport& r);

db::Task<Result<RunReport>> RunReconciliation(db::Pool& pool, const db::TenantScope& scope, RunRequest request);

// The company's reconciliation as a recon-truth/1 prediction file (../shared/datasets/recon-dev):
// every movement by its bank id, its current match (accepted: "auto" true; proposed: false),
// documents by UUID with amounts, adjustments, or "none" with its category.
db::Task<Result<boost::json::object>> ExportPredictions(db::Pool& pool, const db::TenantScope& scope);

}  // namespace vertice::reconciliation
