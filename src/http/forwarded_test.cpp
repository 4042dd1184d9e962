#include "http/forwarded.hpp"

#include <gtest/gtest.h>

namespace vertice::http {

namespace {

Request From(std::string peer, Headers headers) {
  Request r;
  r.client_ip = std::move(peer);
  r.headers = std::move(headers);
  return r;
}

TrustedProxies Proxies(std::vector<std::string> entries) {
  auto p = TrustedProxies::Parse(entries);
  EXPECT_TRUE(p) << p.error().message;
  return p ? *p : TrustedProxies{};
}

}  // namespace

TEST(TrustedProxiesTest, ParsesAddressesAndNetworksAndRefusesAnythingElse) {
  auto p = Proxies({"10.0.0.0/8", " 192.168.1.7 ", "fd00::/8", "::1"});
  EXPECT_TRUE(p.Contains("10.200.3.4"));
  EXPECT_TRUE(p.Contains("192.168.1.7"));
  EXPECT_FALSE(p.Contains("192.168.1.8"));
  EXPECT_TRUE(p.Contains("fd12::5"));
  EXPECT_TRUE(p.Contains("::1"));
  EXPECT_TRUE(p.Contains("::ffff:10.1.1.1"));  // IPv4-mapped peers of a dual-stack socket
  EXPECT_FALSE(p.Contains("11.0.0.1"));
  EXPECT_FALSE(p.Contains("unknown"));
  EXPECT_TRUE(Proxies({}).Empty());
  for (std::string bad : {"10.0.0.0/33", "10.0.0.300", "proxy.local", "10.0.0.1/", "10.0.0.1:80", "::1/129", "/8"}) {
    EXPECT_FALSE(TrustedProxies::Parse({bad})) << bad;
  }
}

TEST(TrustedProxiesTest, ATrustedProxyTellsTheClientAddressAndTheScheme) {
  auto p = Proxies({"127.0.0.1"});
  auto r = From("127.0.0.1", {{"x-forwarded-for", "203.0.113.9"}, {"x-forwarded-proto", "https"}});
  p.Apply(r);
  EXPECT_EQ(r.client_ip, "203.0.113.9");
  EXPECT_TRUE(r.secure);

  auto plain = From("127.0.0.1", {{"x-forwarded-for", "203.0.113.9"}, {"x-forwarded-proto", "http"}});
  p.Apply(plain);
  EXPECT_FALSE(plain.secure);

  auto rfc = From("127.0.0.1", {{"forwarded", R"(for="[2001:db8:cafe::17]:4711";proto=HTTPS;by=10.0.0.1)"}});
  p.Apply(rfc);
  EXPECT_EQ(rfc.client_ip, "2001:db8:cafe::17");
  EXPECT_TRUE(rfc.secure);
}

TEST(TrustedProxiesTest, HeadersFromAnyOtherPeerAreIgnored) {
  auto p = Proxies({"10.0.0.0/8"});
  auto r = From("198.51.100.4", {{"x-forwarded-for", "203.0.113.9"},
                                 {"x-forwarded-proto", "https"},
                                 {"forwarded", "for=203.0.113.9;proto=https"}});
  p.Apply(r);
  EXPECT_EQ(r.client_ip, "198.51.100.4");
  EXPECT_FALSE(r.secure);
  auto none = From("127.0.0.1", {{"x-forwarded-for", "203.0.113.9"}, {"x-forwarded-proto", "https"}});
  Proxies({}).Apply(none);  // nothing configured: nobody is trusted
  EXPECT_EQ(none.client_ip, "127.0.0.1");
  EXPECT_FALSE(none.secure);
}

TEST(TrustedProxiesTest, TheClientIsTheNearestAddressThatIsNotATrustedProxy) {
  auto p = Proxies({"10.0.0.0/8"});
  // The client forged the first entry; its proxy (10.0.0.2) appended the real address.
  auto r = From("10.0.0.1", {{"x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.2"}});
  p.Apply(r);
  EXPECT_EQ(r.client_ip, "203.0.113.9");
  // Repeated headers are one list, in order.
  auto repeated = From("10.0.0.1", {{"x-forwarded-for", "1.2.3.4"}, {"x-forwarded-for", "198.51.100.7"}});
  p.Apply(repeated);
  EXPECT_EQ(repeated.client_ip, "198.51.100.7");
  // An unusable entry stops the walk at the last proxy that vouched for it.
  auto unknown = From("10.0.0.1", {{"forwarded", "for=unknown;proto=https, for=10.0.0.3"}});
  p.Apply(unknown);
  EXPECT_EQ(unknown.client_ip, "10.0.0.3");
  EXPECT_TRUE(unknown.secure);
  // Every hop trusted: the farthest one.
  auto all = From("10.0.0.1", {{"x-forwarded-for", "10.9.9.9, 10.0.0.2"}});
  p.Apply(all);
  EXPECT_EQ(all.client_ip, "10.9.9.9");
}

TEST(TrustedProxiesTest, ASingleProtoValueStandsForTheWholeChain) {
  auto p = Proxies({"10.0.0.0/8"});
  auto r = From("10.0.0.1", {{"x-forwarded-for", "203.0.113.9, 10.0.0.2"}, {"x-forwarded-proto", "https"}});
  p.Apply(r);
  EXPECT_EQ(r.client_ip, "203.0.113.9");
  EXPECT_TRUE(r.secure);
  auto proto_only = From("10.0.0.1", {{"x-forwarded-proto", "https"}});
  p.Apply(proto_only);
  EXPECT_EQ(proto_only.client_ip, "10.0.0.1");
  EXPECT_TRUE(proto_only.secure);
}

}  // namespace vertice::http
