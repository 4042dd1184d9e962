// The invoices a list selection shows, as a CSV file a spreadsheet opens (UTF-8 with BOM, CRLF,
// formula-looking cells neutralised), oldest first; at most 100,000 rows.
#pragma once

#include <string>
#include <string_view>

#include "db/pool.hpp"
#include "shared/list.hpp"

namespace vertice::invoices {

// One CSV cell: quoted when it must be; = + - @ at the start prefixed with ' (CSV injection).
std::string CsvField(std::string_view v);

// 413 invoices.export_too_large past 100,000 invoices.
db::Task<Result<std::string>> ExportCsv(db::Transaction& tx, const shared::ListSelection& selection);

}  // namespace vertice::invoices
