#include "reconciliation/matcher.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <unordered_map>

#include "reconciliation/text_match.hpp"

namespace vertice::reconciliation {

namespace {

int DayNumber(const std::string& iso) {
  if (iso.size() < 10) return 0;
  int y = std::stoi(iso.substr(0, 4)), m = std::stoi(iso.substr(5, 2)), d = std::stoi(iso.substr(8, 2));
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  return static_cast<int>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

int64_t Cents(Money m) { return m.Units(); }
Money FromCents(int64_t c) { return Money::FromUnits(c); }

bool ContainsAllWords(const std::vector<std::string>& text, const std::vector<std::string>& words) {
  for (const auto& w : words)
    if (std::find(text.begin(), text.end(), w) == text.end()) return false;
  return true;
}

// A payer's account as Mexican banks print it in SPEI lines: "BBVA/2451625602" → "2451625602".
std::string PayerKey(const std::string& description) {
  auto slash = description.find('/');
  while (slash != std::string::npos) {
    size_t end = slash + 1;
    while (end < description.size() && std::isdigit(static_cast<unsigned char>(description[end]))) ++end;
    if (end - slash - 1 >= 8) return description.substr(slash + 1, end - slash - 1);
    slash = description.find('/', slash + 1);
  }
  return {};
}

struct Candidate {
  std::vector<Line> lines;
  Money fee, fee_iva;
  double score = 0;
  std::vector<std::string> reasons;
  int independent = 0;            // evidence besides the amount: reference, payer, complement
  bool amount_settles = false;    // the amounts add up (exactly, or within the FX spread)
  bool amount_uncertain = false;  // the documents are clear, the pesos applied to each are not
  std::string key;                // the document set, to tell candidates apart
};

}  // namespace

const std::vector<Rule>& DefaultRules() {
  // Mexican bank wording for lines that settle no invoice. Order matters: the first rule whose
  // words all appear wins ("IVA COMISION" before "COMISION").
  static const std::vector<Rule> kRules = {
      {"IVA COMISION", -1, "bank_fee_iva"},
      {"IVA COMISIONES", -1, "bank_fee_iva"},
      {"COMISION", -1, "bank_fee"},
      {"ISR RETENIDO", -1, "interest_tax"},
      {"INTERESES", 1, "interest"},
      {"NOMINA", -1, "payroll"},
      {"PAGO REFERENCIADO SAT", -1, "tax"},
      {"SIPARE IMSS", -1, "tax"},
      {"INFONAVIT", -1, "tax"},
      {"IMPUESTOS FEDERALES", -1, "tax"},
      {"CUENTA PROPIA", 0, "own_transfer"},
      {"INTERCOMPANIA", 0, "intercompany_transfer"},
      {"DEPOSITO VENTAS TPV", 1, "pos_settlement"},
      {"LIQUIDACION TPV", 1, "pos_settlement"},
      {"DEPOSITO EN EFECTIVO", 1, "cash_deposit"},
      {"ANTICIPO", 1, "advance_no_invoice"},
      {"DOMICILIACION", -1, "expense_no_cfdi"},
      {"COMPRA TDD", -1, "expense_no_cfdi"},
      {"COMPRA TDC", -1, "expense_no_cfdi"},
      {"PAGO SERVICIO", -1, "expense_no_cfdi"},
      {"PAGO TELMEX", -1, "expense_no_cfdi"},
  };
  return kRules;
}

struct Matcher::Impl {
  MatcherOptions opt;
  std::vector<Document> docs;
  std::unordered_map<int64_t, size_t> by_id;
  std::vector<int> doc_day;
  std::vector<std::vector<std::string>> rule_words;
  std::vector<Rule> rules;
  std::map<std::string, std::string> aliases;  // payer key → RFC
  std::vector<std::pair<int, double>> fx;      // day, rate (sorted)
  // Indexes, per side (0: receivables, deposits; 1: payables, withdrawals).
  // Reference keys (folio, serie+folio, UUID fragments) → documents, per side; each document's keys.
  std::unordered_map<std::string, std::vector<size_t>> ref_keys[2];
  std::vector<std::vector<std::string>> doc_keys;
  NameIndex names[2];
  std::vector<std::string> rfcs;  // owner id (index) → RFC
  std::unordered_map<std::string, int64_t> rfc_owner;
  std::unordered_map<std::string, std::vector<size_t>> docs_of_rfc;
  std::unordered_map<int64_t, std::vector<size_t>> by_amount;  // open cents (MXN documents) → documents
  std::unordered_map<int64_t, std::vector<std::pair<size_t, int>>> complements;  // MXN cents → (doc, day)

  double RateOn(int day) const {
    if (fx.empty()) return 0;
    auto it = std::upper_bound(fx.begin(), fx.end(), std::make_pair(day, 1e18));
    if (it == fx.begin()) return it->second;
    return std::prev(it)->second;
  }

  // The document's open amount in MXN at this rate (MXN documents: exact).
  std::optional<int64_t> OpenMxnCents(const Document& d, double rate) const {
    if (d.currency == "MXN") return Cents(d.open);
    if (rate <= 0) return std::nullopt;
    return static_cast<int64_t>(std::llround(static_cast<double>(Cents(d.open)) * rate));
  }

  std::string OwnerRfc(int64_t owner) const { return rfcs[static_cast<size_t>(owner)]; }

  int64_t OwnerOf(const std::string& rfc) {
    auto [it, added] = rfc_owner.try_emplace(rfc, static_cast<int64_t>(rfcs.size()));
    if (added) rfcs.push_back(rfc);
    return it->second;
  }

  void IndexAmount(size_t i) {
    const auto& d = docs[i];
    if (d.currency == "MXN" && d.open.IsPositive()) by_amount[Cents(d.open)].push_back(i);
  }
  void UnindexAmount(size_t i, int64_t cents) {
    auto it = by_amount.find(cents);
    if (it == by_amount.end()) return;
    std::erase(it->second, i);
  }

  bool InWindow(size_t i, int day) const {
    int lag = day - doc_day[i];
    return lag >= -opt.days_after && lag <= opt.days_before;
  }

  double LagScore(size_t i, int day) const {
    const auto& d = docs[i];
    int lag = day - doc_day[i];
    int hi = d.metodo_pago == "PPD" ? 75 : 35;
    if (lag < -1) return -0.5;
    if (lag <= hi) return 0.5;
    if (lag <= 120) return 0;
    return -1.0;
  }

  Decision Decide(const BankLine& m);
  void Apply(const Decision& d);
};

Matcher::Matcher(std::vector<Document> documents, std::vector<PaymentEvidence> evidence, std::vector<FxPoint> fx,
                 std::vector<Rule> rules, std::map<std::string, std::string> aliases, MatcherOptions options)
    : impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  s.opt = options;
  s.docs = std::move(documents);
  s.aliases = std::move(aliases);
  s.rules = std::move(rules);
  for (const auto& r : DefaultRules()) s.rules.push_back(r);
  for (const auto& r : s.rules) s.rule_words.push_back(Tokens(Normalize(r.pattern)));
  for (const auto& p : fx)
    if (p.rate > 0) s.fx.emplace_back(DayNumber(p.date), p.rate);
  std::sort(s.fx.begin(), s.fx.end());
  s.doc_day.resize(s.docs.size());
  s.doc_keys.resize(s.docs.size());
  for (size_t i = 0; i < s.docs.size(); ++i) {
    auto& d = s.docs[i];
    s.by_id[d.id] = i;
    s.doc_day[i] = DayNumber(d.date);
    int side = d.issued && d.tipo == 'I' ? 0 : 1;
    if (d.issued && d.tipo == 'E') side = 0;  // credit notes: netted in deposits, refunded by withdrawals
    auto owner = s.OwnerOf(d.counterparty_rfc);
    s.docs_of_rfc[d.counterparty_rfc].push_back(i);
    // Reference keys: folio, serie+folio, UUID's first 8 and last 12 characters.
    auto key = [](std::string v) { return Normalize(v); };
    auto add_ref = [&](const std::string& k) {
      // A folio of one or two characters ("1", "45") is in every other bank reference: no evidence.
      if (k.size() < 3) return;
      s.ref_keys[side][k].push_back(i);
      if (d.issued && d.tipo == 'E') s.ref_keys[1][k].push_back(i);
      s.doc_keys[i].push_back(k);
    };
    std::string folio = key(d.folio), serie = key(d.serie);
    std::erase(folio, ' ');
    std::erase(serie, ' ');
    if (!folio.empty()) {
      add_ref(folio);
      if (!serie.empty()) add_ref(serie + folio);
    }
    if (d.uuid.size() == 36) {
      add_ref(d.uuid.substr(0, 8));
      add_ref(d.uuid.substr(24, 12));
    }
    s.names[side].Add(d.counterparty_name, owner);
    if (d.issued && d.tipo == 'E') s.names[1].Add(d.counterparty_name, owner);
    s.IndexAmount(i);
  }
  for (const auto& e : evidence) {
    auto it = s.by_id.find(e.document_id);
    if (it == s.by_id.end()) continue;
    s.complements[Cents(e.amount_mxn)].emplace_back(it->second, DayNumber(e.date));
  }
}

Matcher::~Matcher() = default;

Money Matcher::OpenOf(int64_t document_id) const {
  auto it = impl_->by_id.find(document_id);
  return it == impl_->by_id.end() ? Money{} : impl_->docs[it->second].open;
}

std::vector<Decision> Matcher::Run(std::vector<BankLine> movements) {
  std::stable_sort(movements.begin(), movements.end(), [](const BankLine& a, const BankLine& b) {
    return a.date != b.date ? a.date < b.date : a.id < b.id;
  });
  std::vector<Decision> out;
  out.reserve(movements.size());
  for (const auto& m : movements) {
    auto d = impl_->Decide(m);
    if (d.automatic && d.kind == Decision::Kind::kMatch) impl_->Apply(d);
    out.push_back(std::move(d));
  }
  return out;
}

void Matcher::Impl::Apply(const Decision& d) {
  for (const auto& l : d.lines) {
    auto& doc = docs[by_id.at(l.document_id)];
    size_t i = by_id.at(l.document_id);
    int64_t before = Cents(doc.open);
    int64_t applied = std::llabs(Cents(l.doc_amount));
    int64_t after = std::max<int64_t>(0, before - applied);
    if (doc.currency == "MXN") UnindexAmount(i, before);
    doc.open = FromCents(after);
    IndexAmount(i);
  }
  if (!d.payer_key.empty() && !d.payer_rfc.empty()) aliases[d.payer_key] = d.payer_rfc;
}

Decision Matcher::Impl::Decide(const BankLine& m) {
  Decision out;
  out.movement_id = m.id;
  const bool deposit = m.amount.IsPositive();
  const int side = deposit ? 0 : 1;
  const int64_t want = std::llabs(Cents(m.amount));
  const int day = DayNumber(m.date);
  const std::string text = Normalize(m.description + " " + m.counterparty_name);
  const auto tokens = Tokens(text);
  const double rate = RateOn(day);

  // Which documents a line may settle: invoices (and credit notes netted) for deposits; supplier
  // invoices and refunded credit notes for withdrawals.
  auto eligible = [&](size_t i) {
    const auto& d = docs[i];
    if (!d.open.IsPositive() || !InWindow(i, day)) return false;
    if (deposit) return d.issued;
    return !d.issued || d.tipo == 'E';
  };
  auto sign = [&](size_t i) { return docs[i].tipo == 'E' && deposit ? -1 : 1; };

  // ---- the payer ----
  std::set<std::string> payer_rfcs;
  for (auto owner : names[side].Find(tokens)) payer_rfcs.insert(OwnerRfc(owner));
  out.payer_key = PayerKey(m.description);
  std::string alias_rfc;
  if (!out.payer_key.empty())
    if (auto a = aliases.find(out.payer_key); a != aliases.end()) alias_rfc = a->second;
  for (const auto& t : tokens)
    if ((t.size() == 12 || t.size() == 13) && docs_of_rfc.contains(t)) payer_rfcs.insert(t);
  if (!alias_rfc.empty() && payer_rfcs.empty()) payer_rfcs.insert(alias_rfc);

  // ---- references ----
  std::map<size_t, bool> ref_hits;  // document → exact
  auto ref_tokens = ReferenceTokens(m.description + " " + m.reference);
  for (const auto& t : ref_tokens)
    if (auto it = ref_keys[side].find(t); it != ref_keys[side].end())
      for (size_t i : it->second)
        if (eligible(i)) ref_hits[i] = true;
  // Within one edit (a mistyped folio or fragment), only among the payer's own documents: folios
  // are dense, and one edit away from any 4-digit folio there are dozens of other customers'.
  for (const auto& rfc : payer_rfcs) {
    auto it = docs_of_rfc.find(rfc);
    if (it == docs_of_rfc.end()) continue;
    for (size_t i : it->second) {
      if (ref_hits.contains(i) || !eligible(i)) continue;
      for (const auto& k : doc_keys[i]) {
        if (k.size() < 4) continue;
        if (std::any_of(ref_tokens.begin(), ref_tokens.end(),
                        [&](const std::string& t) { return t.size() >= 3 && WithinOneEdit(t, k); })) {
          ref_hits[i] = false;
          break;
        }
      }
    }
  }

  // ---- rules (lines that settle no document), unless a reference clearly names a document ----
  bool exact_ref = std::any_of(ref_hits.begin(), ref_hits.end(), [](const auto& h) { return h.second; });
  for (size_t r = 0; r < rules.size(); ++r) {
    if (rules[r].direction != 0 && rules[r].direction != (deposit ? 1 : -1)) continue;
    if (!ContainsAllWords(tokens, rule_words[r])) continue;
    if (exact_ref && rules[r].category == "advance_no_invoice") break;  // "anticipo" of a named invoice
    if (exact_ref) continue;
    out.kind = Decision::Kind::kCategory;
    out.category = rules[r].category;
    out.automatic = true;
    out.score = 10;
    out.reasons.push_back(fmt::format("regla: «{}» → {}", rules[r].pattern, rules[r].category));
    return out;
  }

  // ---- candidates ----
  std::vector<Candidate> cands;
  std::set<size_t> singles;
  for (const auto& [i, exact] : ref_hits) singles.insert(i);
  for (const auto& rfc : payer_rfcs)
    if (auto it = docs_of_rfc.find(rfc); it != docs_of_rfc.end())
      for (size_t i : it->second)
        if (eligible(i)) singles.insert(i);
  if (auto it = by_amount.find(want); it != by_amount.end())
    for (size_t i : it->second)
      if (eligible(i)) singles.insert(i);
  std::map<size_t, int> complement_day;  // document → complement date, when the amount matches
  if (auto it = complements.find(want); it != complements.end())
    for (auto [i, cday] : it->second)
      if (eligible(i) && std::abs(cday - day) <= 3) {
        singles.insert(i);
        complement_day[i] = cday;
      }

  auto payer_evidence = [&](const std::vector<size_t>& set, Candidate& c) {
    if (payer_rfcs.empty()) return;
    bool all =
        std::all_of(set.begin(), set.end(), [&](size_t i) { return payer_rfcs.contains(docs[i].counterparty_rfc); });
    if (all) {
      c.score += 3;
      ++c.independent;
      c.reasons.push_back(alias_rfc.empty() || !payer_rfcs.contains(alias_rfc) ? "pagador reconocido por nombre"
                                                                               : "pagador reconocido por su cuenta");
    } else if (std::none_of(set.begin(), set.end(),
                            [&](size_t i) { return payer_rfcs.contains(docs[i].counterparty_rfc); })) {
      c.score -= 3;
      c.reasons.push_back("el pagador es otro cliente");
    }
  };
  auto ref_evidence = [&](const std::vector<size_t>& set, Candidate& c) {
    int exact = 0, fuzzy = 0;
    for (size_t i : set) {
      auto h = ref_hits.find(i);
      if (h == ref_hits.end()) continue;
      (h->second ? exact : fuzzy)++;
    }
    if (exact + fuzzy == 0) {
      // Another document named by the reference makes this one less likely.
      if (exact_ref) c.score -= 2;
      return;
    }
    c.score += exact ? 4.0 * exact / static_cast<double>(set.size()) + 1.0 : 2.0;
    ++c.independent;
    c.reasons.push_back(exact ? fmt::format("referencia {} de {} documento(s)", exact, set.size())
                              : "referencia a un carácter de distancia");
    // A reference naming documents this candidate leaves out.
    size_t named = 0;
    for (const auto& [i, e] : ref_hits)
      if (e) ++named;
    if (named > static_cast<size_t>(exact)) c.score -= 1.5 * static_cast<double>(named - exact);
  };

  for (size_t i : singles) {
    const auto& d = docs[i];
    std::vector<size_t> set{i};
    Candidate c;
    c.key = std::to_string(d.id);
    auto open_mxn = OpenMxnCents(d, rate);
    int64_t doc_open = Cents(d.open);
    int s = sign(i);
    if (deposit && d.tipo == 'E') continue;  // a credit note alone does not explain a deposit
    if (auto cd = complement_day.find(i); cd != complement_day.end()) {
      c.score += 5;
      ++c.independent;
      c.amount_settles = true;
      c.reasons.push_back("complemento de pago por el mismo importe y fecha");
    }
    if (d.currency == "MXN") {
      if (doc_open == want) {
        c.score += 4;
        c.amount_settles = true;
        c.reasons.push_back("importe exacto");
        c.lines.push_back({d.id, FromCents(s * (deposit ? want : -want)), FromCents(s * (deposit ? want : -want))});
      } else if (want < doc_open) {
        // Part of the invoice: an installment, a partial payment, or a few pesos short.
        int64_t short_by = doc_open - want;
        c.score += short_by <= 5000 ? 2.0 : 0.5;
        c.reasons.push_back(short_by <= 5000 ? "pago casi completo (faltan unos pesos)" : "pago parcial");
        if (complement_day.contains(i)) c.amount_settles = true;
        c.lines.push_back({d.id, FromCents(deposit ? want : -want), FromCents(deposit ? want : -want)});
      } else {
        continue;  // more than is open: a combination, if anything
      }
    } else if (open_mxn) {
      // A USD document paid in MXN at the bank's rate, possibly net of a wire fee and its IVA.
      double ratio = static_cast<double>(want) / static_cast<double>(*open_mxn) - 1.0;
      int64_t fee_total = 0;
      bool within = ratio >= opt.fx_low && ratio <= opt.fx_high;
      // A small payment can be outside the spread only because of the fee: a wire fee of 100 to
      // 500 pesos plus IVA, added back, may bring it within (the amounts stay uncertain).
      // (Not when a complement states exactly this amount: then nothing was deducted.)
      for (int64_t fee = 10000; !within && !complement_day.contains(i) && fee <= 50000; fee += 5000) {
        int64_t with_fee = want + fee + fee * 16 / 100;
        double r = static_cast<double>(with_fee) / static_cast<double>(*open_mxn) - 1.0;
        if (r >= opt.fx_low && r <= opt.fx_high) {
          within = true;
          ratio = r;
          fee_total = with_fee - want;
          c.fee = FromCents(-fee);
          c.fee_iva = FromCents(-(fee * 16 / 100));
        }
      }
      if (!within) continue;
      c.score += 2.5;
      c.amount_settles = true;
      // Without a complement stating the pesos applied, a wire fee the bank deducted cannot be
      // told from the exchange spread: the documents are right, the amounts may not be.
      c.amount_uncertain = !complement_day.contains(i);
      c.reasons.push_back(fmt::format("USD al tipo de cambio ({:+.2f} % del FIX){}", ratio * 100,
                                      fee_total ? ", neto de una comisión bancaria" : ""));
      int64_t applied = want + fee_total;
      c.lines.push_back({d.id, FromCents(deposit ? applied : -applied), FromCents(deposit ? doc_open : -doc_open)});
    } else {
      continue;
    }
    payer_evidence(set, c);
    ref_evidence(set, c);
    c.score += LagScore(i, day);
    cands.push_back(std::move(c));
  }

  // USD fee detection through complements: a complement of a USD document whose MXN amount
  // exceeds the deposit by a plausible fee plus 16 % IVA.
  for (auto& c : cands) {
    if (c.lines.size() != 1) continue;
    const auto& d = docs[by_id.at(c.lines.front().document_id)];
    if (d.currency == "MXN" || !deposit) continue;
    for (int64_t fee : {5000, 10000, 15000, 20000, 25000, 30000, 35000, 40000, 50000}) {
      int64_t iva = fee * 16 / 100;
      auto it = complements.find(want + fee + iva);
      if (it == complements.end()) continue;
      bool same = std::any_of(it->second.begin(), it->second.end(),
                              [&](const auto& p) { return docs[p.first].id == d.id && std::abs(p.second - day) <= 3; });
      if (!same) continue;
      c.lines.front().amount = FromCents(want + fee + iva);
      c.fee = FromCents(-fee);
      c.fee_iva = FromCents(-iva);
      c.amount_uncertain = false;
      c.score += 4;
      ++c.independent;
      c.reasons.push_back(
          fmt::format("complemento de pago; comisión bancaria {} + IVA deducida", FromCents(fee).ToString()));
      break;
    }
  }

  // ---- combinations: several of the payer's open items (credit notes negative) adding up ----
  std::set<std::string> combo_rfcs = payer_rfcs;
  for (const auto& [i, exact] : ref_hits)
    if (exact) combo_rfcs.insert(docs[i].counterparty_rfc);
  bool single_exact = std::any_of(cands.begin(), cands.end(), [](const Candidate& c) { return c.amount_settles; });
  bool credit_notes = false;  // a credit note netted in the payment explains a "short" amount
  if (deposit)
    for (const auto& rfc : combo_rfcs)
      if (auto it = docs_of_rfc.find(rfc); it != docs_of_rfc.end())
        for (size_t i : it->second)
          if (docs[i].tipo == 'E' && eligible(i)) credit_notes = true;
  if (!single_exact || credit_notes) {
    for (const auto& rfc : combo_rfcs) {
      auto it = docs_of_rfc.find(rfc);
      if (it == docs_of_rfc.end()) continue;
      std::vector<size_t> pool;
      for (size_t i : it->second)
        if (eligible(i) && docs[i].currency == "MXN") pool.push_back(i);
      if (pool.size() < 2) continue;
      // Referenced items first, then the oldest; at most combination_pool of them.
      std::stable_sort(pool.begin(), pool.end(), [&](size_t a, size_t b) {
        bool ra = ref_hits.contains(a), rb = ref_hits.contains(b);
        if (ra != rb) return ra;
        bool ea = docs[a].tipo == 'E', eb = docs[b].tipo == 'E';  // credit notes are few: keep them all
        if (ea != eb) return ea;
        return doc_day[a] < doc_day[b];
      });
      if (pool.size() > static_cast<size_t>(opt.combination_pool))
        pool.resize(static_cast<size_t>(opt.combination_pool));
      std::vector<int64_t> value(pool.size());
      for (size_t k = 0; k < pool.size(); ++k) value[k] = sign(pool[k]) * Cents(docs[pool[k]].open);
      // Bounds for pruning: what the remaining items can still add or take away.
      std::vector<int64_t> pos_rest(pool.size() + 1, 0), neg_rest(pool.size() + 1, 0);
      for (size_t k = pool.size(); k-- > 0;) {
        pos_rest[k] = pos_rest[k + 1] + std::max<int64_t>(0, value[k]);
        neg_rest[k] = neg_rest[k + 1] + std::min<int64_t>(0, value[k]);
      }
      std::vector<std::vector<size_t>> found;
      std::vector<size_t> pick;
      long budget = 400000;
      auto dfs = [&](auto&& self, size_t k, int64_t sum) -> void {
        if (found.size() > 2 || --budget < 0) return;
        if (sum == want && pick.size() >= 2) {
          found.push_back(pick);
          return;
        }
        if (k == pool.size() || pick.size() >= static_cast<size_t>(opt.max_combination)) return;
        if (sum + pos_rest[k] < want || sum + neg_rest[k] > want) return;
        pick.push_back(k);
        self(self, k + 1, sum + value[k]);
        pick.pop_back();
        self(self, k + 1, sum);
      };
      dfs(dfs, 0, 0);
      for (const auto& f : found) {
        std::vector<size_t> set;
        for (size_t k : f) set.push_back(pool[k]);
        bool has_invoice = std::any_of(set.begin(), set.end(), [&](size_t i) { return docs[i].tipo == 'I'; });
        if (!has_invoice) continue;
        Candidate c;
        c.amount_settles = true;
        c.score += 3.5;
        c.reasons.push_back(fmt::format("{} documentos suman el importe exacto", set.size()));
        if (std::any_of(set.begin(), set.end(), [&](size_t i) { return docs[i].tipo == 'E'; })) {
          c.score += 3;
          c.reasons.push_back("nota de crédito neteada en el pago");
        }
        if (std::any_of(set.begin(), set.end(), [&](size_t i) { return complement_day.contains(i); })) {
          c.score += 5;
          ++c.independent;
          c.reasons.push_back("complemento de pago por el importe neto");
        }
        std::vector<int64_t> ids;
        for (size_t i : set) {
          int64_t v = sign(i) * Cents(docs[i].open);
          int64_t amount = deposit ? v : -v;
          c.lines.push_back({docs[i].id, FromCents(amount), FromCents(amount)});
          ids.push_back(docs[i].id);
          c.score += LagScore(i, day) / static_cast<double>(set.size());
        }
        std::sort(ids.begin(), ids.end());
        for (auto id : ids) c.key += std::to_string(id) + ",";
        if (found.size() > 1) {
          c.score -= 2;
          c.reasons.push_back("otra combinación también suma el importe");
        }
        payer_evidence(set, c);
        ref_evidence(set, c);
        cands.push_back(std::move(c));
      }
    }
  }

  if (cands.empty()) return out;
  std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  // Candidates that settle the movement outrank partial ones at equal evidence.
  const Candidate& best = cands.front();
  double second = -1e9;
  for (size_t k = 1; k < cands.size(); ++k)
    if (cands[k].key != best.key) {
      second = cands[k].score;
      break;
    }
  if (best.score < opt.suggest_threshold) return out;
  out.kind = Decision::Kind::kMatch;
  out.lines = best.lines;
  out.bank_fee = best.fee;
  out.bank_fee_iva = best.fee_iva;
  out.score = best.score;
  out.reasons = best.reasons;
  if (second > -1e8) out.reasons.push_back(fmt::format("siguiente candidato: {:.1f}", second));
  bool clear = best.score >= opt.auto_threshold && best.score - second >= opt.auto_margin;
  bool evidence = best.independent >= 1 && (best.amount_settles || best.independent >= 2);
  out.automatic = clear && evidence && !best.amount_uncertain;
  if (clear && evidence && best.amount_uncertain)
    out.reasons.push_back("importe en pesos por confirmar (tipo de cambio o comisión)");
  if (out.automatic && !payer_rfcs.empty()) {
    const auto& first = docs[by_id.at(best.lines.front().document_id)];
    if (payer_rfcs.contains(first.counterparty_rfc)) out.payer_rfc = first.counterparty_rfc;
  }
  if (out.payer_rfc.empty()) out.payer_key.clear();
  return out;
}

}  // namespace vertice::reconciliation
