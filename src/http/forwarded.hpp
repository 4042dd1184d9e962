// Which peers may say who the client is and whether it came over TLS. Behind a reverse proxy the
// socket's peer is the proxy: its X-Forwarded-For / X-Forwarded-Proto or Forwarded (RFC 7239)
// headers count, but only when that peer is listed in `trusted_proxies`; anyone else could forge
// them (a fake client address dodges the login limits, a fake scheme changes the cookies).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "http/message.hpp"

namespace vertice::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Addresses ("10.0.0.5", "::1") and networks in CIDR notation ("10.0.0.0/8", "fd00::/8").
  static Result<TrustedProxies> Parse(const std::vector<std::string>& entries);

  bool Empty() const { return networks_.empty(); }
  bool Contains(std::string_view ip) const;

  // When the request's peer (req.client_ip) is trusted, replaces client_ip with the address the
  // forwarding headers name and sets `secure` when they say https. Walks the hops from the
  // nearest: the client is the first address that is not itself a trusted proxy, so a value the
  // client forged in front of the real ones is never taken. `Forwarded` wins over X-Forwarded-*.
  // From any other peer the headers are ignored.
  void Apply(Request& req) const;

 private:
  struct Network {
    boost::asio::ip::address base;
    int prefix = 0;
  };
  bool Contains(const boost::asio::ip::address& a) const;
  std::vector<Network> networks_;
};

// A textual address (optionally "[v6]:port" or "v4:port", as Forwarded may carry) as an address,
// with IPv4-mapped IPv6 turned into IPv4; false when it is none ("unknown", "_hidden").
bool ParseAddress(std::string_view text, boost::asio::ip::address& out);

}  // namespace vertice::http
