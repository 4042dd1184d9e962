// Bounded resources at the edge: connections in all and per address, bodies smaller before
// authentication than after, metrics whose labels a client cannot multiply, and a /metrics token.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class LimitsTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (DatabaseAvailable())
      StartStack({"VERTICE_MAX_CONNECTIONS_PER_IP=3", "VERTICE_METRICS_TOKEN=scrape-secret",
                  "VERTICE_JSON_BODY_LIMIT_KIB=256", "VERTICE_POOL_SIZE=5"});
  }

  // A keep-alive connection that has been served once (so the server counts it).
  struct OpenConnection {
    asio::io_context ioc;
    tcp::socket socket{ioc};
    explicit OpenConnection(unsigned short port) {
      socket.connect({asio::ip::make_address("127.0.0.1"), port});
      timeval tv{5, 0};
      setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    // The first response's status line (or "" when the server closed without answering).
    std::string Exchange(const std::string& request) {
      boost::system::error_code ec;
      asio::write(socket, asio::buffer(request), ec);
      std::array<char, 4096> buf{};
      size_t n = socket.read_some(asio::buffer(buf), ec);
      std::string got(buf.data(), n);
      return got.substr(0, got.find("\r\n")) +
             (got.find("too_many_connections") != std::string::npos ? " (too_many)" : "");
    }
  };
  static constexpr const char* kHealth = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

  // A connection the server has served once (null if it never was within 2 s). Earlier clients'
  // connections (the readiness probe's) close asynchronously: the server may count one for a
  // moment after the client let go of it.
  static std::unique_ptr<OpenConnection> Served() {
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto c = std::make_unique<OpenConnection>(server_->Port());
      if (c->Exchange(kHealth) == "HTTP/1.1 200 OK") return c;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return nullptr;
  }
};

TEST_F(LimitsTest, ConnectionsBeyondThePerAddressCapAreRefusedCleanlyAndAdmittedOnceOneCloses) {
  std::vector<std::unique_ptr<OpenConnection>> held;
  for (int i = 0; i < 3; ++i) {
    // Earlier clients' connections (the readiness probe's) close asynchronously: the server may
    // count one for a moment after the client let go of it.
    held.push_back(Served());
    ASSERT_NE(held.back(), nullptr);
  }
  OpenConnection fourth(server_->Port());
  EXPECT_EQ(fourth.Exchange(kHealth), "HTTP/1.1 429 Too Many Requests (too_many)");
  held.pop_back();  // one closes: a new connection is served again
  std::string status;
  for (int i = 0; i < 50 && status != "HTTP/1.1 200 OK"; ++i) {
    OpenConnection again(server_->Port());
    status = again.Exchange(kHealth);
    if (status != "HTTP/1.1 200 OK") std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, "HTTP/1.1 200 OK");
}

TEST_F(LimitsTest, ConnectionsBeyondTheServersCapAreAnswered503) {
  delete server_;
  server_ = new ServerProcess(db_->AppUrl(), {"VERTICE_MAX_CONNECTIONS=2", "VERTICE_MAX_CONNECTIONS_PER_IP=100"});
  auto a = Served(), b = Served();
  ASSERT_TRUE(a && b);
  OpenConnection c(server_->Port());
  EXPECT_EQ(c.Exchange(kHealth), "HTTP/1.1 503 Service Unavailable (too_many)");
  delete server_;
  server_ = new ServerProcess(db_->AppUrl(), {"VERTICE_MAX_CONNECTIONS_PER_IP=3", "VERTICE_METRICS_TOKEN=scrape-secret",
                                              "VERTICE_JSON_BODY_LIMIT_KIB=256", "VERTICE_POOL_SIZE=5"});
}

TEST_F(LimitsTest, AnUnauthenticatedCallerMaySendLessThanAnAuthenticatedOne) {
  const std::string big(100 * 1024, 'x');  // over the 64 KiB before authentication
  auto c = Client();
  // Login is public: its body is bounded before anyone is known.
  EXPECT_EQ(c.Send("POST", "/api/v1/auth/login", "{\"email\":\"" + big + "\"}").status, 413);
  // A forged token does not buy a larger body.
  EXPECT_EQ(c.Send("POST", "/api/v1/bank/accounts", "{\"name\":\"" + big + "\"}",
                   {{"Authorization", "Bearer vs_" + std::string(43, 'a')}})
                .status,
            413);
  auto cfo = SignIn("cfo@acme.mx");
  // Signed in, the same body reaches the route (which judges it: not a 413).
  auto r = c.Send("POST", "/api/v1/bank/accounts", "{\"name\":\"" + big + "\"}", cfo.Bearer("acme"));
  EXPECT_NE(r.status, 413) << r.body;
  EXPECT_LT(r.status, 500) << r.body;
  // JSON routes stop at their own limit (256 KiB here); upload routes take files larger than that.
  const std::string huge(300 * 1024, 'x');
  EXPECT_EQ(c.Send("POST", "/api/v1/bank/accounts", "{\"name\":\"" + huge + "\"}", cfo.Bearer("acme")).status, 413);
  auto upload = c.Send("POST", "/api/v1/bank/statements", huge, [&] {
    auto h = cfo.Bearer("acme");
    h["Content-Type"] = "text/csv";
    return h;
  }());
  EXPECT_NE(upload.status, 413) << upload.body;
  EXPECT_LT(upload.status, 500) << upload.body;
}

TEST_F(LimitsTest, MetricsNeedTheTokenAndClientsCannotInventLabels) {
  auto c = Client();
  EXPECT_EQ(c.Send("GET", "/metrics").status, 401);
  EXPECT_EQ(c.Send("GET", "/metrics", "", {{"Authorization", "Bearer wrong"}}).status, 401);
  for (const char* method : {"FROB", "XYZZY"}) {
    c.SendRaw(std::string(method) + " /api/v1/no/such/" + method + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  }
  c.Send("GET", "/api/v1/random-path-abc123");
  auto m = c.Send("GET", "/metrics", "", {{"Authorization", "Bearer scrape-secret"}});
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.body.find("FROB"), std::string::npos);
  EXPECT_EQ(m.body.find("XYZZY"), std::string::npos);
  EXPECT_EQ(m.body.find("random-path-abc123"), std::string::npos);
  EXPECT_NE(m.body.find("route=\"unmatched\""), std::string::npos);
  // What /readyz answers, and the pool's size beside its use (pool utilisation).
  EXPECT_NE(m.body.find("\nvertice_ready 1\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("\nvertice_db_pool_max_connections 5\n"), std::string::npos) << m.body;
}

}  // namespace vertice::testing
