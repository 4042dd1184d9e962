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

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
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
};

// A payment complement's application to a document: the payer said it paid this much (MXN) on
// this date. Evidence, not a given (complements come days later, or never).
struct PaymentEvidence {
  int64_t document_id = 0;
  std::string date;
  Money amount_mxn;
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

struct Decision {
  int64_t movement_id = 0;
  enum class Kind { kNothing, kMatch, kCategory } kind = Kind::kNothing;
  std::vector<Line> lines;
  Money bank_fee, bank_fee_iva;  // deducted by the bank from this movement (negative), when found
  std::string category;
  double score = 0;
  bool automatic = false;  // settled without a human; otherwise a suggestion (or nothing)
  std::vector<std::string> reasons;
  std::string payer_key;  // the paying account the bank showed, for learning aliases
  std::string payer_rfc;
};

struct MatcherOptions {
  double auto_threshold = 7.0;  // score needed to settle automatically
  double auto_margin = 3.0;     // ahead of the second candidate by at least this
  double suggest_threshold = 4.0;
  int max_combination = 7;                  // documents in one movement
  int combination_pool = 22;                // the payer's open items searched
  int days_before = 540;                    // a document may be this much older than the movement
  int days_after = 5;                       // or this much newer (issued right after the transfer)
  double fx_low = -0.045, fx_high = 0.025;  // bank rate vs the reference rate (spread, FIX drift)
};

class Matcher {
 public:
  Matcher(std::vector<Document> documents, std::vector<PaymentEvidence> complements, std::vector<FxPoint> fx,
          std::vector<Rule> rules, std::map<std::string, std::string> aliases, MatcherOptions options = {});
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

}  // namespace vertice::reconciliation
