// The matcher's regression test on recon-dev seed1-1co (tests/fixtures/recon): its CFDI and
// statement go in through the product's importers, a run matches them, the export is scored
// against the ground truth like recon_score.py does, and the targets must hold: pair F1 ≥ 0.95,
// error rate of automatic decisions ≤ 0.5 %, movements reconciled automatically and correctly
// ≥ 75 %. Then what a person does survives what the matcher does: a second run changes nothing
// accepted, an undo touches one match, a rejected suggestion is not proposed again.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "banking/statement_importer.hpp"
#include "db/pool.hpp"
#include "db/run_sync.hpp"
#include "invoices/importer.hpp"
#include "reconciliation/decisions.hpp"
#include "reconciliation/run.hpp"
#include "tests/support/test_database.hpp"

namespace vertice::reconciliation {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::Sql;
using testing::SqlValue;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <typename R, typename Fn>
R WithPool(const std::string& url, Fn fn) {
  return db::RunSync<R>([&](boost::asio::any_io_executor ex) -> db::Task<R> {
    db::PoolOptions options;
    options.conninfo = url;
    options.max_size = 4;
    options.prepared_statements = false;
    db::Pool pool(ex, options);
    co_return co_await fn(pool);
  });
}

struct Score {
  int tp = 0, fp = 0, fn = 0, auto_marked = 0, auto_ok = 0, movements = 0;
  double F1() const {
    double p = tp + fp ? double(tp) / (tp + fp) : 0, r = tp + fn ? double(tp) / (tp + fn) : 0;
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  double AutoErrorRate() const { return auto_marked ? double(auto_marked - auto_ok) / auto_marked : 0; }
  double FullyAutoShare() const { return movements ? double(auto_ok) / movements : 0; }
};

// recon_score.py's pair and auto metrics (amounts within one cent).
Score ScorePredictions(const json::object& truth, const json::object& pred) {
  auto set_of = [](const json::value& matches) {
    std::map<std::string, int64_t> out;
    if (!matches.is_array()) return out;
    for (const auto& m : matches.as_array()) {
      std::string uuid(m.at("uuid").as_string());
      for (auto& c : uuid) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out[uuid] = std::llround(std::stod(std::string(m.at("amount").as_string())) * 100);
    }
    return out;
  };
  Score s;
  const auto& pm = pred.at("movements").as_object();
  for (const auto& [id, t] : truth.at("movements").as_object()) {
    ++s.movements;
    auto ts = set_of(t.at("matches"));
    std::map<std::string, int64_t> ps;
    bool is_auto = false;
    if (auto it = pm.find(id); it != pm.end()) {
      ps = set_of(it->value().at("matches"));
      is_auto = it->value().at("auto").as_bool();
    }
    for (const auto& [u, a] : ts) (ps.contains(u) ? s.tp : s.fn)++;
    for (const auto& [u, a] : ps)
      if (!ts.contains(u)) ++s.fp;
    bool exact = ts.size() == ps.size() && std::all_of(ts.begin(), ts.end(), [&](const auto& kv) {
                   auto p = ps.find(kv.first);
                   return p != ps.end() && std::llabs(p->second - kv.second) <= 1;
                 });
    if (is_auto) {
      ++s.auto_marked;
      s.auto_ok += exact;
    }
  }
  return s;
}

class ReconciliationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::DatabaseAvailable()) return;
    dir_ = fs::temp_directory_path() / ("vertice-recon-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string tarball = std::string(VERTICE_FIXTURES_DIR) + "/recon/seed1-1co.tar.xz";
    ASSERT_EQ(std::system(("tar -xJf '" + tarball + "' -C '" + dir_.string() + "'").c_str()), 0);
    truth_ = json::parse(ReadFile(dir_ / "seed1-1co" / "truth.json")).as_object();
    db_ = testing::TestDatabase::Create().release();
    const auto& company = truth_.at("companies").as_array().at(0).as_object();
    rfc_ = std::string(company.at("rfc").as_string());
    Sql(db_->OwnerUrl(), "INSERT INTO tenants (tenant_id, name) VALUES ('recon', 'Recon')");
    Sql(db_->OwnerUrl(),
        "INSERT INTO companies (company_id, tenant_id, legal_name, rfc) VALUES ('c1', 'recon', $1, $2)",
        {std::string(company.at("name").as_string()), rfc_});
    Sql(db_->OwnerUrl(),
        "INSERT INTO bank_accounts (tenant_id, company_id, name, bank, clabe) VALUES ('recon', 'c1', 'Operativa', "
        "'BBVA', $1)",
        {std::string(company.at("clabe").as_string())});
    db::TenantScope scope{"recon", "c1", ""};
    shared::Actor actor{"system", "test", "recon", "c1", ""};
    auto imported = WithPool<Status>(db_->AppUrl(), [&](db::Pool& pool) -> db::Task<Status> {
      // The dataset's CFDI are generated without seals (Sello=""): imported explicitly unverified,
      // as bench/recon/run.sh does.
      invoices::Importer importer(pool, scope, actor, "cli", /*unverified=*/true);
      VERTICE_CO_TRY(co_await importer.Begin());
      std::vector<invoices::ImportFile> files;
      for (const auto& e : fs::directory_iterator(dir_ / "seed1-1co" / "cfdi" / rfc_))
        files.push_back({e.path().filename().string(), ReadFile(e.path())});
      VERTICE_CO_TRY(co_await importer.Add(std::move(files)));
      VERTICE_CO_TRY(co_await importer.Finish());
      banking::StatementImporter statements(pool, scope, actor, "cli");
      banking::ImportRequest req;
      req.file_name = "c1.csv";
      req.bytes = ReadFile(dir_ / "seed1-1co" / "bank" / "c1.csv");
      VERTICE_CO_ASSIGN_OR_RETURN(auto report, co_await statements.Import(std::move(req)));
      if (report.new_lines != 2759)
        co_return Fail(ErrorKind::kInternal, "x", "movements imported: " + std::to_string(report.new_lines));
      co_return Status{};
    });
    ASSERT_TRUE(imported) << imported.error().message;
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void SetUp() override { VERTICE_REQUIRE_DATABASE(); }

  static db::TenantScope Scope() {
    db::TenantScope s;
    s.tenant_id = "recon";
    s.company_id = "c1";
    return s;
  }
  static Result<RunReport> Run() {
    return WithPool<Result<RunReport>>(db_->AppUrl(), [&](db::Pool& pool) -> db::Task<Result<RunReport>> {
      RunRequest req;
      req.requested_by = "test";
      const db::TenantScope scope = Scope();  // (GCC 12: no braced temporaries in co_await)
      co_return co_await RunReconciliation(pool, scope, req);
    });
  }
  static json::object Export() {
    auto out = WithPool<Result<json::object>>(db_->AppUrl(), [&](db::Pool& pool) -> db::Task<Result<json::object>> {
      const db::TenantScope scope = Scope();
      co_return co_await ExportPredictions(pool, scope);
    });
    EXPECT_TRUE(out);
    return out ? *out : json::object{};
  }
  int64_t Count(const std::string& sql) { return std::stoll(SqlValue(db_->OwnerUrl(), sql)); }

  static inline fs::path dir_;
  static inline json::object truth_;
  static inline std::string rfc_;
  static inline testing::TestDatabase* db_ = nullptr;
};

TEST_F(ReconciliationTest, Seed1MeetsTheTargetsAndPeoplesDecisionsSurviveTheMatcher) {
  auto first = Run();
  ASSERT_TRUE(first) << first.error().message << " " << first.error().internal;
  EXPECT_EQ(first->movements, 2759);
  auto score = ScorePredictions(truth_, Export());
  EXPECT_GE(score.F1(), 0.95) << "tp " << score.tp << " fp " << score.fp << " fn " << score.fn;
  EXPECT_LE(score.AutoErrorRate(), 0.005) << score.auto_marked - score.auto_ok << " wrong of " << score.auto_marked;
  EXPECT_GE(score.FullyAutoShare(), 0.75);

  // Movement statuses follow the accepted matches; events are on record.
  EXPECT_GT(Count("SELECT count(*) FROM bank_movements WHERE status = 'reconciled'"), 1500);
  EXPECT_EQ(
      Count("SELECT count(*) FROM reconciliation_matches r WHERE r.state = 'accepted' AND NOT EXISTS "
            "(SELECT 1 FROM reconciliation_events e WHERE e.match_id = r.match_id AND e.event = 'auto_accepted')"),
      0);

  // A second run: nothing accepted changes (it may settle more, with what the first consumed),
  // and no movement is matched twice.
  const auto accepted = Count("SELECT count(*) FROM reconciliation_matches WHERE state = 'accepted'");
  auto second = Run();
  ASSERT_TRUE(second);
  EXPECT_EQ(Count("SELECT count(*) FROM reconciliation_matches WHERE state = 'accepted' AND run_id = " +
                  std::to_string(first->run_id)),
            accepted);
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT movement_id FROM reconciliation_matches WHERE state = 'accepted' "
                  "GROUP BY 1 HAVING count(*) > 1) x"),
            0);

  // Undo one of two matches of the same invoice: the other stays.
  auto pair = Sql(db_->OwnerUrl(),
                  "SELECT min(l.match_id)::text, max(l.match_id)::text FROM reconciliation_match_lines l JOIN "
                  "reconciliation_matches r USING (match_id) WHERE r.state = 'accepted' GROUP BY l.invoice_id "
                  "HAVING count(*) >= 2 LIMIT 1");
  ASSERT_EQ(pair.size(), 1u);
  Sql(db_->OwnerUrl(), "UPDATE reconciliation_matches SET state = 'undone' WHERE match_id = $1::bigint", {pair[0][0]});
  Sql(db_->OwnerUrl(),
      "SELECT reconciliation_refresh_movements(ARRAY[(SELECT movement_id FROM reconciliation_matches WHERE match_id = "
      "$1::bigint)])",
      {pair[0][0]});
  EXPECT_EQ(
      SqlValue(db_->OwnerUrl(), "SELECT state FROM reconciliation_matches WHERE match_id = $1::bigint", {pair[0][1]}),
      "accepted");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(),
                     "SELECT m.status FROM bank_movements m JOIN reconciliation_matches r USING (movement_id) WHERE "
                     "r.match_id = $1::bigint",
                     {pair[0][0]}),
            "unreconciled");
}

// At 20:00 in Mexico City it is already 02:00 of the next day in UTC, the sessions' zone: the
// summary must age what is open by Mexico City's day (the day the invoice aging and the dashboard
// use), taken from the injected clock.
TEST_F(ReconciliationTest, SummaryAgesOpenMovementsByMexicoCitysDayAtEightInTheEvening) {
  const std::string last =
      SqlValue(db_->OwnerUrl(),
               "SELECT max(booking_date)::text FROM bank_movements WHERE status IN ('unreconciled', 'partial')");
  ASSERT_FALSE(last.empty());
  // Mexico City's day is last + 30: what was booked on `last` is 30 days old (0–30), although the
  // UTC day (last + 31) would make it 31.
  const std::string mexico_day = SqlValue(db_->OwnerUrl(), "SELECT ($1::date + 30)::text", {last});
  const std::string utc_instant = SqlValue(
      db_->OwnerUrl(), "SELECT to_char(($1::date + 31) + time '02:00', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", {last});
  std::tm tm{};
  ASSERT_NE(::strptime(utc_instant.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm), nullptr);
  const ManualClock clock(std::chrono::system_clock::from_time_t(::timegm(&tm)));

  auto aged = [&](const std::string& day) {
    return SqlValue(db_->OwnerUrl(),
                    "SELECT coalesce(sum(abs(amount) - abs(reconciled_amount)) FILTER (WHERE $1::date - booking_date "
                    "<= 30), 0)::numeric(18,2)::text FROM bank_movements WHERE status IN ('unreconciled', 'partial')",
                    {day});
  };
  const std::string utc_day = SqlValue(db_->OwnerUrl(), "SELECT ($1::date + 31)::text", {last});
  ASSERT_NE(aged(mexico_day), aged(utc_day)) << "the data must tell the two days apart";

  auto summary = WithPool<Result<std::string>>(db_->AppUrl(), [&](db::Pool& pool) -> db::Task<Result<std::string>> {
    const db::TenantScope scope = Scope();
    co_return co_await pool.InTransaction(scope,
                                          [&](db::Transaction& tx) { return Summary(tx, SummaryQuery{}, clock); });
  });
  ASSERT_TRUE(summary) << summary.error().message;
  const auto by_age = json::parse(*summary).at("unreconciled_by_age").as_object();
  EXPECT_EQ(by_age.at("0_30").as_string(), aged(mexico_day));
}

}  // namespace
}  // namespace vertice::reconciliation
