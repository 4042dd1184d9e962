// CSV bank exports through profiles: which columns hold the date, the amount (signed, inverted,
// separate debit/credit columns, or an amount with a D/C indicator), the description, references
// and the running balance; the date pattern, decimal and thousands separators, delimiter,
// encoding and rows to skip. Built-in profiles cover the recon-dev layout and the Mexican bank
// exports whose layouts are known; users add their own in configuration (docs/operations.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bank/statement.hpp"

namespace vertice::bank {

enum class CsvSign {
  kSigned,       // one amount column: deposits positive, withdrawals negative
  kInverted,     // one amount column: withdrawals positive (card-style exports)
  kDebitCredit,  // a debit column and a credit column (either may carry a minus sign)
  kIndicator,    // an amount column and a D/C indicator column
};

enum class CsvEncoding { kUtf8, kLatin1, kAuto };  // kAuto: UTF-8 when valid, else Latin-1

struct CsvProfile {
  std::string name;
  std::string summary;  // what it reads, for listings and error messages
  char delimiter = 0;   // 0: detect among , ; tab |
  CsvEncoding encoding = CsvEncoding::kAuto;
  int skip_rows = 0;  // lines before the header (bank banners, account summaries)
  std::string date_format = "%Y-%m-%d";
  char decimal_separator = '.';
  char thousands_separator = ',';  // 0: none allowed
  CsvSign sign = CsvSign::kSigned;
  // Each column is a list of accepted header names (compared without case, accents or spaces),
  // or "#N" for the N-th column (1-based) of a file without usable headers.
  std::vector<std::string> date, value_date, amount, debit, credit, indicator, balance, reference, bank_reference,
      currency, counterparty_name, counterparty_account;
  std::vector<std::string> description;  // every listed column that exists, joined by " / "
  std::vector<std::string> debit_indicators{"D", "DR", "DB", "DEBIT", "DEBITO", "CARGO", "-"};
  std::vector<std::string> credit_indicators{"C", "CR", "CREDIT", "CREDITO", "ABONO", "+"};
  std::string currency_default;  // when there is no currency column; empty: the account's
};

// recon-dev "generic", "bbva-mx", "mx-cargo-abono" (Fecha/Concepto/Cargo/Abono/Saldo exports of
// Banorte, Santander, Banamex and others), "en-signed" (Date/Description/Amount/Balance).
const std::vector<CsvProfile>& BuiltinCsvProfiles();

// Parses with `profile`, or when null with the first of `candidates` whose columns the header
// has (the user's profiles first, then the built-ins). One statement per file; when the file
// has a running balance it is checked line by line (either order) and gives the opening and
// closing balances.
Result<ParsedFile> ParseCsv(std::string_view bytes, const CsvProfile* profile,
                            const std::vector<CsvProfile>& candidates);

// RFC 4180 records (quoted fields, doubled quotes, CRLF or LF, newlines inside quotes).
struct CsvRecord {
  int line = 0;  // line where the record starts
  std::vector<std::string> fields;
};
Result<std::vector<CsvRecord>> ReadCsvRecords(std::string_view text, char delimiter);
char DetectDelimiter(std::string_view text);
// Header key: lower case ASCII, accents folded, spaces/punctuation dropped ("Descripción" → "descripcion").
std::string HeaderKey(std::string_view header);

}  // namespace vertice::bank
