// SWIFT MT940 customer statements, with the variants banks really send: the {1:}{2:}{4: envelope
// or bare fields, header lines before :20:, several statements (and currencies) per file,
// zero-padded amounts and "9," without decimals, reversal marks (RC/RD) and funds codes, an
// entry date that crosses the year, impossible dates such as 30 February (clamped to the month's
// last day, as the banks mean it), and :86: in free text, the Dutch /CODE/ structure or the
// German ?NN subfields. Hand-written: Debian has no MT940 library.
#include <fmt/format.h>
#include <chrono>

#include "bank/parse.hpp"
#include "core/text.hpp"

namespace vertice::bank {

namespace {

struct Field {
  std::string tag;
  std::string value;  // continuation lines joined with '\n'
  int line = 0;
};

// Lines to fields; lines before the first tag (headers, envelopes) and end markers are dropped.
std::vector<Field> ReadFields(std::string_view text) {
  std::vector<Field> fields;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // The envelope's blocks may share a line with the first field: "{1:…}{2:…}{4:" or "{4::20:…".
    while (line.starts_with("{")) {
      auto close = line.find('}');
      if (line.starts_with("{4:")) {
        line.remove_prefix(3);
        break;
      }
      if (close == std::string_view::npos) {
        line = {};
        break;
      }
      line.remove_prefix(close + 1);
    }
    if (line == "-" || line == "-}" || line.starts_with("-}")) {
      fields.push_back({"-", {}, line_no});  // end of a message
      continue;
    }
    if (line.size() >= 4 && line[0] == ':') {
      auto colon = line.find(':', 1);
      if (colon != std::string_view::npos && colon >= 3 && colon <= 5) {
        std::string tag(line.substr(1, colon - 1));
        bool is_tag = tag.size() >= 2 && std::isdigit(static_cast<unsigned char>(tag[0])) &&
                      std::isdigit(static_cast<unsigned char>(tag[1]));
        if (is_tag) {
          fields.push_back({tag, std::string(line.substr(colon + 1)), line_no});
          continue;
        }
      }
    }
    if (!fields.empty() && fields.back().tag != "62F" && fields.back().tag != "62M" && fields.back().tag != "64" &&
        fields.back().tag != "65") {
      fields.back().value += '\n';
      fields.back().value += line;
    }
    if (nl == text.size()) break;
  }
  return fields;
}

int Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// YYMMDD pieces to ISO, clamping an impossible day to the month's last day.
std::string IsoDate(int year, int month, int day) {
  using namespace std::chrono;
  if (month < 1 || month > 12 || day < 1 || day > 31) return {};
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) {
    auto last =
        year_month_day_last{std::chrono::year{year}, month_day_last{std::chrono::month{static_cast<unsigned>(month)}}};
    day = static_cast<int>(static_cast<unsigned>(last.day()));
  }
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

int Year(int yy) { return yy < 80 ? 2000 + yy : 1900 + yy; }

// :60F:/:62F: "C140219EUR662,23".
Result<std::pair<Money, std::string>> ParseBalance(const Field& f, std::string& currency, std::string& date) {
  std::string_view v = Trim(f.value);
  auto bad = [&] {
    return std::unexpected(
        ParseError("mt940_malformed", "saldo :" + f.tag + ": ilegible «" + std::string(v) + "».", f.line));
  };
  if (v.size() < 11 || (v[0] != 'C' && v[0] != 'D')) return bad();
  int yy = Digits(v, 1, 2), mm = Digits(v, 3, 2), dd = Digits(v, 5, 2);
  if (yy < 0 || mm < 0 || dd < 0) return bad();
  date = IsoDate(Year(yy), mm, dd);
  currency = std::string(v.substr(7, 3));
  auto amount = ParseAmount(v.substr(10), ',', 0);
  if (!amount || date.empty()) return bad();
  return std::make_pair(v[0] == 'D' ? amount->Negate().value() : *amount, currency);
}

struct Details {
  std::string description, name, account, reference;
};

// :86: in its three dialects.
Details ParseDetails(std::string_view raw) {
  Details d;
  std::string joined;
  bool structured = Trim(raw).starts_with("/") || raw.find("?20") != std::string_view::npos ||
                    raw.find("?00") != std::string_view::npos;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n') {
      if (!structured) joined.push_back(' ');
      // Lines padded to 65 columns (SNS) keep their spaces; squeezing below folds them.
      continue;
    }
    joined.push_back(raw[i]);
  }
  if (joined.find("?20") != std::string::npos || joined.find("?00") != std::string::npos) {
    // German GVC: "805?00ENTGELTABSCHLUSS?106666?20Pauschalen?3012345678?31…?32NAME".
    std::string text, posting;
    size_t i = joined.find('?');
    while (i != std::string::npos && i + 3 <= joined.size()) {
      int code = Digits(joined, i + 1, 2);
      size_t next = joined.find('?', i + 3);
      std::string value = joined.substr(i + 3, next == std::string::npos ? std::string::npos : next - i - 3);
      if (code == 0)
        posting = value;
      else if ((code >= 20 && code <= 29) || (code >= 60 && code <= 63))
        text += value;
      else if (code == 32 || code == 33)
        d.name += value;
      else if (code == 31)
        d.account = value;
      i = next;
    }
    d.description = Squeeze(posting.empty() ? text : posting + " " + text);
    return d;
  }
  if (Trim(joined).starts_with("/")) {
    // Dutch structured: /EREF/…//CNTP/IBAN/BIC/NAME/CITY//REMI/USTD//text/ and /NAME/…/ variants.
    auto value_after = [&](std::string_view key) -> std::string {
      auto at = joined.find("/" + std::string(key) + "/");
      if (at == std::string::npos) return {};
      size_t start = at + key.size() + 2;
      if (start < joined.size() && joined[start] == '/') ++start;  // "/REMI//text" in some banks
      size_t end = joined.find('/', start);
      return Squeeze(joined.substr(start, end == std::string::npos ? std::string::npos : end - start));
    };
    d.reference = value_after("EREF");
    d.name = value_after("NAME");
    auto cntp = joined.find("/CNTP/");
    if (cntp != std::string::npos) {
      std::vector<std::string> parts;
      size_t s = cntp + 6;
      for (int k = 0; k < 3; ++k) {
        size_t e = joined.find('/', s);
        parts.push_back(joined.substr(s, e == std::string::npos ? std::string::npos : e - s));
        if (e == std::string::npos) break;
        s = e + 1;
      }
      if (!parts.empty()) d.account = parts[0];
      if (parts.size() >= 3 && d.name.empty()) d.name = Squeeze(parts[2]);
    }
    auto remi = joined.find("/REMI/");
    if (remi != std::string::npos) {
      std::string rest = joined.substr(remi + 6);
      if (rest.starts_with("USTD//"))
        rest = rest.substr(6);
      else if (rest.starts_with("STRD/"))
        rest = rest.substr(5);
      auto next_key = rest.find("/ISDT/");
      if (next_key != std::string::npos) rest.resize(next_key);
      while (!rest.empty() && rest.back() == '/') rest.pop_back();
      d.description = Squeeze(rest);
    }
    if (d.description.empty()) d.description = Squeeze(joined);
    return d;
  }
  d.description = Squeeze(joined);
  return d;
}

// :61: "YYMMDD[MMDD](C|D|RC|RD)[funds]amount TTTT customerref[//bankref]\nsupplementary".
Result<Movement> ParseEntry(const Field& f) {
  std::string_view all = f.value;
  auto nl = all.find('\n');
  std::string_view v = Trim(all.substr(0, nl));
  std::string_view supplementary = nl == std::string_view::npos ? std::string_view{} : Trim(all.substr(nl + 1));
  auto bad = [&](const std::string& why) {
    return std::unexpected(ParseError("mt940_malformed", "movimiento :61: ilegible (" + why + ").", f.line));
  };
  int yy = Digits(v, 0, 2), mm = Digits(v, 2, 2), dd = Digits(v, 4, 2);
  if (yy < 0 || mm < 0 || dd < 0) return bad("fecha valor");
  Movement m;
  m.line = f.line;
  int year = Year(yy);
  m.value_date = IsoDate(year, mm, dd);
  if (m.value_date.empty()) return bad("fecha valor");
  size_t i = 6;
  int emm = Digits(v, 6, 2), edd = Digits(v, 8, 2);
  if (emm >= 0 && edd >= 0 && Digits(v, 6, 4) >= 0) {
    int eyear = year;
    if (emm < mm - 6) ++eyear;  // value 31 Dec, booked 2 Jan
    if (emm > mm + 6) --eyear;
    m.booking_date = IsoDate(eyear, emm, edd);
    if (m.booking_date.empty()) return bad("fecha contable");
    i = 10;
  } else {
    m.booking_date = m.value_date;
  }
  bool debit;
  if (v.substr(i).starts_with("RC")) {
    debit = true;  // reversal of a credit
    i += 2;
  } else if (v.substr(i).starts_with("RD")) {
    debit = false;
    i += 2;
  } else if (i < v.size() && (v[i] == 'C' || v[i] == 'D')) {
    debit = v[i] == 'D';
    ++i;
  } else {
    return bad("marca de cargo/abono");
  }
  if (i < v.size() && std::isalpha(static_cast<unsigned char>(v[i]))) ++i;  // funds code (third letter of the currency)
  size_t start = i;
  while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == ',')) ++i;
  auto amount = ParseAmount(v.substr(start, i - start), ',', 0);
  if (!amount) return bad("importe");
  m.amount = debit ? amount->Negate().value() : *amount;
  // Transaction type: N/F/S + 3 characters.
  if (i + 4 <= v.size()) {
    m.transaction_code = std::string(v.substr(i, 4));
    i += 4;
  }
  std::string_view refs = v.substr(std::min(i, v.size()));
  auto slashes = refs.find("//");
  std::string customer(Trim(refs.substr(0, slashes)));
  // ING writes "EREF" here to say the end-to-end reference is in :86:.
  if (customer != "NONREF" && customer != "EREF" && customer != "PREF" && customer != "MARF") m.reference = customer;
  if (slashes != std::string_view::npos) m.bank_reference = std::string(Trim(refs.substr(slashes + 2)));
  if (!supplementary.empty()) m.counterparty_account = Squeeze(supplementary);
  return m;
}

}  // namespace

Result<ParsedFile> ParseMt940(std::string_view bytes) {
  std::string text = IsValidUtf8(StripBom(bytes)) ? std::string(StripBom(bytes)) : Latin1ToUtf8(bytes);
  auto fields = ReadFields(text);
  ParsedFile out;
  out.format = Format::kMt940;
  out.variant = "MT940";
  std::optional<Statement> st;
  bool terminated = false;
  int last_entry_line = -1;  // the message ended with "-": a missing :62F: is the bank's, not a cut file
  std::string number, reference, balance_currency, balance_date;
  auto finish = [&]() -> Status {
    if (!st) return {};
    if (!st->opening_balance) return std::unexpected(ParseError("mt940_malformed", "falta el saldo inicial :60F:."));
    if (!st->closing_balance && !terminated)
      return std::unexpected(ParseError("mt940_malformed", "falta el saldo final :62F: (¿archivo truncado?)."));
    terminated = false;
    st->statement_id = number.empty() ? reference : reference + "/" + number;
    DerivePeriod(*st);
    out.statements.push_back(std::move(*st));
    st.reset();
    number.clear();
    return {};
  };
  for (const auto& f : fields) {
    if (f.tag == "-") {
      terminated = st.has_value();
      continue;
    }
    if (f.tag == "20") {
      VERTICE_TRY(finish());
      st.emplace();
      reference = std::string(Trim(f.value));
      continue;
    }
    if (!st) {
      if (f.tag == "25" || f.tag == "60F" || f.tag == "61")
        st.emplace();  // a file without :20:
      else
        continue;
    }
    if (f.tag == "25") {
      st->account = Squeeze(f.value);
    } else if (f.tag == "28C" || f.tag == "28") {
      std::string n;
      for (char c : f.value)
        if (c != '\n') n.push_back(c);
      number = std::string(Trim(n));
    } else if (f.tag == "60F" || f.tag == "60M") {
      VERTICE_ASSIGN_OR_RETURN(auto bal, ParseBalance(f, balance_currency, balance_date));
      if (!st->opening_balance) {
        st->opening_balance = bal.first;
        st->currency = bal.second;
      }
    } else if (f.tag == "62F" || f.tag == "62M") {
      VERTICE_ASSIGN_OR_RETURN(auto bal, ParseBalance(f, balance_currency, balance_date));
      if (st->currency.empty()) st->currency = bal.second;
      if (bal.second != st->currency)
        return std::unexpected(
            ParseError("mt940_malformed", "el saldo final está en otra moneda que el inicial.", f.line));
      st->closing_balance = bal.first;
    } else if (f.tag == "61") {
      VERTICE_ASSIGN_OR_RETURN(auto m, ParseEntry(f));
      last_entry_line = f.line;
      if (auto problem = LineProblem(m))
        st->skipped.push_back({f.line, std::move(*problem)});
      else
        st->movements.push_back(std::move(m));
    } else if (f.tag == "86") {
      // Only the :86: right after a stored :61: describes it (not a statement-level :86:, nor
      // the one of a skipped line).
      if (st->movements.empty() || st->movements.back().line != last_entry_line) continue;
      auto& m = st->movements.back();
      if (!m.description.empty()) continue;
      auto d = ParseDetails(f.value);
      m.description = d.description;
      if (!d.name.empty()) m.counterparty_name = d.name;
      if (!d.account.empty()) m.counterparty_account = d.account;
      if (!d.reference.empty() && m.reference.empty()) m.reference = d.reference;
    }
  }
  if (st && !st->closing_balance && !st->opening_balance && st->movements.empty()) st.reset();
  VERTICE_TRY(finish());
  if (out.statements.empty())
    return std::unexpected(ParseError("mt940_malformed", "no se encontró ningún estado MT940 (:20: … :62F:)."));
  return out;
}

}  // namespace vertice::bank
