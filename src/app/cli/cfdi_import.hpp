// `vertice import cfdi PATH... --company ID`: files, folders (recursively) and ZIPs streamed
// into the invoice importer in batches, with a progress bar on a terminal and a summary.
#pragma once

#include <string>
#include <vector>

#include "app/config.hpp"

namespace vertice::app::cli {

// 0: every file accepted or duplicate; 3: some rejected or in conflict; 1/2: could not run.
// unverified (--unverified): documents whose seal is invalid or missing are stored as
// unverified imports, each audited, instead of being rejected (seal_invalid).
int ImportCfdi(const Config& config, const std::vector<std::string>& paths, const std::string& company_id,
               bool unverified = false);

}  // namespace vertice::app::cli
