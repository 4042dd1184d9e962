// The shared library against a real PostgreSQL: tenant isolation of every DAL operation (the
// seed's case 3, stronger), optimistic concurrency, keyset pages, status machines with history,
// audit and concurrency, reports, and the decimal type checked against NUMERIC.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <random>

#include "db/run_sync.hpp"
#include "shared/dal.hpp"
#include "shared/decimal.hpp"
#include "shared/report.hpp"
#include "shared/state_machine.hpp"
#include "shared/validation.hpp"
#include "tests/support/test_database.hpp"

namespace vertice::shared {

using testing::SqlValue;

namespace {

const db::TenantScope kAcme{"demo", "acme", ""};
const db::TenantScope kGlobex{"demo", "globex", ""};

Dal Documents() {
  return Dal({"test_documents",
              "id",
              true,
              {{"title", ColumnType::kText, true, true},
               {"amount", ColumnType::kMoney},
               {"data", ColumnType::kJson},
               {"status", ColumnType::kText, false, true},
               {"created_at", ColumnType::kTimestamp, false}}});
}

// Settling needs an amount (read from the locked row).
db::Task<Status> NeedsAmount(db::Transaction&, const db::Rows& row) {
  if (row.Opt(0, "amount") == std::nullopt)
    co_return Fail(ErrorKind::kBusinessRule, "test.document.no_amount", "Sin importe.");
  co_return Status{};
}

StateMachine DocumentMachine() {
  return StateMachine({"test.document",
                       "test_documents",
                       "id",
                       "status",
                       {{"draft", "deliver", "delivered", {"owner", "cfo"}},
                        {"delivered", "settle", "settled", {"owner"}, NeedsAmount}}});
}

Actor SystemActor(const db::TenantScope& s) { return {"system", "test", s.tenant_id, s.company_id, "req-1"}; }

}  // namespace

class SharedLogicTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::DatabaseAvailable()) return;
    db_ = testing::TestDatabase::Create().release();
    testing::Sql(db_->OwnerUrl(), R"(
      CREATE TABLE test_documents (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id text NOT NULL, company_id text NOT NULL,
        title text NOT NULL DEFAULT '', amount numeric(18,2), data jsonb,
        status text NOT NULL DEFAULT 'draft', version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now()))");
    testing::Sql(db_->OwnerUrl(), "SELECT vertice_apply_company_rls('test_documents')");
  }
  static void TearDownTestSuite() { delete db_; }
  void SetUp() override {
    VERTICE_REQUIRE_DATABASE();
    testing::Sql(db_->OwnerUrl(), "TRUNCATE test_documents, status_history");
  }

  // Runs fn(tx) in one scoped transaction of a fresh pool as the server role.
  template <typename T, typename Fn>
  static T InTx(const db::TenantScope& scope, Fn fn) {
    return db::RunSync<T>([&](boost::asio::any_io_executor ex) -> db::Task<T> {
      db::Pool pool(ex, {.conninfo = db_->AppUrl(), .max_size = 2});
      co_return co_await pool.InTransaction(scope, fn);
    });
  }

  static std::string CreateDoc(const db::TenantScope& scope, const std::string& title, const std::string& amount) {
    auto dal = Documents();
    auto row = InTx<Result<boost::json::object>>(scope, [&](db::Transaction& tx) {
      return dal.Create(tx, {{"title", title}, {"amount", amount}, {"data", R"({"lines":[1,2]})"}});
    });
    EXPECT_TRUE(row) << row.error().internal;
    return std::string(row->at("id").as_string());
  }

  static inline testing::TestDatabase* db_ = nullptr;
};

TEST_F(SharedLogicTest, DalAddsTheCompanyAndReturnsTypedRows) {
  auto dal = Documents();
  auto row = InTx<Result<boost::json::object>>(kAcme, [&](db::Transaction& tx) {
    return dal.Create(tx, {{"title", "Remisión 1"}, {"amount", "1500.5"}, {"data", R"({"a":1})"}});
  });
  ASSERT_TRUE(row) << row.error().internal;
  EXPECT_EQ(row->at("amount").as_string(), "1500.50");  // money stays a string
  EXPECT_EQ(row->at("data").at("a").as_int64(), 1);
  EXPECT_EQ(row->at("version").as_int64(), 1);
  EXPECT_EQ(row->at("status").as_string(), "draft");
  EXPECT_TRUE(std::string(row->at("created_at").as_string()).ends_with("+00:00"));
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT company_id || '/' || tenant_id FROM test_documents"), "acme/demo");
}

TEST_F(SharedLogicTest, CallersCannotSetTheCompanyOrUndeclaredColumns) {
  auto dal = Documents();
  for (const char* column : {"company_id", "tenant_id", "version", "status", "secret; DROP TABLE users"}) {
    auto row = InTx<Result<boost::json::object>>(kAcme, [&](db::Transaction& tx) {
      return dal.Create(tx, {{"title", "x"}, {column, "globex"}});
    });
    ASSERT_FALSE(row) << column;
    EXPECT_EQ(row.error().code, "unknown_field") << column;
  }
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM test_documents"), "0");
  EXPECT_THROW(Dal({"test_documents", "id", true, {{"company_id"}}}), std::logic_error);
}

// The seed's case 3, stronger: with rows of two companies, no DAL operation of one company ever
// returns, updates or deletes a row of the other.
TEST_F(SharedLogicTest, EveryDalOperationStaysInsideItsCompany) {
  auto dal = Documents();
  for (int i = 0; i < 3; ++i) CreateDoc(kAcme, "acme " + std::to_string(i), "100.00");
  auto globex_id = CreateDoc(kGlobex, "globex secreto", "999.99");
  CreateDoc(kGlobex, "globex otro", "1.00");

  auto page = InTx<Result<Page>>(kAcme, [&](db::Transaction& tx) { return dal.List(tx, {.limit = 100}); });
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 3u);
  for (const auto& item : page->items) EXPECT_TRUE(std::string(item.at("title").as_string()).starts_with("acme"));

  auto filtered = InTx<Result<Page>>(kAcme, [&](db::Transaction& tx) {
    return dal.List(tx, {.limit = 100, .equals = {{"title", "globex secreto"}}});
  });
  ASSERT_TRUE(filtered);
  EXPECT_TRUE(filtered->items.empty());

  auto got = InTx<Result<boost::json::object>>(kAcme, [&](db::Transaction& tx) { return dal.Get(tx, globex_id); });
  EXPECT_EQ(got.error().kind, ErrorKind::kNotFound);
  auto updated = InTx<Result<boost::json::object>>(kAcme, [&](db::Transaction& tx) {
    return dal.Update(tx, globex_id, {{"title", "hacked"}}, 1);
  });
  EXPECT_EQ(updated.error().kind, ErrorKind::kNotFound);
  auto deleted = InTx<Status>(kAcme, [&](db::Transaction& tx) { return dal.Delete(tx, globex_id, std::nullopt); });
  EXPECT_EQ(deleted.error().kind, ErrorKind::kNotFound);
  auto sm = DocumentMachine();
  auto fired = InTx<Result<std::string>>(
      kAcme, [&](db::Transaction& tx) { return sm.Fire(tx, globex_id, "deliver", "owner", SystemActor(kAcme)); });
  EXPECT_EQ(fired.error().kind, ErrorKind::kNotFound);

  EXPECT_EQ(SqlValue(db_->OwnerUrl(),
                     "SELECT title || '/' || status || '/' || version FROM test_documents WHERE id = $1", {globex_id}),
            "globex secreto/draft/1");
  EXPECT_EQ(dal.GetSql(),
            "SELECT \"id\"::text AS \"id\", \"title\"::text AS \"title\", \"amount\"::text AS \"amount\", "
            "\"data\"::text AS \"data\", \"status\"::text AS \"status\", to_json(\"created_at\")#>>'{}' AS "
            "\"created_at\", \"version\" FROM \"test_documents\" WHERE tenant_id = $1 AND company_id = $2 "
            "AND \"id\" = $3");
}

TEST_F(SharedLogicTest, StaleUpdatesAreConflicts) {
  auto dal = Documents();
  auto id = CreateDoc(kAcme, "v1", "10.00");
  auto first = InTx<Result<boost::json::object>>(kAcme, [&](db::Transaction& tx) {
    return dal.Update(tx, id, {{"title", "v2"}, {"amount", "20.00"}}, 1);
  });
  ASSERT_TRUE(first);
  EXPECT_EQ(first->at("version").as_int64(), 2);
  auto stale = InTx<Result<boost::json::object>>(kAcme, [&](db::Transaction& tx) {
    return dal.Update(tx, id, {{"title", "lost update"}}, 1);
  });
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, "stale_version");
  EXPECT_EQ(stale.error().kind, ErrorKind::kConflict);
  auto bad_amount = InTx<Result<boost::json::object>>(kAcme, [&](db::Transaction& tx) {
    return dal.Update(tx, id, {{"amount", "1,000.00"}}, 2);
  });
  EXPECT_EQ(bad_amount.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT title || '/' || amount FROM test_documents WHERE id = $1", {id}),
            "v2/20.00");
  EXPECT_FALSE(InTx<Status>(kAcme, [&](db::Transaction& tx) { return dal.Delete(tx, id, 1); }));
  EXPECT_TRUE(InTx<Status>(kAcme, [&](db::Transaction& tx) { return dal.Delete(tx, id, 2); }));
}

TEST_F(SharedLogicTest, KeysetPagesAreStableAndComplete) {
  auto dal = Documents();
  for (int i = 0; i < 5; ++i) CreateDoc(kAcme, "doc " + std::to_string(i), "1.00");
  std::vector<std::string> seen;
  std::optional<std::string> after;
  int pages = 0;
  do {
    auto page =
        InTx<Result<Page>>(kAcme, [&](db::Transaction& tx) { return dal.List(tx, {.limit = 2, .after = after}); });
    ASSERT_TRUE(page);
    for (const auto& item : page->items) seen.emplace_back(item.at("title").as_string());
    after = page->next_after;
    ++pages;
  } while (after);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"doc 0", "doc 1", "doc 2", "doc 3", "doc 4"}));
  auto bad = InTx<Result<Page>>(kAcme, [&](db::Transaction& tx) { return dal.List(tx, {.limit = 0}); });
  EXPECT_EQ(bad.error().code, "invalid_limit");
}

TEST_F(SharedLogicTest, TransitionsWriteHistoryAndAuditInTheSameTransaction) {
  auto id = CreateDoc(kAcme, "consignación", "500.00");
  auto sm = DocumentMachine();
  auto to = InTx<Result<std::string>>(
      kAcme, [&](db::Transaction& tx) { return sm.Fire(tx, id, "deliver", "cfo", SystemActor(kAcme)); });
  ASSERT_TRUE(to) << to.error().message;
  EXPECT_EQ(*to, "delivered");
  EXPECT_EQ(
      SqlValue(db_->OwnerUrl(),
               "SELECT from_status || '>' || event || '>' || to_status FROM status_history WHERE entity_id = $1", {id}),
      "draft>deliver>delivered");
  EXPECT_EQ(
      SqlValue(db_->OwnerUrl(),
               "SELECT action || ' ' || before::text || ' ' || after::text FROM audit_log WHERE entity_id = $1", {id}),
      R"(test.document.deliver {"status": "draft"} {"status": "delivered"})");

  auto refused = InTx<Result<std::string>>(
      kAcme, [&](db::Transaction& tx) { return sm.Fire(tx, id, "settle", "cfo", SystemActor(kAcme)); });
  EXPECT_EQ(refused.error().code, "test.document.transition_not_allowed");
  auto invalid = InTx<Result<std::string>>(
      kAcme, [&](db::Transaction& tx) { return sm.Fire(tx, id, "deliver", "owner", SystemActor(kAcme)); });
  EXPECT_EQ(invalid.error().code, "test.document.invalid_transition");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM status_history WHERE entity_id = $1", {id}), "1");
}

TEST_F(SharedLogicTest, AFailingGuardChangesNothing) {
  auto id = CreateDoc(kAcme, "sin importe", "1.00");
  testing::Sql(db_->OwnerUrl(), "UPDATE test_documents SET amount = NULL, status = 'delivered' WHERE id = $1", {id});
  auto sm = DocumentMachine();
  auto r = InTx<Result<std::string>>(
      kAcme, [&](db::Transaction& tx) { return sm.Fire(tx, id, "settle", "owner", SystemActor(kAcme)); });
  EXPECT_EQ(r.error().code, "test.document.no_amount");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT status FROM test_documents WHERE id = $1", {id}), "delivered");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM status_history"), "0");
}

TEST_F(SharedLogicTest, TwoConcurrentTransitionsOnOneRowCannotBothSucceed) {
  auto id = CreateDoc(kAcme, "disputada", "100.00");
  auto sm = DocumentMachine();
  boost::asio::io_context ioc;
  db::Pool pool(ioc.get_executor(), {.conninfo = db_->AppUrl(), .max_size = 4});
  auto fire = [&](int delay_ms, int hold_ms) -> db::Task<Result<std::string>> {
    boost::asio::steady_timer t(ioc, std::chrono::milliseconds(delay_ms));
    co_await t.async_wait(boost::asio::use_awaitable);
    co_return co_await pool.InTransaction(kAcme, [&](db::Transaction& tx) -> db::Task<Result<std::string>> {
      auto r = co_await sm.Fire(tx, id, "deliver", "owner", SystemActor(kAcme));
      boost::asio::steady_timer hold(ioc, std::chrono::milliseconds(hold_ms));
      co_await hold.async_wait(boost::asio::use_awaitable);
      co_return r;
    });
  };
  auto a = boost::asio::co_spawn(ioc, fire(0, 400), boost::asio::use_future);
  auto b = boost::asio::co_spawn(ioc, fire(150, 0), boost::asio::use_future);
  ioc.run();
  auto ra = a.get(), rb = b.get();
  EXPECT_TRUE(ra) << ra.error().message;
  ASSERT_FALSE(rb);
  EXPECT_EQ(rb.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(rb.error().code, "concurrent_update");
  EXPECT_EQ(SqlValue(db_->OwnerUrl(), "SELECT count(*) FROM status_history WHERE entity_id = $1", {id}), "1");
}

TEST_F(SharedLogicTest, ReportsAggregateOnlyTheCallersCompany) {
  CreateDoc(kAcme, "a", "100.10");
  CreateDoc(kAcme, "b", "200.20");
  CreateDoc(kGlobex, "c", "1000000.00");
  ReportDefinition def{"test_documents",
                       "created_at",
                       {{"status", "status"}},
                       {{"total", "sum(amount)"}, {"count", "count(*)"}},
                       {{"status", "status"}}};
  def.WithDateBuckets();
  auto req = ParseReportQuery("group_by=status&measures=total,count&filter.status=draft");
  auto q = BuildReport(def, *req, kAcme);
  ASSERT_TRUE(q);
  auto rows = InTx<Result<db::Rows>>(kAcme, [&](db::Transaction& tx) { return tx.Query(q->sql, q->params); });
  ASSERT_TRUE(rows) << rows.error().internal;
  ASSERT_EQ(rows->Size(), 1);
  EXPECT_EQ(rows->Str(0, "total"), "300.30");
  EXPECT_EQ(rows->Str(0, "count"), "2");
}

TEST_F(SharedLogicTest, BusinessDatesAreMexicoCityDays) {
  auto date = [&](const std::string& ts) {
    return InTx<Result<std::string>>(kAcme, [&](db::Transaction& tx) { return BusinessDate(tx, ts); });
  };
  EXPECT_EQ(*date("2026-01-01T03:00:00Z"), "2025-12-31");  // 21:00 on New Year's Eve in CDMX
  EXPECT_EQ(*date("2026-01-01T06:00:00Z"), "2026-01-01");
  EXPECT_EQ(*date("2022-07-01T05:30:00Z"), "2022-07-01");  // daylight saving time still applied in 2022
  EXPECT_EQ(date("2026-01-01 03:00").error().code, "invalid_timestamp");
}

// Decimal arithmetic against PostgreSQL NUMERIC as the oracle: 1,000,000 random operations,
// fixed seed, zero mismatches.
TEST_F(SharedLogicTest, DecimalAgreesWithPostgresNumericOnAMillionOperations) {
  std::mt19937_64 rng(20261127);
  std::uniform_int_distribution<int64_t> money_units(-1'000'000'000'000LL, 1'000'000'000'000LL);
  std::uniform_int_distribution<int64_t> rate_units(-100'000'000LL, 100'000'000LL);
  std::uniform_int_distribution<int64_t> weight_units(0, 5'000'000LL);
  constexpr int kBatch = 20000;
  struct Op {
    const char* name;
    const char* sql;  // over unnest($1::numeric[], $2::numeric[], $3::numeric[]) AS t(a, b, c)
    int batches;
  };
  const Op ops[] = {
      {"add", "(a + round(b, 2))::text", 10},
      {"sub", "(a - round(b, 2))::text", 10},
      {"mul_round", "round(a * b, 2)::text", 10},
      {"div_round", "round(a / b, 2)::text", 10},
      {"convert", "round(a * b * c, 2)::text", 5},
      {"allocate", "(trunc(a * b / (b + c), 2))::text || ',' || (a - trunc(a * b / (b + c), 2))::text", 5},
  };
  long total = 0, mismatches = 0;
  std::string first_mismatch;
  auto status = db::RunSync<Status>([&](boost::asio::any_io_executor ex) -> db::Task<Status> {
    auto conn = co_await db::Connection::Connect(ex, db_->OwnerUrl(), std::chrono::seconds(5));
    if (!conn) co_return std::unexpected(conn.error());
    for (const auto& op : ops) {
      std::string name = op.name;
      for (int batch = 0; batch < op.batches; ++batch) {
        std::string as = "{", bs = "{", cs = "{";
        std::vector<std::string> expected;
        expected.reserve(kBatch);
        for (int i = 0; i < kBatch; ++i) {
          Money a = Money::FromUnits(money_units(rng));
          Rate b = Rate::FromUnits(rate_units(rng));
          Rate c = Rate::FromUnits(rate_units(rng));
          std::string got;
          if (name == "add" || name == "sub") {
            Money bm = Money::FromUnits(money_units(rng));
            got = (name == "add" ? a.Add(bm) : a.Sub(bm))->ToString();
            b = *bm.Rescale<6>(Rounding::kHalfUp);
          } else if (name == "mul_round") {
            got = a.Mul(b, Rounding::kHalfUp)->ToString();
          } else if (name == "div_round") {
            if (b.IsZero()) b = Rate::FromUnits(1);
            got = a.Div(b, Rounding::kHalfUp)->ToString();
          } else if (name == "convert") {
            a = Money::FromUnits(a.Units() / 1000);
            b = Rate::FromUnits(b.Units() / 100);
            got = a.Mul(b, c, Rounding::kHalfUp)->ToString();
          } else {
            b = Rate::FromUnits(weight_units(rng) + 1);
            c = Rate::FromUnits(weight_units(rng));
            auto parts = *Allocate(a, {b, c});
            got = parts[0].ToString() + "," + parts[1].ToString();
          }
          expected.push_back(got);
          if (i) {
            as += ',';
            bs += ',';
            cs += ',';
          }
          as += a.ToString();
          bs += b.ToString();
          cs += c.ToString();
        }
        auto rows = co_await (*conn)->Execute(std::string("SELECT ") + op.sql +
                                                  " AS v FROM unnest($1::numeric[], $2::numeric[], $3::numeric[]) WITH "
                                                  "ORDINALITY AS t(a, b, c, n) ORDER BY n",
                                              db::P(as + "}", bs + "}", cs + "}"));
        if (!rows) co_return std::unexpected(rows.error());
        for (int i = 0; i < rows->Size(); ++i) {
          ++total;
          std::string oracle(rows->Get(i, 0));
          const auto& mine = expected[static_cast<size_t>(i)];
          bool same = oracle == mine;
          if (!same && name == "allocate") {
            // The oracle gives each part's truncated exact share; largest remainder may add the one
            // leftover cent to either part, and the parts must still sum to the total exactly.
            auto split = [](const std::string& s) {
              auto comma = s.find(',');
              return std::pair{Money::Parse(s.substr(0, comma))->Units(), Money::Parse(s.substr(comma + 1))->Units()};
            };
            auto [o1, o2] = split(oracle);
            auto [m1, m2] = split(mine);
            auto d1 = m1 - o1;
            same = m1 + m2 == o1 + o2 && (d1 == 0 || d1 == 1 || d1 == -1);
          }
          if (!same) {
            if (mismatches++ == 0) first_mismatch = name + ": postgres " + oracle + " vs " + mine;
          }
        }
      }
    }
    co_return Status{};
  });
  ASSERT_TRUE(status) << status.error().internal;
  EXPECT_GE(total, 1'000'000);
  EXPECT_EQ(mismatches, 0) << first_mismatch;
}

}  // namespace vertice::shared
