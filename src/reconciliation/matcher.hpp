// The reconciliation matcher: scored evidence with reasons (research/reconciliation.md,
// "Recommended design"). For each bank movement, oldest first, it gathers candidate documents of
// the right direction and date window — those its references name (folio, serie-folio, UUID
// fragments, within one edit), those of the payer it recognises (name without legal form, a
// learned alias of the paying account, an RFC in the text), those with its exact amount, those a
// payment complement (Pagos) ties to it — scores single documents, combinations (one movement
// for several invoices, credit notes netted; a bounded subset sum that refuses ties) and partial
// payments, and decides: automatic only when the best candidate has independent evidence and is
// clearly ahead; a suggestion otherwise. Lines that settle no document are classified by rules.
// Pure: no database; reconciliation/run.cpp loads its inputs and stores its decisions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/decimal.hpp"

namespace vertice::reconciliation {

using shared::Money;

struct Document {
  int64_t id = 0;
  std::string uuid, serie, folio;
  std::string date;    // ISO date of issue
  char tipo = 'I';     // 'I' invoice, 'E' credit note
  bool issued = true;  // the company issued it (a receivable) or received it (a payable)
  std::string currency = "MXN";
  std::string metodo_pago;  // PUE / PPD
  std::string counterparty_rfc, counterparty_name;
  Money total;  // in the document's currency
  Money open;   // what the bank has not settled yet, in the document's currency
  // A credit note's CfdiRelacionados with TipoRelacion 01 (nota de crédito de los documentos
  // relacionados): the UUIDs of the invoices it credits.
  std::vector<std::string> related_uuids;
};

// A payment complement's application to a document: the payer said it paid this much (MXN) on
// this date. Evidence, not a given (complements come days later, or never).
struct PaymentEvidence {
  int64_t document_id = 0;
  std::string date;
  Money amount_mxn;
  Money doc_amount;  // ImpPagado, in the document's currency (zero: not known)
};

// The document's exchange rate on its date (TipoCambio is the DOF FIX of the previous business
// day): the matcher's reference rate for USD documents paid in MXN.
struct FxPoint {
  std::string date;
  double rate = 0;
};

struct BankLine {
  int64_t id = 0;
  std::string date;
  Money amount;  // deposit > 0, withdrawal < 0
  std::string description, reference, counterparty_name, counterparty_account;
};

// Words that must all appear (normalised) → a category; direction +1 deposits, −1 withdrawals, 0 any.
struct Rule {
  std::string pattern;
  int direction = 0;
  std::string category;
};
// Rules every company starts with (fees, taxes, payroll, own transfers, interest, card settlements,
// cash deposits, advances); a company's own rules are tried first.
const std::vector<Rule>& DefaultRules();

struct Line {
  int64_t document_id = 0;
  Money amount;      // MXN of the movement applied to the document, with the movement's sign
  Money doc_amount;  // the same in the document's currency
};

// Why the matcher proposes a match: a stable code (for the screen to label and for filters) and
// a Spanish sentence with the figures (the fee deducted, the rate used, the credit note's UUID).
// The codes are listed in docs/reconciliation.md.
struct Reason {
  std::string code;
  std::string text;
  bool operator==(const Reason&) const = default;
};

struct Decision {
  int64_t movement_id = 0;
  enum class Kind { kNothing, kMatch, kCategory } kind = Kind::kNothing;
  std::vector<Line> lines;
  Money bank_fee, bank_fee_iva;  // deducted by the bank from this movement (negative), when found
  std::string category;
  double score = 0;
  bool automatic = false;  // settled without a human; otherwise a suggestion (or nothing)
  std::vector<Reason> reasons;
  bool HasReason(std::string_view code) const {
    return std::any_of(reasons.begin(), reasons.end(), [&](const Reason& r) { return r.code == code; });
  }
  std::string payer_key;  // the paying account the bank showed, for learning aliases
  std::string payer_rfc;
};

// How much each piece of evidence adds to a candidate's score (negative: takes away). A candidate
// is settled automatically at auto_threshold (7) and auto_margin (3) ahead of the next, so the
// weights are sized against those: one strong piece of evidence (an exact amount, a named
// reference) is not enough alone; two independent ones are.
struct ScoreWeights {
  // The score reported for a line a rule classifies (it settles no document; automatic whatever
  // the thresholds): the bank's own wording, beyond any evidence a document could have.
  double rule = 10;
  // A payment complement (Pagos) states this movement's amount within a few days: the payer's own
  // statement of what it paid for, the strongest evidence there is.
  double complement = 5;
  // The open amount equals the movement's to the cent: strong, but two open invoices of one
  // amount are common, so it needs a payer or a reference to become automatic.
  double exact_amount = 4;
  // Less than the open amount: the whole invoice a few pesos short (bank charges, rounding by
  // the payer) is likely; an installment or partial payment is possible but weak on its own.
  double nearly_paid = 2;
  double partial = 0.5;
  // Installments (parcialidades) are agreed as equal parts of the invoice or whole percentages of
  // it: a partial payment that is such a share of one of the payer's invoices points at that one.
  double installment_share = 1.5;
  // A USD document whose pesos fit the day's rate within the bank's spread: the rate is a range,
  // not a figure, so less than an exact amount.
  double fx_within_spread = 2.5;
  // ...and less when no four-decimal rate (with or without a wire fee) gives the pesos exactly.
  double fx_no_exact_rate = 1;
  // A complement for the movement plus a wire fee and its IVA: the fee is found exactly, as
  // strong as an exact amount.
  double fee_from_complement = 4;
  // Several of the payer's open items add up to the movement exactly: rarer by chance than one
  // item, so a little more than an exact amount...
  double combination = 3.5;
  // ...and a credit note netted in the sum is what customers do, and chance rarely produces.
  double credit_note_netted = 3;
  // Another subset adds up too: the sum alone does not say which.
  double other_combination = -2;
  // A credit note netted in the set names (CfdiRelacionados 01) an invoice of the set: the issuer
  // tied them together, so the customer paying one net of the other is expected...
  double credit_note_related = 2;
  // ...and one that names an invoice outside the set is another invoice's discount.
  double credit_note_unrelated = -4;
  // Every document belongs to the payer the bank shows (name, RFC, or learned account).
  double payer_recognised = 3;
  // None does: the money came from someone else (factoring pays for customers, so not fatal).
  double other_payer = -3;
  // References that name the candidate's documents: reference_exact × the share of its documents
  // named + reference_exact_base; a reference within one edit (mistyped) counts less.
  double reference_exact = 4;
  double reference_exact_base = 1;
  double reference_one_edit = 2;
  // The reference names some other document, not this candidate's.
  double reference_names_another = -2;
  // Per document the reference names that the candidate leaves out.
  double reference_left_out = -1.5;
  // Days from issue to payment (by the payment method's terms): on time is a slight plus, paid
  // before issue or long overdue a slight minus — a tie-breaker, never decisive.
  double lag_on_terms = 0.5;
  double lag_before_issue = -0.5;
  double lag_overdue = -1.0;
};

struct MatcherOptions {
  double auto_threshold = 7.0;  // score needed to settle automatically
  double auto_margin = 3.0;     // ahead of the second candidate by at least this
  double suggest_threshold = 4.0;
  int max_combination = 7;                  // documents in one movement
  int combination_pool = 22;                // the payer's open items searched
  long combination_budget = 400000;         // subsets visited per payer before giving up
  int days_before = 540;                    // a document may be this much older than the movement
  int days_after = 5;                       // or this much newer (issued right after the transfer)
  double fx_low = -0.045, fx_high = 0.025;  // bank rate vs the reference rate (spread, FIX drift)
  ScoreWeights weights;
};

class Matcher {
 public:
  Matcher(std::vector<Document> documents, const std::vector<PaymentEvidence>& complements,
          const std::vector<FxPoint>& fx, std::vector<Rule> rules, std::map<std::string, std::string> aliases,
          MatcherOptions options = {});
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Decides every movement, oldest first; automatic decisions consume the documents' open amounts
  // (and teach aliases) before the next movement is considered.
  std::vector<Decision> Run(std::vector<BankLine> movements);

  // What the documents still have open after Run (document id → open in its currency).
  Money OpenOf(int64_t document_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The matcher's arithmetic, pure, exposed for its unit tests.

// A wire fee the bank deducted from an incoming international payment, and its 16 % IVA.
struct WireFee {
  Money fee, iva;
  Money Deducted() const { return Money::FromUnits(fee.Units() + iva.Units()); }
};
// The fees the matcher tries, smallest first (kWireFeeGrid in matcher.cpp), each with its IVA.
const std::vector<WireFee>& WireFees();

// The smallest wire fee that, added back to `paid` with its IVA, brings paid ÷ expected − 1 within
// [low, high]; none if no fee does. (Only called when the paid amount alone is outside.)
std::optional<WireFee> FeeWithinSpread(int64_t paid_cents, int64_t expected_cents, double low, double high);

// The share of an invoice's total a partial payment is, when it is an agreed installment: an
// equal part ("1/3", n from 2 to 12) or a whole percentage in steps of 5 % ("30 %"), to the cent.
std::optional<std::string> InstallmentShare(int64_t paid_cents, int64_t total_cents);

// The four-decimal rate (as banks quote and Banxico publishes the FIX) at which `foreign` (a USD
// amount) converts to exactly paid_cents pesos, rounded half up to the cent; none if no such rate.
std::optional<shared::Decimal<4>> FourDecimalRate(int64_t paid_cents, Money foreign);

// The four-decimal rate at which a USD invoice net of a USD credit note converts to paid_cents:
// each converted and rounded to the cent on its own, the invoice's pesos minus the note's.
std::optional<shared::Decimal<4>> NetFourDecimalRate(int64_t paid_cents, Money invoice, Money note);

// One way a peso deposit pays a USD amount: a wire fee deducted (or none) and the bank's rate,
// ratio = rate ÷ reference rate − 1.
struct FxExplanation {
  std::optional<WireFee> fee;
  shared::Decimal<4> rate;
  double ratio = 0;
};
// Every fee of the grid (and none) for which paid + fee is `foreign` at a four-decimal rate within
// [low, high] of the reference rate, no fee first.
std::vector<FxExplanation> ExplainFx(int64_t paid_cents, Money foreign, double reference_rate, double low, double high);

// Subsets of at least two values summing exactly to target, as index lists in ascending order,
// depth-first taking each value before leaving it out. Stops after three (enough to know the sum
// is ambiguous), and gives up after `budget` steps; subsets larger than max_items are not tried.
std::vector<std::vector<size_t>> SubsetsSumming(const std::vector<int64_t>& values, int64_t target, int max_items,
                                                long budget);

}  // namespace vertice::reconciliation
