// CSV statements through profiles (see csv.hpp). Hand-written RFC 4180 reader: Debian ships no
// C++ CSV library, and a statement needs line numbers for its error messages anyway.
#include "bank/csv.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/text.hpp"

namespace vertice::bank {

namespace {

CsvProfile Generic() {
  CsvProfile p;
  p.name = "generic";
  p.summary = "id,date,description,reference,amount,balance (recon-dev; ISO dates, importe con signo)";
  p.date = {"date", "fecha"};
  p.amount = {"amount", "importe", "monto"};
  p.description = {"description", "descripcion"};
  p.reference = {"reference", "referencia"};
  p.bank_reference = {"id"};
  p.balance = {"balance", "saldo"};
  p.date_format = "%Y-%m-%d";
  p.encoding = CsvEncoding::kUtf8;
  return p;
}

CsvProfile BbvaMx() {
  CsvProfile p;
  p.name = "bbva-mx";
  p.summary = "BBVA México, exportación web: FECHA, DESCRIPCIÓN, CARGO, ABONO, SALDO (dd/mm/aaaa, Latin-1)";
  p.date = {"fecha"};
  p.description = {"descripcion"};
  p.debit = {"cargo", "cargos"};
  p.credit = {"abono", "abonos"};
  p.balance = {"saldo"};
  p.reference = {"referencia"};
  p.date_format = "%d/%m/%Y";
  p.sign = CsvSign::kDebitCredit;
  return p;
}

CsvProfile MxCargoAbono() {
  CsvProfile p;
  p.name = "mx-cargo-abono";
  p.summary =
      "Exportaciones de bancos mexicanos con Fecha, Concepto/Descripción, Cargo/Retiro, Abono/Depósito, Saldo "
      "(Banorte, Santander, Banamex y otros; dd/mm/aaaa)";
  p.date = {"fecha", "fecha de operacion", "fecha operacion", "fecha movimiento", "dia"};
  p.value_date = {"fecha valor", "fecha de liquidacion", "fecha liquidacion"};
  p.description = {"descripcion", "concepto", "descripcion detallada", "movimiento", "detalle"};
  p.debit = {"cargo", "cargos", "retiro", "retiros", "debe", "egresos"};
  p.credit = {"abono", "abonos", "deposito", "depositos", "haber", "ingresos"};
  p.balance = {"saldo", "saldo final"};
  p.reference = {"referencia", "referencia numerica", "ref", "referencia ampliada"};
  p.bank_reference = {"clave de rastreo", "folio", "numero de movimiento", "no movimiento"};
  p.counterparty_name = {"beneficiario", "ordenante", "nombre"};
  p.counterparty_account = {"cuenta ordenante", "cuenta beneficiario", "clabe"};
  p.date_format = "%d/%m/%Y|%d-%m-%Y|%Y-%m-%d|%d/%b/%Y|%d-%b-%Y";
  p.sign = CsvSign::kDebitCredit;
  return p;
}

CsvProfile EnSigned() {
  CsvProfile p;
  p.name = "en-signed";
  p.summary = "Date, Description/Label, Amount [, D/C] [, Balance] (US-style MM/DD/YYYY or ISO dates)";
  p.date = {"date", "posting date", "transaction date", "booking date"};
  p.value_date = {"value date"};
  p.description = {"description", "label", "memo", "details", "narrative"};
  p.amount = {"amount"};
  p.indicator = {"d/c", "dc", "debit/credit", "cr/dr", "dr/cr"};
  p.balance = {"balance", "running balance"};
  p.reference = {"reference", "ref"};
  p.bank_reference = {"id", "transaction id"};
  p.counterparty_name = {"partner name", "payee", "counterparty", "name"};
  p.counterparty_account = {"bank account", "counterparty account", "iban"};
  p.date_format = "%Y-%m-%d|%m/%d/%Y";
  return p;
}

struct Columns {
  int date = -1, value_date = -1, amount = -1, debit = -1, credit = -1, indicator = -1, balance = -1, reference = -1,
      bank_reference = -1, currency = -1, counterparty_name = -1, counterparty_account = -1;
  std::vector<int> description;
};

int Find(const std::vector<std::string>& keys, const std::vector<std::string>& wanted) {
  for (const auto& w : wanted) {
    if (w.size() > 1 && w[0] == '#') {
      int n = std::atoi(w.c_str() + 1);  // NOLINT(cert-err34-c): a non-number gives 0, rejected below
      if (n >= 1 && n <= static_cast<int>(keys.size())) return n - 1;
      continue;
    }
    auto key = HeaderKey(w);
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return static_cast<int>(i);
  }
  return -1;
}

// The profile's columns in this header, or nothing when a required one is missing.
std::optional<Columns> Resolve(const CsvProfile& p, const std::vector<std::string>& keys) {
  Columns c;
  c.date = Find(keys, p.date);
  c.value_date = Find(keys, p.value_date);
  c.amount = Find(keys, p.amount);
  c.debit = Find(keys, p.debit);
  c.credit = Find(keys, p.credit);
  c.indicator = Find(keys, p.indicator);
  c.balance = Find(keys, p.balance);
  c.reference = Find(keys, p.reference);
  c.bank_reference = Find(keys, p.bank_reference);
  c.currency = Find(keys, p.currency);
  c.counterparty_name = Find(keys, p.counterparty_name);
  c.counterparty_account = Find(keys, p.counterparty_account);
  for (const auto& d : p.description) {
    int i = Find(keys, {d});
    if (i >= 0 && std::find(c.description.begin(), c.description.end(), i) == c.description.end())
      c.description.push_back(i);
  }
  if (c.date < 0) return std::nullopt;
  if (p.sign == CsvSign::kDebitCredit) {
    if (c.debit < 0 || c.credit < 0) return std::nullopt;
  } else if (c.amount < 0 || (p.sign == CsvSign::kIndicator && c.indicator < 0)) {
    return std::nullopt;
  }
  if (!p.description.empty() && c.description.empty()) return std::nullopt;
  return c;
}

std::vector<std::string_view> SplitPatterns(std::string_view patterns) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= patterns.size()) {
    size_t bar = patterns.find('|', start);
    if (bar == std::string_view::npos) bar = patterns.size();
    if (bar > start) out.push_back(patterns.substr(start, bar - start));
    start = bar + 1;
  }
  return out;
}

bool InList(std::string_view value, const std::vector<std::string>& list) {
  auto up = ToUpperAscii(Trim(value));
  for (const auto& v : list)
    if (up == ToUpperAscii(v)) return true;
  return false;
}

std::string Field(const CsvRecord& r, int column) {
  if (column < 0 || column >= static_cast<int>(r.fields.size())) return {};
  return std::string(Trim(r.fields[column]));
}

Error TooManyErrors(std::vector<Error> errors) {
  boost::json::array list;
  for (const auto& e : errors) list.push_back(boost::json::string(e.message));
  Error first = errors.front();
  first.message = errors.size() == 1 ? first.message
                                     : first.message + " (y " + std::to_string(errors.size() - 1) +
                                           " errores más; el estado de cuenta no se importó)";
  first.details = boost::json::object{{"errors", std::move(list)}};
  return first;
}

}  // namespace

const std::vector<CsvProfile>& BuiltinCsvProfiles() {
  static const std::vector<CsvProfile> kProfiles{Generic(), BbvaMx(), MxCargoAbono(), EnSigned()};
  return kProfiles;
}

std::string HeaderKey(std::string_view header) {
  std::string out;
  auto t = Trim(header);
  for (size_t i = 0; i < t.size(); ++i) {
    unsigned char c = t[i];
    if (c == 0xC3 && i + 1 < t.size()) {
      char folded = FoldAccentUpper(static_cast<unsigned char>(t[i + 1]));
      ++i;
      if (folded) out.push_back(static_cast<char>(folded | 0x20));
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      out.push_back(static_cast<char>(c));
    else if (c >= 'A' && c <= 'Z')
      out.push_back(static_cast<char>(c | 0x20));
    else if (c == '/')
      out.push_back('/');  // "D/C" stays distinct from "DC"? both listed
  }
  return out;
}

char DetectDelimiter(std::string_view text) {
  auto end = text.find('\n');
  std::string_view first = text.substr(0, end);
  char best = ',';
  size_t best_count = 0;
  for (char d : {',', ';', '\t', '|'}) {
    size_t count = 0;
    bool quoted = false;
    for (char c : first) {
      if (c == '"')
        quoted = !quoted;
      else if (c == d && !quoted)
        ++count;
    }
    if (count > best_count) {
      best = d;
      best_count = count;
    }
  }
  return best;
}

Result<std::vector<CsvRecord>> ReadCsvRecords(std::string_view text, char delimiter) {
  std::vector<CsvRecord> records;
  CsvRecord current;
  std::string field;
  int line = 1;
  current.line = 1;
  bool in_quotes = false, field_started = false, was_quoted = false;
  auto end_field = [&] {
    current.fields.push_back(std::move(field));
    field.clear();
    field_started = was_quoted = false;
  };
  auto end_record = [&] {
    end_field();
    bool blank =
        std::all_of(current.fields.begin(), current.fields.end(), [](const std::string& f) { return Trim(f).empty(); });
    if (!blank) records.push_back(std::move(current));
    current = CsvRecord{};
    current.line = line;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      in_quotes = was_quoted = field_started = true;
    } else if (c == delimiter) {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      end_record();
    } else {
      if (was_quoted && c != ' ')
        return std::unexpected(ParseError("csv_malformed", "texto después de una comilla de cierre.", line));
      field.push_back(c);
      field_started = true;
    }
  }
  if (in_quotes)
    return std::unexpected(ParseError("csv_malformed", "comilla sin cerrar (¿archivo truncado?).", current.line));
  if (field_started || !current.fields.empty()) end_record();
  return records;
}

namespace {

// Decoding depends on the profile, which depends on the header: decode once per candidate
// encoding (they are few, and the file is small next to the database work).
Result<std::string> Decode(std::string_view raw, const CsvProfile& p) {
  bool utf8 = IsValidUtf8(raw);
  if (p.encoding == CsvEncoding::kUtf8 && !utf8)
    return std::unexpected(
        ParseError("wrong_encoding", "el archivo no está en UTF-8 (¿Latin-1?); el perfil «" + p.name +
                                         "» espera UTF-8. Use un perfil con encoding = \"latin-1\" o \"auto\"."));
  if (p.encoding == CsvEncoding::kLatin1 || (p.encoding == CsvEncoding::kAuto && !utf8)) return Latin1ToUtf8(raw);
  return std::string(raw);
}

// The records after the profile's skipped rows, split on its delimiter (or the detected one).
Result<std::vector<CsvRecord>> RecordsOf(const CsvProfile& p, std::string_view text) {
  for (int s = 0; s < p.skip_rows; ++s) {
    auto nl = text.find('\n');
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  return ReadCsvRecords(text, p.delimiter ? p.delimiter : DetectDelimiter(text));
}

// The profile whose columns the header has, its records (header first) and the columns found.
struct Layout {
  const CsvProfile* profile = nullptr;
  std::vector<CsvRecord> records;
  Columns columns;
};

Error UnknownLayout(const CsvProfile* profile, const std::vector<CsvProfile>& candidates,
                    const std::vector<std::string>& seen_header) {
  std::string header;
  for (const auto& h : seen_header) header += (header.empty() ? "" : ", ") + h;
  std::string names;
  for (const auto& p : candidates) names += (names.empty() ? "" : ", ") + p.name;
  return Fail(ErrorKind::kInvalidInput, "bank.unknown_csv_layout",
              profile ? "El encabezado del CSV (" + header.substr(0, 200) +
                            ") no tiene las columnas que pide el perfil «" + profile->name + "»."
                      : "No se reconoce el formato del CSV (encabezado: " + header.substr(0, 200) +
                            "). Indique un perfil (" + names + ") o defina uno en la configuración.")
      .error();
}

// The profile asked for, or the first candidate whose columns the header has.
Result<Layout> ChooseLayout(std::string_view raw, const CsvProfile* profile,
                            const std::vector<CsvProfile>& candidates) {
  std::vector<const CsvProfile*> tries;
  if (profile)
    tries.push_back(profile);
  else
    for (const auto& p : candidates) tries.push_back(&p);
  std::vector<std::string> seen_header;
  std::optional<Error> first_error;
  for (const CsvProfile* p : tries) {
    auto text = Decode(raw, *p);
    auto records = text ? RecordsOf(*p, *text) : std::unexpected(text.error());
    if (!records) {
      if (profile) return std::unexpected(records.error());
      if (!first_error) first_error = records.error();
      continue;
    }
    if (records->empty()) return std::unexpected(ParseError("empty_file", "el archivo CSV está vacío."));
    std::vector<std::string> keys;
    for (const auto& h : records->front().fields) keys.push_back(HeaderKey(h));
    seen_header = records->front().fields;
    if (auto columns = Resolve(*p, keys)) return Layout{p, std::move(*records), std::move(*columns)};
  }
  if (first_error && seen_header.empty()) return std::unexpected(*first_error);
  return std::unexpected(UnknownLayout(profile, candidates, seen_header));
}

// The date pattern that reads every row (so 03/04 is never read two ways in one file).
std::string_view ChooseDatePattern(const Layout& layout, const std::vector<std::string_view>& patterns) {
  for (auto candidate : patterns) {
    bool all = true;
    for (size_t r = 1; r < layout.records.size() && all; ++r)
      all = ParseDate(Field(layout.records[r], layout.columns.date), candidate).has_value();
    if (all) return candidate;
  }
  return patterns.empty() ? std::string_view("%Y-%m-%d") : patterns.front();
}

// The signed amount of a record: one column (signed, inverted or with a debit/credit indicator)
// or a debit and a credit column.
Result<Money> AmountOf(const CsvRecord& rec, const CsvProfile& p, const Columns& cols) {
  auto money = [&](int col) -> Result<std::optional<Money>> {
    auto f = Field(rec, col);
    if (f.empty()) return std::optional<Money>{};
    VERTICE_ASSIGN_OR_RETURN(auto m, ParseAmount(f, p.decimal_separator, p.thousands_separator));
    return std::optional<Money>(m);
  };
  if (p.sign == CsvSign::kDebitCredit) {
    VERTICE_ASSIGN_OR_RETURN(auto debit, money(cols.debit));
    VERTICE_ASSIGN_OR_RETURN(auto credit, money(cols.credit));
    bool has_debit = debit && !debit->IsZero(), has_credit = credit && !credit->IsZero();
    if (has_debit && has_credit)
      return std::unexpected(ParseError("debit_and_credit", "la línea tiene cargo y abono a la vez."));
    if (has_debit) return debit->Abs().Negate().value();
    if (has_credit) return credit->Abs();
    return Money{};
  }
  VERTICE_ASSIGN_OR_RETURN(auto amount, money(cols.amount));
  if (!amount) return std::unexpected(ParseError("missing_amount", "falta el importe."));
  if (cols.indicator >= 0) {
    auto ind = Field(rec, cols.indicator);
    if (InList(ind, p.debit_indicators)) return amount->Abs().Negate().value();
    if (InList(ind, p.credit_indicators)) return amount->Abs();
    return std::unexpected(ParseError("invalid_indicator", "indicador de cargo/abono desconocido «" + ind + "»."));
  }
  if (p.sign == CsvSign::kInverted) return amount->Negate().value();
  return *amount;
}

// One record as a movement (file line `line`).
Result<Movement> MovementOf(const CsvRecord& rec, int line, const Layout& layout, std::string_view pattern) {
  const CsvProfile& p = *layout.profile;
  const Columns& cols = layout.columns;
  Movement m;
  m.line = line;
  VERTICE_ASSIGN_OR_RETURN(m.booking_date, ParseDate(Field(rec, cols.date), pattern));
  if (cols.value_date >= 0 && !Field(rec, cols.value_date).empty()) {
    VERTICE_ASSIGN_OR_RETURN(m.value_date, ParseDate(Field(rec, cols.value_date), pattern));
  }
  VERTICE_ASSIGN_OR_RETURN(m.amount, AmountOf(rec, p, cols));
  if (cols.balance >= 0) {
    auto f = Field(rec, cols.balance);
    if (!f.empty()) {
      VERTICE_ASSIGN_OR_RETURN(m.balance_after, ParseAmount(f, p.decimal_separator, p.thousands_separator));
    }
  }
  for (int c : cols.description) {
    auto f = Squeeze(Field(rec, c));
    if (f.empty()) continue;
    if (!m.description.empty()) m.description += " / ";
    m.description += f;
  }
  m.reference = Field(rec, cols.reference);
  m.bank_reference = Field(rec, cols.bank_reference);
  m.counterparty_name = Squeeze(Field(rec, cols.counterparty_name));
  m.counterparty_account = Field(rec, cols.counterparty_account);
  return m;
}

// Running balance: consistent in file order (oldest first) or reversed (newest first, as many
// web exports list them); either gives the opening and closing balances. No balance column: nothing.
Status CheckRunningBalance(Statement& st) {
  auto& mv = st.movements;
  bool has_balances =
      !mv.empty() && std::all_of(mv.begin(), mv.end(), [](const Movement& m) { return m.balance_after.has_value(); });
  if (!has_balances) return {};
  auto consistent = [&](bool newest_first, size_t& bad) {
    for (size_t i = 1; i < mv.size(); ++i) {
      const Movement& prev = newest_first ? mv[i] : mv[i - 1];
      const Movement& next = newest_first ? mv[i - 1] : mv[i];
      auto expect = prev.balance_after->Add(next.amount);
      if (!expect || *expect != *next.balance_after) {
        bad = newest_first ? i - 1 : i;
        return false;
      }
    }
    return true;
  };
  size_t bad_up = 0, bad_down = 0;
  // Balance minus amount of the oldest line; huge figures can leave Money's range.
  auto opening = [](const Movement& m) -> Result<Money> {
    auto o = m.balance_after->Sub(m.amount);
    if (!o) return std::unexpected(ParseError("invalid_amount", "el saldo está fuera de rango.", m.line));
    return o;
  };
  if (consistent(false, bad_up)) {
    VERTICE_ASSIGN_OR_RETURN(st.opening_balance, opening(mv.front()));
    st.closing_balance = *mv.back().balance_after;
    return {};
  }
  if (mv.size() > 1 && consistent(true, bad_down)) {
    VERTICE_ASSIGN_OR_RETURN(st.opening_balance, opening(mv.back()));
    st.closing_balance = *mv.front().balance_after;
    return {};
  }
  const Movement& bad = mv[bad_up];
  const Movement& prev = mv[bad_up - 1];
  auto sum = prev.balance_after->Add(bad.amount);
  std::string expected = sum ? sum->ToString() : std::string("(fuera de rango)");
  boost::json::object d{{"line", bad.line},
                        {"previous_balance", prev.balance_after->ToString()},
                        {"amount", bad.amount.ToString()},
                        {"expected_balance", expected},
                        {"balance", bad.balance_after->ToString()}};
  return Fail(ErrorKind::kBusinessRule, "bank.balance_mismatch",
              "Línea " + std::to_string(bad.line) + ": el saldo no cuadra: " + prev.balance_after->ToString() + " + " +
                  bad.amount.ToString() + " = " + expected + ", pero la línea dice " + bad.balance_after->ToString() +
                  ".",
              std::move(d));
}

}  // namespace

Result<ParsedFile> ParseCsv(std::string_view bytes, const CsvProfile* profile,
                            const std::vector<CsvProfile>& candidates) {
  std::string_view raw = StripBom(bytes);
  if (raw.find('\0') != std::string_view::npos)
    return std::unexpected(ParseError("csv_binary", "el archivo contiene bytes nulos; no es un CSV."));
  VERTICE_ASSIGN_OR_RETURN(auto layout, ChooseLayout(raw, profile, candidates));
  const CsvProfile& p = *layout.profile;
  const std::string_view pattern = ChooseDatePattern(layout, SplitPatterns(p.date_format));
  Statement st;
  st.currency = p.currency_default;
  std::vector<Error> errors;
  for (size_t r = 1; r < layout.records.size(); ++r) {
    const auto& rec = layout.records[r];
    const int line = rec.line + p.skip_rows;  // the file's line numbers: skipped rows come first
    auto m = MovementOf(rec, line, layout, pattern);
    if (!m) {
      Error e = std::move(m).error();
      e.message = "Línea " + std::to_string(line) + ": " + e.message;
      errors.push_back(std::move(e));
      continue;
    }
    if (layout.columns.currency >= 0 && st.currency.empty())
      st.currency = ToUpperAscii(Field(rec, layout.columns.currency));
    if (auto problem = LineProblem(*m)) {
      st.skipped.push_back({line, std::move(*problem)});
      continue;
    }
    st.movements.push_back(std::move(*m));
    if (errors.size() >= 50) break;
  }
  if (!errors.empty()) return std::unexpected(TooManyErrors(std::move(errors)));
  if (st.movements.empty() && st.skipped.empty())
    return std::unexpected(ParseError("no_movements", "el archivo no tiene movimientos."));
  VERTICE_TRY(CheckRunningBalance(st));
  DerivePeriod(st);
  ParsedFile out;
  out.format = Format::kCsv;
  out.variant = p.name;
  out.statements.push_back(std::move(st));
  return out;
}

}  // namespace vertice::bank
