// Statement files in, statements out: format detection and one parser per format. Pure (no
// database, no I/O): the importer and the fuzz targets call the same functions.
#pragma once

#include <string_view>
#include <vector>

#include "bank/csv.hpp"
#include "bank/statement.hpp"

namespace vertice::bank {

struct ParseOptions {
  Format format = Format::kAuto;
  const CsvProfile* profile = nullptr;     // CSV: this profile, or detection among candidates
  std::vector<CsvProfile> csv_candidates;  // CSV detection order (user profiles, then built-ins)
};

// From the content, not the file name: XML with a camt namespace, an OFX header or <OFX>, MT940
// tags (:20: … :61:), else CSV.
Format DetectFormat(std::string_view bytes);

Result<ParsedFile> ParseStatementFile(std::string_view bytes, const ParseOptions& options);

bool LooksLikeCamt(std::string_view bytes);
Result<ParsedFile> ParseCamt(std::string_view bytes);
Result<ParsedFile> ParseMt940(std::string_view bytes);
Result<ParsedFile> ParseOfx(std::string_view bytes);

}  // namespace vertice::bank
