// OFX/QFX bank and credit-card statements, SGML 1.x (elements without closing tags) and XML 2.x,
// read by one tolerant tokenizer: a value element is a tag followed by text, an aggregate is a
// tag followed by another tag, and a closing tag closes everything opened since its opener.
// Comments and CDATA are understood. pugixml cannot read OFX 1.x (not XML), and the XML dialect
// reads the same way, so one hand-written reader serves both.
#include <map>

#include "bank/parse.hpp"
#include "core/text.hpp"

namespace vertice::bank {

namespace {

struct Node {
  std::string name;
  std::string value;
  std::vector<Node> children;
  const Node* Child(std::string_view n) const {
    for (const auto& c : children)
      if (c.name == n) return &c;
    return nullptr;
  }
  std::string Text(std::string_view path) const {
    const Node* n = this;
    size_t start = 0;
    while (n && start < path.size()) {
      auto slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      n = n->Child(path.substr(start, slash - start));
      start = slash + 1;
    }
    return n ? n->value : std::string{};
  }
};

std::string DecodeEntities(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      static const std::pair<std::string_view, char> kEntities[] = {{"&amp;", '&'},  {"&lt;", '<'},    {"&gt;", '>'},
                                                                    {"&quot;", '"'}, {"&apos;", '\''}, {"&nbsp;", ' '}};
      bool done = false;
      for (auto [e, c] : kEntities)
        if (s.substr(i).starts_with(e)) {
          out.push_back(c);
          i += e.size() - 1;
          done = true;
          break;
        }
      if (done) continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

Result<Node> ReadTree(std::string_view text) {
  auto start = text.find("<OFX>");
  if (start == std::string_view::npos) start = text.find("<ofx>");
  if (start == std::string_view::npos) return std::unexpected(ParseError("ofx_malformed", "falta el elemento <OFX>."));
  Node root;
  root.name = "#root";
  std::vector<Node*> stack{&root};
  size_t i = start;
  while (i < text.size()) {
    if (text[i] != '<') {
      ++i;
      continue;
    }
    if (text.substr(i).starts_with("<!--")) {
      auto end = text.find("-->", i);
      i = end == std::string_view::npos ? text.size() : end + 3;
      continue;
    }
    if (text.substr(i).starts_with("<?")) {
      auto end = text.find("?>", i);
      i = end == std::string_view::npos ? text.size() : end + 2;
      continue;
    }
    auto close = text.find('>', i);
    if (close == std::string_view::npos)
      return std::unexpected(ParseError("ofx_malformed", "etiqueta sin cerrar (¿archivo truncado?)."));
    std::string tag = ToUpperAscii(Trim(text.substr(i + 1, close - i - 1)));
    i = close + 1;
    if (tag.empty()) continue;
    if (tag[0] == '/') {
      std::string name = tag.substr(1);
      // Close the most recent element of that name and everything opened inside it.
      for (size_t k = stack.size(); k-- > 1;) {
        if (stack[k]->name == name) {
          stack.resize(k);
          break;
        }
      }
      continue;
    }
    if (tag.back() == '/') tag.pop_back();  // <TAG/> in XML
    // The text up to the next tag (CDATA kept verbatim).
    std::string value;
    size_t j = i;
    while (j < text.size() && text[j] != '<') ++j;
    value = std::string(text.substr(i, j - i));
    if (text.substr(j).starts_with("<![CDATA[")) {
      auto end = text.find("]]>", j);
      if (end == std::string_view::npos) return std::unexpected(ParseError("ofx_malformed", "CDATA sin cerrar."));
      value += std::string(text.substr(j + 9, end - j - 9));
      j = end + 3;
      while (j < text.size() && text[j] != '<') value.push_back(text[j++]);
    }
    std::string trimmed(Trim(value));
    Node node;
    node.name = tag;
    bool closes_itself =
        text.substr(j).starts_with("</" + tag + ">") || text.substr(j).starts_with("</" + ToLowerAscii(tag) + ">");
    if (!trimmed.empty() || closes_itself) {
      node.value = DecodeEntities(trimmed);
      stack.back()->children.push_back(std::move(node));
      i = j;
    } else {
      stack.back()->children.push_back(std::move(node));
      stack.push_back(&stack.back()->children.back());
      i = j;
    }
  }
  const Node* ofx = root.Child("OFX");
  if (!ofx) return std::unexpected(ParseError("ofx_malformed", "falta el elemento <OFX>."));
  return *ofx;
}

// "20130824080000.000[-8:PST]" → "2013-08-24".
Result<std::string> OfxDate(const std::string& v, const std::string& where) {
  if (v.size() < 8) return std::unexpected(ParseError("invalid_date", where + ": fecha ilegible «" + v + "»."));
  auto d = ParseDate(v.substr(0, 8), "%Y%m%d");
  if (!d) d.error().message = where + ": " + d.error().message;
  return d;
}

void FindAll(const Node& n, std::string_view name, std::vector<const Node*>& out) {
  for (const auto& c : n.children) {
    if (c.name == name)
      out.push_back(&c);
    else
      FindAll(c, name, out);
  }
}

}  // namespace

Result<ParsedFile> ParseOfx(std::string_view bytes) {
  std::string text = IsValidUtf8(StripBom(bytes)) ? std::string(StripBom(bytes)) : Latin1ToUtf8(bytes);
  VERTICE_ASSIGN_OR_RETURN(auto ofx, ReadTree(text));
  ParsedFile out;
  out.format = Format::kOfx;
  out.variant = text.find("<?xml") != std::string::npos || text.find("OFXHEADER=\"") != std::string::npos
                    ? "OFX 2.x (XML)"
                    : "OFX 1.x (SGML)";
  std::vector<const Node*> statements;
  FindAll(ofx, "STMTRS", statements);
  FindAll(ofx, "CCSTMTRS", statements);
  int entry = 0;
  for (const Node* s : statements) {
    Statement st;
    st.currency = ToUpperAscii(s->Text("CURDEF"));
    const Node* acct = s->Child("BANKACCTFROM");
    if (!acct) acct = s->Child("CCACCTFROM");
    st.account = acct ? acct->Text("ACCTID") : std::string{};
    // Some banks split one statement over several BANKTRANLIST elements.
    for (const auto& list : s->children) {
      if (list.name != "BANKTRANLIST") continue;
      if (auto from = list.Text("DTSTART");
          from.size() >= 8 && (st.from_date.empty() || from.substr(0, 8) < st.from_date))
        if (auto d = OfxDate(from, "DTSTART")) st.from_date = *d;
      if (auto to = list.Text("DTEND"); to.size() >= 8)
        if (auto d = OfxDate(to, "DTEND"); d && *d > st.to_date) st.to_date = *d;
      for (const auto& tx : list.children) {
        if (tx.name != "STMTTRN") continue;
        ++entry;
        std::string where = "Movimiento " + std::to_string(entry);
        Movement m;
        m.line = entry;
        std::string posted = tx.Text("DTPOSTED");
        if (posted.empty()) return std::unexpected(ParseError("ofx_malformed", where + ": falta la fecha (DTPOSTED)."));
        VERTICE_ASSIGN_OR_RETURN(m.booking_date, OfxDate(posted, where));
        if (auto avail = tx.Text("DTAVAIL"); !avail.empty())
          if (auto d = OfxDate(avail, where)) m.value_date = *d;
        auto amount = ParseAmount(tx.Text("TRNAMT"), '.', 0);
        if (!amount) {
          // Some European banks write a decimal comma.
          amount = ParseAmount(tx.Text("TRNAMT"), ',', 0);
          if (!amount) return std::unexpected(ParseError("ofx_malformed", where + ": importe TRNAMT ilegible."));
        }
        m.amount = *amount;
        m.transaction_code = tx.Text("TRNTYPE");
        m.bank_reference = tx.Text("FITID");
        m.reference = tx.Text("REFNUM");
        if (m.reference.empty()) m.reference = tx.Text("CHECKNUM");
        if (m.reference == "0") m.reference.clear();
        m.counterparty_name = Squeeze(tx.Text("NAME"));
        if (m.counterparty_name.empty()) m.counterparty_name = Squeeze(tx.Text("PAYEE/NAME"));
        std::string memo = Squeeze(tx.Text("MEMO"));
        m.description = m.counterparty_name;
        if (!memo.empty() && memo != m.counterparty_name)
          m.description = m.description.empty() ? memo : m.description + " / " + memo;
        if (auto problem = LineProblem(m)) {
          st.skipped.push_back({entry, std::move(*problem)});
          continue;
        }
        st.movements.push_back(std::move(m));
      }
    }
    if (const Node* ledger = s->Child("LEDGERBAL"); ledger && !ledger->Text("BALAMT").empty()) {
      auto bal = ParseAmount(ledger->Text("BALAMT"), '.', 0);
      if (!bal) return std::unexpected(ParseError("ofx_malformed", "saldo LEDGERBAL ilegible."));
      st.closing_balance = *bal;
    }
    if (st.from_date.empty() || st.to_date.empty()) DerivePeriod(st);
    out.statements.push_back(std::move(st));
  }
  if (out.statements.empty())
    return std::unexpected(ParseError("ofx_malformed", "el OFX no contiene estados de cuenta (STMTRS/CCSTMTRS)."));
  return out;
}

Format DetectFormat(std::string_view bytes) {
  auto head = StripBom(bytes).substr(0, 4096);
  if (LooksLikeCamt(head)) return Format::kCamt053;
  if (head.find("OFXHEADER") != std::string_view::npos || head.find("<OFX>") != std::string_view::npos ||
      head.find("<ofx>") != std::string_view::npos)
    return Format::kOfx;
  if (head.find(":20:") != std::string_view::npos &&
      (head.find(":60F:") != std::string_view::npos || head.find(":25:") != std::string_view::npos))
    return Format::kMt940;
  if (head.find("<?xml") != std::string_view::npos || Trim(head).starts_with("<")) return Format::kAuto;  // unknown XML
  return Format::kCsv;
}

namespace {

Result<ParsedFile> ParseAs(Format f, std::string_view bytes, const ParseOptions& options) {
  switch (f) {
    case Format::kCamt053:
      return ParseCamt(bytes);
    case Format::kMt940:
      return ParseMt940(bytes);
    case Format::kOfx:
      return ParseOfx(bytes);
    case Format::kCsv: {
      const auto& candidates = options.csv_candidates.empty() ? BuiltinCsvProfiles() : options.csv_candidates;
      return ParseCsv(bytes, options.profile, candidates);
    }
    case Format::kAuto:
      break;
  }
  return std::unexpected(Error{ErrorKind::kInvalidInput,
                               "bank.unknown_format",
                               "Formato de estado de cuenta no reconocido: se aceptan CAMT.053, MT940, OFX/QFX y CSV.",
                               {},
                               {}});
}

}  // namespace

Result<ParsedFile> ParseStatementFile(std::string_view bytes, const ParseOptions& options) {
  Format f = options.format == Format::kAuto ? DetectFormat(bytes) : options.format;
  if (Trim(bytes).empty()) return std::unexpected(ParseError("empty_file", "el archivo está vacío."));
  auto parsed = ParseAs(f, bytes, options);
  // One per-line check for every format: what the database would refuse is skipped and named.
  if (parsed) {
    for (auto& s : parsed->statements) SkipRefusedLines(s);
  }
  return parsed;
}

}  // namespace vertice::bank
