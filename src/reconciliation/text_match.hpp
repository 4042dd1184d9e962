// Text evidence for the matcher: what a bank line's description and reference say about who paid
// and which documents they meant. Normalisation (upper-case ASCII, accents folded, punctuation to
// spaces), company names without their legal form (S.A. DE C.V., SAPI, S. DE R.L., S.C., …),
// reference tokens (folios, serie-folio, UUID fragments) and a fuzzy index that finds a key
// within one edit (a transposed, dropped, added or changed character; O read as 0).
// Hand-written: nothing in Debian does Mexican legal-name folding or symmetric-delete lookup.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
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
  std::unordered_map<std::string, std::vector<size_t>> by_first_prefix_;  // first 4 letters of the first token
};

// Keys within edit distance 1 (symmetric deletes), for keys of at least 4 characters; shorter
// keys match exactly only.
class FuzzyIndex {
 public:
  void Add(const std::string& key, int64_t owner);
  // Exact owners, then (if none) owners within one edit.
  struct Hit {
    int64_t owner;
    bool exact;
  };
  std::vector<Hit> Find(const std::string& token) const;

 private:
  std::unordered_map<std::string, std::vector<int64_t>> exact_;
  std::unordered_map<std::string, std::vector<std::pair<std::string, int64_t>>> deletes_;
};

// Damerau–Levenshtein distance ≤ 1 (adjacent transposition counts as one).
bool WithinOneEdit(std::string_view a, std::string_view b);

}  // namespace vertice::reconciliation
