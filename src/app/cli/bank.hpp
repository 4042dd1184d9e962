// `vertice bank account create` and `vertice import statement`: bank accounts and statement
// files from the command line, through the same importer as the API (row-level security on).
#pragma once

#include <string>
#include <vector>

#include "app/config.hpp"

namespace vertice::app {

struct BankAccountArgs {
  std::string company, name, bank, clabe, number, currency = "MXN";
};
// Prints the new account's id. 0 on success; 1/2 could not run.
int CreateBankAccount(const Config& config, const BankAccountArgs& args);

struct StatementImportArgs {
  std::vector<std::string> paths;
  std::string company;
  std::string account;  // id, CLABE or number; empty: found from each statement
  std::string format = "auto";
  std::string profile;
  std::string override_reason;
  bool json = false;  // one JSON report per file on stdout
};
// 0: every file imported or already imported; 3: some file rejected; 1/2: could not run.
int ImportStatements(const Config& config, const StatementImportArgs& args);

struct ReconArgs {
  std::string company;
  std::string account;  // id; empty: every account
  std::string from, to;
  std::string format = "recon-truth/1";
  std::string output;  // export: a file; empty: standard output
};
// `vertice recon run`: the matcher over the company's unreconciled movements; prints the counts.
int ReconRun(const Config& config, const ReconArgs& args);
// `vertice recon export --format recon-truth/1`: the predictions file of recon-dev's README.
int ReconExport(const Config& config, const ReconArgs& args);

}  // namespace vertice::app
