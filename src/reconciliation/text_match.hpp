// Text evidence for the matcher: what a bank line's description and reference say about who paid
// and which documents they meant. Normalisation (upper-case ASCII, accents folded, punctuation to
// spaces), company names without their legal form (S.A. DE C.V., SAPI, S. DE R.L., S.C., …),
// reference tokens (folios, serie-folio, UUID fragments, O read as 0) and a comparison within one
// edit (a transposed, dropped, added or changed character).
// Hand-written: nothing in Debian does Mexican legal-name folding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace vertice::reconciliation {

// "Distribuidora Anáhuac, S.A. de C.V." → "DISTRIBUIDORA ANAHUAC S A DE C V".
std::string Normalize(std::string_view text);
std::vector<std::string> Tokens(std::string_view normalized);

// A company or person name without its legal form, as tokens: "DISTRIBUIDORA ANAHUAC".
std::vector<std::string> NameCore(std::string_view name);

// Reference-like tokens of a text: alphanumeric runs with at least one digit ("A-2961" gives
// "A2961" and "2961"), hex runs of 8 or 12 (UUID fragments), O read as 0 inside numbers.
std::vector<std::string> ReferenceTokens(std::string_view text);

// Finds which names occur in a text: each name's core tokens contiguous in the text's tokens,
// the last one possibly cut (payer names are cut at 40 characters) and any token possibly
// abbreviated to a prefix of at least 4 letters.
class NameIndex {
 public:
  void Add(std::string_view name, int64_t owner);
  // Owners whose names occur in the normalized text, longest match first (ties: all of them).
  std::vector<int64_t> Find(const std::vector<std::string>& text_tokens) const;

 private:
  struct Entry {
    std::vector<std::string> tokens;
    int64_t owner;
  };
  std::vector<Entry> entries_;
  std::unordered_set<std::string> seen_;
  std::unordered_map<std::string, std::vector<size_t>> by_first_prefix_;  // first 4 letters of the first token
};

// Damerau–Levenshtein distance ≤ 1 (adjacent transposition counts as one).
bool WithinOneEdit(std::string_view a, std::string_view b);

}  // namespace vertice::reconciliation
