#include "http/forwarded.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "core/text.hpp"

namespace vertice::http {

namespace ip = boost::asio::ip;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits on `sep` outside double quotes; parts are trimmed.
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] == '"') quoted = !quoted;
    if (i == s.size() || (s[i] == sep && !quoted)) {
      out.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

std::string_view Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

// Every value of a header that may repeat, in order, as one comma-separated list.
std::vector<std::string_view> ListHeader(const Request& req, std::string_view lower_name) {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : req.headers) {
    if (k != lower_name) continue;
    for (auto part : Split(v, ',')) out.push_back(part);
  }
  return out;
}

std::array<unsigned char, 16> Bytes(const ip::address& a, size_t* size) {
  std::array<unsigned char, 16> out{};
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
    *size = 4;
  } else {
    out = a.to_v6().to_bytes();
    *size = 16;
  }
  return out;
}

bool SamePrefix(const ip::address& a, const ip::address& b, int prefix) {
  if (a.is_v4() != b.is_v4()) return false;
  size_t size = 0;
  auto x = Bytes(a, &size);
  auto y = Bytes(b, &size);
  for (int bit = 0; bit < prefix; ++bit) {
    unsigned char mask = static_cast<unsigned char>(0x80u >> (bit % 8));
    if ((x[static_cast<size_t>(bit / 8)] & mask) != (y[static_cast<size_t>(bit / 8)] & mask)) return false;
  }
  return true;
}

struct Hop {
  std::string_view client;  // the address the hop's proxy received the request from
  std::string_view proto;   // and the scheme it received it over (may be empty)
};

std::vector<Hop> HopsFromForwarded(const std::vector<std::string_view>& elements) {
  std::vector<Hop> hops;
  for (auto element : elements) {
    Hop hop;
    for (auto pair : Split(element, ';')) {
      auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      auto key = ToLowerAscii(Trim(pair.substr(0, eq)));
      auto value = Unquote(Trim(pair.substr(eq + 1)));
      if (key == "for") hop.client = value;
      if (key == "proto") hop.proto = value;
    }
    hops.push_back(hop);
  }
  return hops;
}

// X-Forwarded-Proto is aligned with X-Forwarded-For from the nearest hop; a shorter list (often a
// single value set by the proxy in front of us) stands for the hops it does not reach.
std::vector<Hop> HopsFromXForwarded(const std::vector<std::string_view>& for_list,
                                    const std::vector<std::string_view>& proto_list) {
  std::vector<Hop> hops;
  if (for_list.empty()) {
    if (!proto_list.empty()) hops.push_back({{}, proto_list.back()});
    return hops;
  }
  for (size_t i = 0; i < for_list.size(); ++i) {
    Hop hop{for_list[i], {}};
    if (!proto_list.empty()) {
      size_t from_end = for_list.size() - i;  // 1 for the nearest hop
      hop.proto = from_end <= proto_list.size() ? proto_list[proto_list.size() - from_end] : proto_list.front();
    }
    hops.push_back(hop);
  }
  return hops;
}

}  // namespace

bool ParseAddress(std::string_view text, ip::address& out) {
  text = Trim(text);
  if (text.starts_with('[')) {  // "[2001:db8::1]:4711"
    auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    text = text.substr(1, close - 1);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {  // "192.0.2.43:47011"
    text = text.substr(0, text.find(':'));
  }
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return false;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  if (a.is_v6() && a.to_v6().scope_id() != 0) return false;
  out = a;
  return true;
}

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries) {
  TrustedProxies out;
  for (const auto& raw : entries) {
    auto entry = Trim(raw);
    if (entry.empty()) continue;
    auto invalid = [&] {
      return Fail(ErrorKind::kInvalidInput, "config.invalid",
                  fmt::format("trusted_proxies: '{}' is not an IP address or a network such as 10.0.0.0/8", entry));
    };
    auto slash = entry.find('/');
    Network n;
    boost::system::error_code ec;
    n.base = ip::make_address(std::string(entry.substr(0, slash)), ec);
    if (ec) return invalid();
    if (n.base.is_v6() && n.base.to_v6().is_v4_mapped()) n.base = ip::make_address_v4(ip::v4_mapped, n.base.to_v6());
    int max_prefix = n.base.is_v4() ? 32 : 128;
    n.prefix = max_prefix;
    if (slash != std::string_view::npos) {
      auto digits = entry.substr(slash + 1);
      auto [end, parsed] = std::from_chars(digits.data(), digits.data() + digits.size(), n.prefix);
      if (parsed != std::errc() || end != digits.data() + digits.size() || n.prefix < 0 || n.prefix > max_prefix)
        return invalid();
    }
    out.networks_.push_back(n);
  }
  return out;
}

bool TrustedProxies::Contains(const ip::address& a) const {
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const Network& n) { return SamePrefix(n.base, a, n.prefix); });
}

bool TrustedProxies::Contains(std::string_view text) const {
  ip::address a;
  return ParseAddress(text, a) && Contains(a);
}

void TrustedProxies::Apply(Request& req) const {
  ip::address peer;
  if (networks_.empty() || !ParseAddress(req.client_ip, peer) || !Contains(peer)) return;
  auto forwarded = ListHeader(req, "forwarded");
  auto hops = !forwarded.empty()
                  ? HopsFromForwarded(forwarded)
                  : HopsFromXForwarded(ListHeader(req, "x-forwarded-for"), ListHeader(req, "x-forwarded-proto"));
  ip::address client = peer;
  std::string_view proto;
  // Each hop was written by a proxy we trust (the peer, then each trusted address before it), so
  // its scheme counts; its client is the answer unless that is a trusted proxy too.
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    if (!hop->proto.empty()) proto = hop->proto;
    ip::address a;
    if (!ParseAddress(hop->client, a)) break;  // "unknown", obfuscated or absent: stop here
    client = a;
    if (!Contains(a)) break;
  }
  req.client_ip = client.to_string();
  if (ToLowerAscii(proto) == "https") req.secure = true;
}

}  // namespace vertice::http
