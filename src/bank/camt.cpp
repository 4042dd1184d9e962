// ISO 20022 camt.053 (001.02 and later) with pugixml. One movement per booked entry (Ntry): a
// batch entry's transaction details (TxDtls) are joined into its description and references,
// since the bank booked one amount. camt.052/054 are reports and notifications, not statements:
// recognised and refused with a clear message. Element names are compared without their
// namespace prefix, so every version of the schema reads the same.
#include "bank/parse.hpp"

#include <pugixml.hpp>

#include "core/text.hpp"

namespace vertice::bank {

namespace {

std::string_view Local(const char* name) {
  std::string_view n(name);
  auto colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node Child(pugi::xml_node n, std::string_view local) {
  for (auto c : n.children())
    if (c.type() == pugi::node_element && Local(c.name()) == local) return c;
  return {};
}

// Child(Child(…)) along a slash-separated path.
pugi::xml_node Path(pugi::xml_node n, std::string_view path) {
  size_t start = 0;
  while (n && start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    n = Child(n, path.substr(start, slash - start));
    start = slash + 1;
  }
  return n;
}

std::string Text(pugi::xml_node n, std::string_view path) { return Squeeze(Path(n, path).child_value()); }

template <typename F>
void ForEach(pugi::xml_node n, std::string_view local, F f) {
  for (auto c : n.children())
    if (c.type() == pugi::node_element && Local(c.name()) == local) f(c);
}

// A date or date-time element (<Dt> or <DtTm>) as ISO date.
std::string DateOf(pugi::xml_node n) {
  std::string d = Text(n, "Dt");
  if (d.empty()) d = Text(n, "DtTm");
  return d.substr(0, 10);
}

Result<Money> SignedAmount(pugi::xml_node parent, const std::string& where) {
  auto amt = Child(parent, "Amt");
  auto money = ParseAmount(amt.child_value(), '.', 0);
  if (!money) return std::unexpected(ParseError("invalid_amount", where + ": importe ilegible."));
  std::string ind = Text(parent, "CdtDbtInd");
  if (ind == "DBIT") return money->Negate();
  if (ind != "CRDT") return std::unexpected(ParseError("invalid_amount", where + ": falta CdtDbtInd (CRDT/DBIT)."));
  return *money;
}

// Party name in camt.053.001.02–07 (Dbtr/Nm) and 08+ (Dbtr/Pty/Nm).
std::string PartyName(pugi::xml_node parties, std::string_view role) {
  auto p = Child(parties, role);
  std::string name = Text(p, "Nm");
  return name.empty() ? Text(p, "Pty/Nm") : name;
}

std::string AccountId(pugi::xml_node acct) {
  std::string id = Text(acct, "Id/IBAN");
  return id.empty() ? Text(acct, "Id/Othr/Id") : id;
}

void Append(std::string& to, const std::string& what, std::string_view sep = " / ") {
  if (what.empty() || to.find(what) != std::string::npos) return;
  if (!to.empty()) to += sep;
  to += what;
}

}  // namespace

bool LooksLikeCamt(std::string_view bytes) {
  auto head = bytes.substr(0, 4096);
  return head.find("urn:iso:std:iso:20022:tech:xsd:camt.") != std::string_view::npos ||
         head.find("<BkToCstmrStmt") != std::string_view::npos;
}

Result<ParsedFile> ParseCamt(std::string_view bytes) {
  pugi::xml_document doc;
  auto parsed = doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_auto);
  if (!parsed)
    return std::unexpected(ParseError("camt_malformed", std::string("XML mal formado (") + parsed.description() +
                                                            ", byte " + std::to_string(parsed.offset) +
                                                            "); ¿archivo truncado?"));
  auto root = doc.document_element();
  if (Local(root.name()) != "Document")
    return std::unexpected(ParseError("camt_malformed", "no es un documento ISO 20022."));
  std::string ns = root.attribute("xmlns").value();
  ParsedFile out;
  out.format = Format::kCamt053;
  out.variant = ns.substr(ns.rfind(':') == std::string::npos ? 0 : ns.rfind(':') + 1);
  auto body = Child(root, "BkToCstmrStmt");
  if (!body) {
    if (Child(root, "BkToCstmrDbtCdtNtfctn"))
      return std::unexpected(Error{ErrorKind::kInvalidInput,
                                   "bank.camt054_not_a_statement",
                                   "El archivo es un aviso de cargo/abono camt.054, no un estado de cuenta: no trae "
                                   "saldos. Importe el camt.053 del mismo periodo.",
                                   {},
                                   {}});
    if (Child(root, "BkToCstmrAcctRpt"))
      return std::unexpected(Error{ErrorKind::kInvalidInput,
                                   "bank.camt052_not_a_statement",
                                   "El archivo es un reporte intradía camt.052, no un estado de cuenta. Importe el "
                                   "camt.053 del día cerrado.",
                                   {},
                                   {}});
    return std::unexpected(ParseError("camt_malformed", "falta BkToCstmrStmt: no es un camt.053."));
  }
  int entry_no = 0;
  Status failure;
  ForEach(body, "Stmt", [&](pugi::xml_node stmt) {
    if (!failure) return;
    Statement st;
    st.statement_id = Text(stmt, "Id");
    st.account = AccountId(Child(stmt, "Acct"));
    st.currency = Text(stmt, "Acct/Ccy");
    std::string from = Text(stmt, "FrToDt/FrDtTm"), to = Text(stmt, "FrToDt/ToDtTm");
    st.from_date = from.substr(0, 10);
    st.to_date = to.substr(0, 10);
    ForEach(stmt, "Bal", [&](pugi::xml_node bal) {
      if (!failure) return;
      std::string code = Text(bal, "Tp/CdOrPrtry/Cd");
      auto amount = SignedAmount(bal, "Saldo " + code);
      if (!amount) {
        failure = std::unexpected(amount.error());
        return;
      }
      if (st.currency.empty()) st.currency = Child(bal, "Amt").attribute("Ccy").value();
      if (code == "OPBD" || (code == "PRCD" && !st.opening_balance)) st.opening_balance = *amount;
      if (code == "CLBD") st.closing_balance = *amount;
    });
    ForEach(stmt, "Ntry", [&](pugi::xml_node ntry) {
      if (!failure) return;
      ++entry_no;
      std::string where = "Movimiento " + std::to_string(entry_no);
      std::string status = Text(ntry, "Sts");
      if (status.empty()) status = Text(ntry, "Sts/Cd");
      if (!status.empty() && status != "BOOK") {
        st.skipped.push_back({entry_no, "movimiento no contabilizado (estado " + status + ")"});
        return;
      }
      Movement m;
      m.line = entry_no;
      auto amount = SignedAmount(ntry, where);
      if (!amount) {
        failure = std::unexpected(amount.error());
        return;
      }
      std::string ccy = Child(ntry, "Amt").attribute("Ccy").value();
      if (!st.currency.empty() && !ccy.empty() && ccy != st.currency) {
        failure = std::unexpected(ParseError(
            "currency_mismatch", where + ": moneda " + ccy + " distinta de la cuenta (" + st.currency + ")."));
        return;
      }
      m.amount = *amount;
      m.booking_date = DateOf(Child(ntry, "BookgDt"));
      m.value_date = DateOf(Child(ntry, "ValDt"));
      if (m.booking_date.empty()) m.booking_date = m.value_date;
      if (!ParseDate(m.booking_date, "%Y-%m-%d")) {
        failure = std::unexpected(ParseError("invalid_date", where + ": falta la fecha contable (BookgDt)."));
        return;
      }
      m.bank_reference = Text(ntry, "AcctSvcrRef");
      if (m.bank_reference.empty()) m.bank_reference = Text(ntry, "NtryRef");
      m.transaction_code = Text(ntry, "BkTxCd/Prtry/Cd");
      if (m.transaction_code.empty()) m.transaction_code = Text(ntry, "BkTxCd/Domn/Fmly/SubFmlyCd");
      bool credit = m.amount.IsPositive();
      ForEach(Child(ntry, "NtryDtls"), "TxDtls", [&](pugi::xml_node tx) {
        auto refs = Child(tx, "Refs");
        std::string e2e = Text(refs, "EndToEndId");
        if (e2e != "NOTPROVIDED") Append(m.reference, e2e, " ");
        auto parties = Child(tx, "RltdPties");
        std::string other = PartyName(parties, credit ? "Dbtr" : "Cdtr");
        if (m.counterparty_name.empty()) m.counterparty_name = other;
        if (m.counterparty_account.empty())
          m.counterparty_account = AccountId(Child(parties, credit ? "DbtrAcct" : "CdtrAcct"));
        auto rmt = Child(tx, "RmtInf");
        ForEach(rmt, "Ustrd", [&](pugi::xml_node u) { Append(m.description, Squeeze(u.child_value())); });
        ForEach(rmt, "Strd", [&](pugi::xml_node s) { Append(m.reference, Text(s, "CdtrRefInf/Ref"), " "); });
        Append(m.description, Text(tx, "AddtlTxInf"));
      });
      Append(m.description, Text(ntry, "AddtlNtryInf"));
      st.movements.push_back(std::move(m));
    });
    if (!failure) return;
    if (st.from_date.empty() || st.to_date.empty()) DerivePeriod(st);
    out.statements.push_back(std::move(st));
  });
  if (!failure) return std::unexpected(failure.error());
  if (out.statements.empty())
    return std::unexpected(ParseError("no_statements", "el camt.053 no contiene estados (Stmt)."));
  return out;
}

}  // namespace vertice::bank
