// Nothing acknowledged is lost. A write load — POS sales, consignments and bank statement
// imports, each retried by its client until it gets an answer (sales and consignments with an
// Idempotency-Key, statements deduplicated by the importer) — and in the middle of it the server
// is killed with SIGKILL (and, in the other test, PostgreSQL's postmaster). Afterwards every
// request that got a 2xx is in the database exactly once and whole (a sale's totals equal its
// lines, a consignment's value its lines, a statement has all its movements), and the unified
// view equals a recomputation from its sources.
//
// The postmaster test stops and restarts the cluster every test binary shares: CTest runs this
// binary alone (RUN_SERIAL), and the cluster is restarted even when an assertion fails.
#include <signal.h>
#include <sys/types.h>

#include <fmt/format.h>
#include <atomic>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "tests/api/api_fixture.hpp"
#include "tests/support/universal_check.hpp"

namespace vertice::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// One request on a fresh connection, answered within `timeout` or not at all (status 0). No
// resend: whether an unanswered write happened is exactly what the test finds out afterwards.
struct Answer {
  int status = 0;
  std::string body;
  bool replayed = false;
};
Answer Send(unsigned short port, const std::string& method, const std::string& target, const std::string& body,
            const std::map<std::string, std::string>& headers,
            std::chrono::seconds timeout = std::chrono::seconds(15)) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  Answer out;
  try {
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    out.replayed = res["Idempotent-Replayed"] == "true";
  } catch (const std::exception&) {
    out.status = 0;  // refused, reset or timed out: no answer
  }
  return out;
}

// What the clients were told was written.
struct Acks {
  std::mutex mu;
  json::array sales;         // {ticket, sale_id, subtotal, iva, total}
  json::array consignments;  // {folio, consignment_id, value_delivered}
  json::array statements;    // {refs: [...], status}
  std::atomic<int> total{0}, replayed{0}, retries{0};
};

// Writers retrying each write until it is answered with a 2xx, against whatever port the server
// currently listens on; a 4xx ends the write (and is counted: there should be none).
class WriteLoad {
 public:
  WriteLoad(std::string round, std::map<std::string, std::string> auth, std::string pos_id, std::string account_id,
            std::atomic<unsigned short>& port)
      : round_(std::move(round)),
        auth_(std::move(auth)),
        pos_id_(std::move(pos_id)),
        account_id_(std::move(account_id)),
        port_(port) {}
  ~WriteLoad() { Stop(); }

  void Start() {
    for (int t = 0; t < 2; ++t) threads_.emplace_back([this, t] { Run(t, &WriteLoad::Sale); });
    threads_.emplace_back([this] { Run(2, &WriteLoad::Consignment); });
    threads_.emplace_back([this] { Run(3, &WriteLoad::Statement); });
  }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  // Waits until `n` more writes than now were acknowledged; false after `within`.
  bool WaitForMoreAcks(int n, std::chrono::seconds within) {
    const int target = acks.total + n;
    const auto deadline = Clock::now() + within;
    while (acks.total < target && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return acks.total >= target;
  }

  Acks acks;
  std::atomic<int> refused{0};  // 4xx answers

 private:
  using Writer = bool (WriteLoad::*)(const std::string& id, int n);
  void Run(int thread, Writer write) {
    for (int n = 0; !stop_; ++n) {
      auto id = fmt::format("{}-{}-{}", round_, thread, n);
      (this->*write)(id, n);
    }
  }
  // Sends until a 2xx or a 4xx (or the load stops); returns the 2xx answer, if any.
  std::optional<Answer> Until2xx(const std::string& target, const std::string& body, const std::string& content_type,
                                 const std::string& key) {
    auto headers = auth_;
    headers["Content-Type"] = content_type;
    if (!key.empty()) headers["Idempotency-Key"] = key;
    for (int attempt = 0; !stop_; ++attempt) {
      if (attempt > 0) {
        ++acks.retries;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      auto a = Send(port_, "POST", target, body, headers);
      if (a.status >= 200 && a.status < 300) {
        ++acks.total;
        if (a.replayed) ++acks.replayed;
        return a;
      }
      if (a.status >= 400 && a.status < 500 && a.status != 408 && a.status != 429) {
        ++refused;
        ADD_FAILURE() << "POST " << target << " → " << a.status << " " << a.body;
        return std::nullopt;
      }
    }
    return std::nullopt;
  }
  bool Sale(const std::string& ticket, int n) {
    auto body = fmt::format(R"({{"ticket":"{}","payment_method":"card","lines":[{{"sku":"DUR-A","quantity":"{}"}},)"
                            R"({{"sku":"DUR-B","quantity":"{}.5"}}]}})",
                            ticket, 1 + n % 7, n % 3);
    auto a = Until2xx("/api/v1/verticals/cpg/pos/" + pos_id_ + "/sales", body, "application/json", "sale-" + ticket);
    if (!a) return false;
    auto j = json::parse(a->body);
    auto at = [&](const char* key) { return std::string(j.at(key).as_string()); };
    json::object ack{{"ticket", ticket},
                     {"sale_id", at("sale_id")},
                     {"subtotal", at("subtotal")},
                     {"iva", at("iva")},
                     {"total", at("total")}};
    std::lock_guard lock(acks.mu);
    acks.sales.push_back(std::move(ack));
    return true;
  }
  bool Consignment(const std::string& folio, int n) {
    auto body = fmt::format(
        R"({{"pos_id":"{}","folio":"{}","lines":[{{"sku":"DUR-A","quantity":"{}"}},{{"sku":"DUR-B","quantity":"4"}}]}})",
        pos_id_, folio, 10 + n % 5);
    auto a = Until2xx("/api/v1/verticals/cpg/consignment", body, "application/json", "con-" + folio);
    if (!a) return false;
    auto j = json::parse(a->body);
    auto at = [&](const char* key) { return std::string(j.at(key).as_string()); };
    json::object ack{
        {"folio", folio}, {"consignment_id", at("consignment_id")}, {"value_delivered", at("value_delivered")}};
    std::lock_guard lock(acks.mu);
    acks.consignments.push_back(std::move(ack));
    return true;
  }
  bool Statement(const std::string& id, int n) {
    // Three deposits with the file's own references; a re-sent file is recognised as a duplicate.
    std::string csv = "id,date,description,reference,amount,balance\n";
    json::array refs;
    for (int line = 1; line <= 3; ++line) {
      auto ref = fmt::format("{}-{}", id, line);
      csv += fmt::format("{},2026-01-{:02},DEPOSITO DURABILIDAD {},,{}.{:02},\n", ref, 1 + (n + line) % 28, line,
                         100 + n, line * 7);
      refs.push_back(json::value(ref));
    }
    auto a = Until2xx("/api/v1/bank/statements?account_id=" + account_id_, csv, "text/csv", "");
    if (!a) return false;
    auto status = std::string(json::parse(a->body).at("files").at(0).at("status").as_string());
    if (status == "duplicate_file") ++acks.replayed;  // the first attempt was written, its answer lost
    json::object ack{{"refs", std::move(refs)}, {"status", status}};
    std::lock_guard lock(acks.mu);
    acks.statements.push_back(std::move(ack));
    return true;
  }

  std::string round_;
  std::map<std::string, std::string> auth_;
  std::string pos_id_, account_id_;
  std::atomic<unsigned short>& port_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

class DurabilityApiTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    if (!DatabaseAvailable()) return;
    StartStack();
    Sql(db_->OwnerUrl(),
        "INSERT INTO companies (company_id, tenant_id, legal_name, rfc) VALUES ('dur', 'demo', 'Durable', "
        "'ADI920101AB3')");
    Sql(db_->OwnerUrl(),
        "INSERT INTO memberships (tenant_id, company_id, user_id, role) SELECT 'demo', 'dur', user_id, 'owner' "
        "FROM users WHERE email = 'admin@acme.mx'");
    owner_ = SignIn("admin@acme.mx");
    auto c = Client();
    auto call = [&](const std::string& path, const std::string& body, const std::string& method = "POST") {
      auto r = c.Send(method, path, body, owner_.Bearer("dur"));
      EXPECT_TRUE(r.status == 200 || r.status == 201) << path << " " << r.body;
      return ParseJson(r.body);
    };
    call("/api/v1/verticals/cpg", R"({"enabled": true})", "PUT");
    call("/api/v1/verticals/cpg/products", R"({"sku":"DUR-A","name":"Agua","unit_price":"10.50","iva_rate":"0.16"})");
    call("/api/v1/verticals/cpg/products", R"({"sku":"DUR-B","name":"Jugo","unit_price":"23.10","iva_rate":"0"})");
    pos_id_ = std::string(
        call("/api/v1/verticals/cpg/pos", R"({"code":"DUR-1","name":"Tienda","retailer_rfc":"CCO8605231N4"})")
            .at("pos_id")
            .as_string());
    account_id_ = std::string(call("/api/v1/bank/accounts", R"({"name":"Operativa","clabe":"012180001234567899"})")
                                  .at("account_id")
                                  .as_string());
  }

  std::map<std::string, std::string> Auth() const { return owner_.Bearer("dur"); }

  static int64_t Count(const std::string& sql, const std::vector<std::string>& params = {}) {
    return std::stoll(SqlValue(db_->OwnerUrl(), sql, params));
  }

  // Every acknowledged write is in the database, once and whole; nothing in the database is half
  // written; the unified view equals its recomputation. Returns "acknowledged, found" per kind.
  static std::string Verify(WriteLoad& load, const std::string& round) {
    std::lock_guard lock(load.acks.mu);
    const auto& a = load.acks;
    auto sales = json::serialize(a.sales), consignments = json::serialize(a.consignments),
         statements = json::serialize(a.statements);
    // Sales: the acknowledged id and amounts, and exactly the two lines sent, summing to the header.
    auto sales_found = Count(
        "SELECT count(*) FROM jsonb_to_recordset($1::jsonb) AS a(ticket text, sale_id text, subtotal numeric, iva "
        "numeric, total numeric) JOIN cpg_sales s ON s.company_id = 'dur' AND s.ticket = a.ticket "
        "AND s.sale_id::text = a.sale_id AND s.subtotal = a.subtotal AND s.iva = a.iva AND s.total = a.total "
        "WHERE (SELECT count(*) FROM cpg_sale_lines l WHERE l.sale_id = s.sale_id) = 2",
        {sales});
    auto consignments_found = Count(
        "SELECT count(*) FROM jsonb_to_recordset($1::jsonb) AS a(folio text, consignment_id text, value_delivered "
        "numeric) JOIN cpg_consignments c ON c.company_id = 'dur' AND c.folio = a.folio AND c.consignment_id::text = "
        "a.consignment_id AND c.value_delivered = a.value_delivered "
        "WHERE (SELECT count(*) FROM cpg_consignment_lines l WHERE l.consignment_id = c.consignment_id) = 2",
        {consignments});
    auto statements_found = Count(
        "SELECT count(*) FROM jsonb_array_elements($1::jsonb) st WHERE (SELECT count(*) FROM bank_movements m "
        "WHERE m.company_id = 'dur' AND m.bank_reference IN (SELECT jsonb_array_elements_text(st->'refs'))) = 3",
        {statements});
    EXPECT_EQ(sales_found, static_cast<int64_t>(a.sales.size())) << "acknowledged sales lost or altered";
    EXPECT_EQ(consignments_found, static_cast<int64_t>(a.consignments.size()))
        << "acknowledged consignments lost or altered";
    EXPECT_EQ(statements_found, static_cast<int64_t>(a.statements.size())) << "acknowledged statements lost";
    // Nothing half-written anywhere in the company (acknowledged or not).
    EXPECT_EQ(Count("SELECT count(*) FROM cpg_sales s WHERE s.company_id = 'dur' AND NOT EXISTS (SELECT 1 FROM "
                    "(SELECT count(*) AS n, sum(subtotal) AS subtotal, sum(iva) AS iva FROM cpg_sale_lines l WHERE "
                    "l.sale_id = s.sale_id) x WHERE x.n = 2 AND x.subtotal = s.subtotal AND x.iva = s.iva "
                    "AND s.total = s.subtotal + s.iva)"),
              0)
        << "sales whose lines are missing or do not add up";
    EXPECT_EQ(Count("SELECT count(*) FROM cpg_consignments c WHERE c.company_id = 'dur' AND NOT EXISTS (SELECT 1 FROM "
                    "(SELECT count(*) AS n, sum(round(qty_delivered * unit_price, 2) + round(round(qty_delivered * "
                    "unit_price, 2) * iva_rate, 2)) AS v FROM cpg_consignment_lines l WHERE l.consignment_id = "
                    "c.consignment_id) x WHERE x.n = 2 AND x.v = c.value_delivered)"),
              0)
        << "consignments whose lines are missing or do not add up";
    EXPECT_EQ(Count("SELECT count(*) FROM bank_statements s WHERE s.company_id = 'dur' AND s.new_lines <> (SELECT "
                    "count(*) FROM bank_movements m WHERE m.statement_id = s.statement_id)"),
              0)
        << "statements missing movements";
    // Each write once, however often it was sent (idempotency keys; the importer's deduplication).
    EXPECT_EQ(Count("SELECT count(*) FROM (SELECT bank_reference FROM bank_movements WHERE company_id = 'dur' GROUP "
                    "BY 1 HAVING count(*) > 1) d"),
              0);
    EXPECT_EQ(Count("SELECT count(*) FROM cpg_idempotency_keys WHERE company_id = 'dur' AND status IS NULL"), 0);
    EXPECT_EQ(Count(kUniversalDifferences), 0) << "the unified view differs from a recomputation";
    // Written but never acknowledged (the answer was lost with the server): what retries are for.
    auto committed =
        Count("SELECT count(*) FROM cpg_sales WHERE company_id = 'dur' AND ticket LIKE $1 || '-%'", {round}) +
        Count("SELECT count(*) FROM cpg_consignments WHERE company_id = 'dur' AND folio LIKE $1 || '-%'", {round}) +
        Count(
            "SELECT count(DISTINCT statement_id) FROM bank_movements WHERE company_id = 'dur' AND "
            "bank_reference LIKE $1 || '-%'",
            {round});
    auto acked = static_cast<int64_t>(a.sales.size() + a.consignments.size() + a.statements.size());
    auto found = sales_found + consignments_found + statements_found;
    auto summary = fmt::format(
        "{}: acknowledged {} (sales {}, consignments {}, statements {}), found {}, lost {}; committed {}, "
        "committed without an answer {}; retries {}, of which answered as already written {}",
        round, acked, a.sales.size(), a.consignments.size(), a.statements.size(), found, acked - found, committed,
        committed - acked, a.retries.load(), a.replayed.load());
    std::cout << "[durability] " << summary << std::endl;
    ::testing::Test::RecordProperty(round, summary);
    return summary;
  }

  static inline Session owner_;
  static inline std::string pos_id_, account_id_;
};

constexpr int kKills = 3;

// A pause of 0–250 ms before each kill, so that kills land at different points of the writes.
void RandomPause() {
  static std::mt19937 rng(std::random_device{}());
  std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 250)(rng)));
}

TEST_F(DurabilityApiTest, KillingTheServerMidLoadLosesNoAcknowledgedWrite) {
  ASSERT_NE(server_, nullptr);
  std::atomic<unsigned short> port{server_->Port()};
  WriteLoad load("SRV", Auth(), pos_id_, account_id_, port);
  load.Start();
  for (int k = 0; k < kKills; ++k) {
    ASSERT_TRUE(load.WaitForMoreAcks(25, std::chrono::seconds(60))) << "no writes before kill " << k;
    RandomPause();
    ASSERT_EQ(kill(server_->Pid(), SIGKILL), 0);
    delete server_;  // reaps the killed process
    server_ = nullptr;
    server_ = new ServerProcess(db_->AppUrl());
    port = server_->Port();
  }
  EXPECT_TRUE(load.WaitForMoreAcks(25, std::chrono::seconds(60))) << "writes did not resume on the new server";
  load.Stop();
  EXPECT_EQ(load.refused.load(), 0);
  Verify(load, "SRV");
}

// The cluster every test shares comes back even when the test fails half-way.
class ClusterRestarter {
 public:
  explicit ClusterRestarter(std::string restart) : restart_(std::move(restart)) {}
  ~ClusterRestarter() {
    if (needed_) Restart();
  }
  void Needed() { needed_ = true; }
  // Retries until the old processes are gone and the cluster accepts connections (60 s at most).
  bool Restart() {
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      if (std::system(restart_.c_str()) == 0) {
        needed_ = false;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return false;
  }

 private:
  std::string restart_;
  bool needed_ = false;
};

pid_t PostmasterPid(const std::string& data_dir) {
  std::ifstream pid_file(data_dir + "/postmaster.pid");
  pid_t pid = 0;
  pid_file >> pid;
  return pid;
}

TEST_F(DurabilityApiTest, KillingPostgresMidLoadLosesNoAcknowledgedWrite) {
  const char* restart = std::getenv("VERTICE_TEST_PG_RESTART");
  const char* data = std::getenv("VERTICE_TEST_PG_DATA");
  ASSERT_TRUE(restart && data) << "scripts/test sets VERTICE_TEST_PG_RESTART and VERTICE_TEST_PG_DATA";
  ASSERT_NE(server_, nullptr);
  std::atomic<unsigned short> port{server_->Port()};
  WriteLoad load("PG", Auth(), pos_id_, account_id_, port);
  load.Start();
  ClusterRestarter cluster(restart);
  for (int k = 0; k < kKills; ++k) {
    ASSERT_TRUE(load.WaitForMoreAcks(25, std::chrono::seconds(60))) << "no writes before kill " << k;
    RandomPause();
    const pid_t postmaster = PostmasterPid(data);
    ASSERT_GT(postmaster, 1) << "no postmaster.pid in " << data;
    cluster.Needed();
    ASSERT_EQ(kill(postmaster, SIGKILL), 0);
    // Crash recovery replays the WAL; the server's pool reconnects by itself.
    ASSERT_TRUE(cluster.Restart()) << "the cluster did not restart: " << restart;
    int ready = 0;
    for (auto deadline = Clock::now() + std::chrono::seconds(60); ready != 200 && Clock::now() < deadline;) {
      ready = Send(server_->Port(), "GET", "/readyz", "", {}, std::chrono::seconds(5)).status;
      if (ready != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(ready, 200) << "the server did not become ready after database restart " << k;
  }
  EXPECT_TRUE(load.WaitForMoreAcks(25, std::chrono::seconds(60))) << "writes did not resume after the restart";
  load.Stop();
  EXPECT_EQ(load.refused.load(), 0);
  Verify(load, "PG");
}

}  // namespace
}  // namespace vertice::testing
