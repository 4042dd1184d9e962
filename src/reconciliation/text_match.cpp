#include "reconciliation/text_match.hpp"

#include <algorithm>
#include <set>

#include "core/text.hpp"

namespace vertice::reconciliation {

namespace {

bool IsLegalFormToken(std::string_view t) {
  static const std::set<std::string_view> kLegal = {"S", "A",  "DE",  "C",  "V",   "SA",    "CV",  "SAPI",
                                                    "P", "I",  "R",   "L",  "RL",  "SC",    "AC",  "SAB",
                                                    "B", "MI", "SRL", "EN", "SPR", "SOFOM", "ENR", "CIA"};
  return kLegal.contains(t);
}

bool HasDigit(std::string_view t) {
  return std::any_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsHex(std::string_view t) {
  return std::all_of(t.begin(), t.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); });
}

// Inside a mostly numeric token, O is a zero someone typed ("3O45").
std::string ZeroForO(std::string t) {
  size_t digits = 0;
  for (char c : t) digits += (c >= '0' && c <= '9');
  if (digits * 2 >= t.size())
    for (char& c : t)
      if (c == 'O') c = '0';
  return t;
}

bool TokenMatches(const std::string& text_token, const std::string& name_token, bool last, bool text_ends) {
  if (text_token == name_token) return true;
  // Abbreviated ("DISTR" for DISTRIBUIDORA, at least 4 letters), or cut at 40 characters: the
  // name's last token from 3 letters, or whatever is left where the text itself ends.
  size_t min = text_ends ? 1 : last ? 3 : 4;
  return text_token.size() >= min && text_token.size() < name_token.size() && name_token.starts_with(text_token);
}

}  // namespace

std::string Normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = true;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = text[i];
    char o = 0;
    if (c == 0xC3 && i + 1 < text.size()) {
      o = FoldAccentUpper(static_cast<unsigned char>(text[++i]));
    } else if (c >= 'a' && c <= 'z') {
      o = static_cast<char>(c - 32);
    } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      o = static_cast<char>(c);
    } else if (c == '&') {
      o = '&';
    }
    if (o) {
      out.push_back(o);
      space = false;
    } else if (!space) {
      out.push_back(' ');
      space = true;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> Tokens(std::string_view normalized) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < normalized.size()) {
    size_t end = normalized.find(' ', start);
    if (end == std::string_view::npos) end = normalized.size();
    if (end > start) out.emplace_back(normalized.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<std::string> NameCore(std::string_view name) {
  auto tokens = Tokens(Normalize(name));
  while (tokens.size() > 1 && IsLegalFormToken(tokens.back())) tokens.pop_back();
  return tokens;
}

std::vector<std::string> ReferenceTokens(std::string_view text) {
  auto tokens = Tokens(Normalize(text));
  std::vector<std::string> out;
  auto add = [&](std::string t) {
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string t = ZeroForO(tokens[i]);
    if (!HasDigit(t)) continue;
    add(t);
    // "A2961" also as folio "2961"; "FAC2926" likewise.
    size_t first_digit = t.find_first_of("0123456789");
    if (first_digit > 0 && first_digit != std::string::npos &&
        t.find_first_not_of("0123456789", first_digit) == std::string::npos)
      add(t.substr(first_digit));
    // "A 2961" (serie, then folio) as "A2961".
    if (i > 0 && tokens[i - 1].size() <= 4 && !HasDigit(tokens[i - 1]) &&
        t.find_first_not_of("0123456789") == std::string::npos)
      add(tokens[i - 1] + t);
    // UUID fragments written with a dash inside ("8DACB6A2-A99C") arrive split; rejoin hex runs.
    if (i + 1 < tokens.size() && IsHex(t) && IsHex(tokens[i + 1]) && t.size() + tokens[i + 1].size() <= 12 &&
        t.size() >= 4)
      add(t + tokens[i + 1]);
  }
  return out;
}

void NameIndex::Add(std::string_view name, int64_t owner) {
  auto core = NameCore(name);
  if (core.empty()) return;
  // Too generic to identify anyone by itself.
  if (core.size() == 1 && core.front().size() < 5) return;
  // Every document of a customer carries its name: index each (name, owner) once.
  std::string key = std::to_string(owner) + ':';
  for (const auto& t : core) key += t + ' ';
  if (!seen_.insert(std::move(key)).second) return;
  entries_.push_back({std::move(core), owner});
  by_first_prefix_[entries_.back().tokens.front().substr(0, 4)].push_back(entries_.size() - 1);
}

std::vector<int64_t> NameIndex::Find(const std::vector<std::string>& text) const {
  size_t best_len = 0;
  std::vector<int64_t> best;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i].size() < 3) continue;
    auto it = by_first_prefix_.find(text[i].substr(0, 4));
    if (it == by_first_prefix_.end()) continue;
    for (size_t e : it->second) {
      const auto& name = entries_[e].tokens;
      if (i + name.size() > text.size()) {
        // A cut may drop the name's last tokens entirely; require most of it.
        if (name.size() < 2) continue;
      }
      size_t matched = 0, chars = 0;
      for (size_t k = 0; k < name.size() && i + k < text.size(); ++k) {
        bool last_in_text = i + k + 1 == text.size();
        if (!TokenMatches(text[i + k], name[k], k + 1 == name.size(), last_in_text)) break;
        ++matched;
        chars += name[k].size();
      }
      bool whole = matched == name.size();
      bool cut_at_end = matched >= 2 && matched + 1 >= name.size() && i + matched == text.size();
      if (!whole && !cut_at_end) continue;
      if (chars > best_len) {
        best_len = chars;
        best.clear();
      }
      if (chars == best_len && std::find(best.begin(), best.end(), entries_[e].owner) == best.end())
        best.push_back(entries_[e].owner);
    }
  }
  return best;
}

bool WithinOneEdit(std::string_view a, std::string_view b) {
  if (a == b) return true;
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (a.size() == b.size()) {
    if (a.substr(i + 1) == b.substr(i + 1)) return true;  // substitution
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);
  }
  return a.substr(i) == b.substr(i + 1);  // insertion into a
}

}  // namespace vertice::reconciliation
