// Bank statements as the parsers deliver them, before any database: statements of one account
// with their movements (signed amounts: deposits > 0, withdrawals < 0) and, when the format
// carries them, opening and closing balances. One model for CAMT.053, MT940, OFX and CSV, so the
// importer, the integrity checks and the matcher never look at a file format.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "shared/decimal.hpp"

namespace vertice::bank {

using shared::Money;

enum class Format { kAuto, kCsv, kCamt053, kMt940, kOfx };
std::string_view FormatName(Format f);
std::optional<Format> FormatFromName(std::string_view name);

struct Movement {
  std::string booking_date;    // ISO yyyy-mm-dd
  std::string value_date;      // ISO, or empty
  Money amount;                // signed: deposit > 0, withdrawal < 0
  std::string description;     // what the bank shows, details joined
  std::string reference;       // the payer's reference (SPEI referencia numérica, EndToEndId, check number)
  std::string bank_reference;  // the bank's own id of the line (AcctSvcrRef, FITID, CSV id, MT940 bank ref)
  std::string counterparty_name;
  std::string counterparty_account;    // CLABE / IBAN / account of the other party, when given
  std::string transaction_code;        // BkTxCd, MT940 type, OFX TRNTYPE
  std::optional<Money> balance_after;  // running balance printed on the line (CSV)
  int line = 0;                        // 1-based line (CSV, MT940) or entry number (CAMT, OFX)
};

// A line the parser read but will not import, with why (e.g. a pending CAMT entry).
struct SkippedLine {
  int line = 0;
  std::string reason;
};

struct Statement {
  std::string statement_id;  // the bank's id (CAMT Stmt/Id, MT940 :20:/:28C:), may be empty
  std::string account;       // CLABE / IBAN / account number as the file writes it
  std::string currency;      // ISO 4217, may be empty when the file does not say
  std::optional<Money> opening_balance;
  std::optional<Money> closing_balance;
  std::string from_date, to_date;  // ISO period; derived from the movements when the file is silent
  std::vector<Movement> movements;
  std::vector<SkippedLine> skipped;
};

struct ParsedFile {
  Format format = Format::kAuto;
  std::string variant;  // "camt.053.001.02", "OFX 1.02 (SGML)", the CSV profile's name, …
  std::vector<Statement> statements;
};

// Checks opening + Σ movements = closing when both balances are known. The error carries the
// figures (details JSON) so the user sees opening, sum, expected and stated closing.
Status CheckBalances(const Statement& s);

// Why the database would refuse a movement line, or nullopt: an amount of zero or beyond
// NUMERIC(18,2), a date PostgreSQL does not hold, text that is not UTF-8 or holds NUL. The one
// per-line check of every format: ParseStatementFile moves refused lines to `skipped` with this
// reason, whatever the format, so a bad line stops nothing and the report names it.
std::optional<std::string> LineProblem(const Movement& m);
// Moves the movements LineProblem refuses to `skipped` (kept in line order).
void SkipRefusedLines(Statement& s);
// What the database would refuse in a statement as a whole: an opening or closing balance or a
// movements total beyond NUMERIC(18,2), a period date it does not hold, text that is not UTF-8.
Status CheckStorable(const Statement& s);

// Fills from_date/to_date from the movements when the parser found no period.
void DerivePeriod(Statement& s);

// Helpers shared by the parsers (statement_text.cpp).
// "1.234,56" with decimal ',' and thousands '.', "-1,525.00", "12,5", "9," (MT940) → Money.
// thousands == 0: no grouping allowed. More than two decimals is an error, never rounded.
Result<Money> ParseAmount(std::string_view text, char decimal_sep, char thousands_sep);
// Dates by a strftime-like pattern of %Y %y %m %d %b (Spanish/English month abbreviations) and
// literal characters: "%d/%m/%Y", "%Y%m%d". Returns ISO, refusing days that do not exist.
Result<std::string> ParseDate(std::string_view text, std::string_view pattern);
// Latin-1 to UTF-8: vertice::Latin1ToUtf8 (core/text.hpp), shared with the HTTP layer.
// Drops a UTF-8 byte-order mark.
std::string_view StripBom(std::string_view bytes);
std::string_view Trim(std::string_view s);
// Collapses runs of whitespace to one space and trims.
std::string Squeeze(std::string_view s);

Error ParseError(const std::string& code, std::string message, int line = 0);

}  // namespace vertice::bank
