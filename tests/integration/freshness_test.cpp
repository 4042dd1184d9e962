// The unified view's freshness against a real PostgreSQL: incremental maintenance equals a
// from-scratch recomputation after a randomized concurrent workload; level-2 events by company
// threshold and their coalescing; on-demand refreshes that join or reuse; the schedule under a
// controllable clock; one leader among three schedulers and failover; readers never blocked;
// failed refreshes logged, harmless and recovered; health ages against the SLAs.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "db/pool.hpp"
#include "db/run_sync.hpp"
#include "freshness/jobs.hpp"
#include "freshness/refresh_service.hpp"
#include "freshness/scheduler.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/universal_check.hpp"
#include "verticals/jobs.hpp"
#include "verticals/registry.hpp"

namespace vertice::freshness {
namespace {

using testing::Sql;
using testing::SqlValue;

// A random mix of what writers do to every source of the view, `n` operations in one
// transaction: tickets (single and bulk), their edits and deletions, invoices issued and
// received, credit notes, cancellations and un-cancellations, invoices that cover a ticket's or a
// settlement's UUID, settlements, service billings.
constexpr const char* kWorkload = R"sql(
CREATE FUNCTION test_workload(p_ops integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c text; op integer; amt numeric; u text; pos bigint; con bigint; ctr bigint; tn text;
BEGIN
  FOR i IN 1..p_ops LOOP
    c := (ARRAY['fa', 'fb', 'fc'])[1 + floor(random() * 3)::int];
    SELECT tenant_id INTO tn FROM companies WHERE company_id = c;
    SELECT pos_id INTO pos FROM cpg_pos WHERE company_id = c LIMIT 1;
    SELECT consignment_id INTO con FROM cpg_consignments WHERE company_id = c LIMIT 1;
    SELECT contract_id INTO ctr FROM services_contracts WHERE company_id = c LIMIT 1;
    amt := round((random() * 30000)::numeric, 2) + 1;
    op := floor(random() * 14)::int;
    IF op = 0 THEN
      INSERT INTO cpg_sales (tenant_id, company_id, pos_id, ticket, sold_at, business_date, payment_method, subtotal, iva, total, cfdi_uuid)
      VALUES (tn, c, pos, 'T' || floor(random() * 1e12)::bigint, now(), current_date - floor(random() * 60)::int, 'cash', amt, 0, amt,
              CASE WHEN random() < 0.3 THEN (SELECT uuid FROM sat_invoices WHERE company_id = c ORDER BY random() LIMIT 1) END);
    ELSIF op = 1 THEN
      INSERT INTO cpg_sales (tenant_id, company_id, pos_id, ticket, sold_at, business_date, payment_method, subtotal, iva, total)
      SELECT tn, c, pos, 'B' || floor(random() * 1e12)::bigint || '-' || g, now(), current_date - g % 30, 'card', amt + g, 0, amt + g
      FROM generate_series(1, 40) g;
    ELSIF op = 2 THEN
      UPDATE cpg_sales SET subtotal = subtotal + 7, total = total + 7, business_date = business_date - 1
      WHERE sale_id IN (SELECT sale_id FROM cpg_sales WHERE company_id = c ORDER BY random() LIMIT 3);
    ELSIF op = 3 THEN
      DELETE FROM cpg_sales WHERE sale_id IN (SELECT sale_id FROM cpg_sales WHERE company_id = c ORDER BY random() LIMIT 2);
    ELSIF op = 4 THEN
      UPDATE cpg_sales SET cfdi_uuid = (SELECT uuid FROM sat_invoices WHERE company_id = c ORDER BY random() LIMIT 1)
      WHERE sale_id IN (SELECT sale_id FROM cpg_sales WHERE company_id = c ORDER BY random() LIMIT 1);
    ELSIF op IN (5, 6) THEN
      u := upper(gen_random_uuid()::text);
      INSERT INTO sat_invoices (tenant_id, company_id, uuid, sha256, version, fecha, tipo, direction, emisor_rfc, receptor_rfc,
                                counterparty_rfc, subtotal, total, moneda, total_mxn, status, xml)
      VALUES (tn, c, u, encode(sha256(u::bytea), 'hex'), '4.0', now() - random() * interval '60 days',
              CASE WHEN random() < 0.2 THEN 'E' ELSE 'I' END, CASE WHEN random() < 0.8 THEN 'issued' ELSE 'received' END,
              'AAA010101AAA', 'XAXX010101000', 'XAXX010101000', amt, amt, 'MXN', amt, 'vigente', '\x00'::bytea);
      -- Sometimes the invoice covers an existing ticket or settlement.
      IF random() < 0.5 THEN
        UPDATE sat_invoices SET uuid = (SELECT cfdi_uuid FROM cpg_sales s WHERE s.company_id = c AND s.cfdi_uuid IS NOT NULL
                                          AND NOT EXISTS (SELECT 1 FROM sat_invoices x WHERE x.company_id = c AND x.uuid = s.cfdi_uuid)
                                        LIMIT 1)
        WHERE company_id = c AND uuid = u
          AND EXISTS (SELECT 1 FROM cpg_sales s WHERE s.company_id = c AND s.cfdi_uuid IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM sat_invoices x WHERE x.company_id = c AND x.uuid = s.cfdi_uuid));
      END IF;
    ELSIF op = 7 THEN
      UPDATE sat_invoices SET status = 'cancelada', cancelled_at = now()
      WHERE invoice_id IN (SELECT invoice_id FROM sat_invoices WHERE company_id = c AND status = 'vigente' ORDER BY random() LIMIT 1);
    ELSIF op = 8 THEN
      UPDATE sat_invoices SET status = 'vigente', cancelled_at = NULL
      WHERE invoice_id IN (SELECT invoice_id FROM sat_invoices WHERE company_id = c AND status = 'cancelada' ORDER BY random() LIMIT 1);
    ELSIF op = 9 THEN
      UPDATE sat_invoices SET total_mxn = total_mxn + 1, fecha = fecha - interval '1 day'
      WHERE invoice_id IN (SELECT invoice_id FROM sat_invoices WHERE company_id = c ORDER BY random() LIMIT 2);
    ELSIF op = 10 THEN
      INSERT INTO cpg_consignment_settlements (tenant_id, company_id, consignment_id, amount, paid_on, method, cfdi_uuid)
      VALUES (tn, c, con, amt, current_date - floor(random() * 20)::int, 'transfer',
              CASE WHEN random() < 0.3 THEN (SELECT uuid FROM sat_invoices WHERE company_id = c ORDER BY random() LIMIT 1) END);
    ELSIF op = 11 THEN
      DELETE FROM cpg_consignment_settlements
      WHERE settlement_id IN (SELECT settlement_id FROM cpg_consignment_settlements WHERE company_id = c ORDER BY random() LIMIT 1);
    ELSIF op = 12 THEN
      INSERT INTO services_billings (tenant_id, company_id, contract_id, period, billed_on, amount)
      VALUES (tn, c, ctr, date_trunc('month', current_date - floor(random() * 4000)::int)::date, current_date, amt)
      ON CONFLICT DO NOTHING;
    ELSE
      DELETE FROM services_billings
      WHERE billing_id IN (SELECT billing_id FROM services_billings WHERE company_id = c ORDER BY random() LIMIT 1);
    END IF;
  END LOOP;
END $$;
)sql";

// For a differing ticket or settlement: the UUID it carries and the invoices with that UUID, whose
// being vigente and issued decides whether it is in the view.
constexpr const char* kDifferingFollowers = R"sql(
SELECT COALESCE(string_agg(format('%s %s cfdi_uuid=%s invoices=%s', d.source_table, d.source_id, d.cfdi_uuid,
                                  (SELECT string_agg(format('%s/%s/%s/xmin=%s', i.invoice_id, i.direction, i.status, i.xmin),
                                                     ',')
                                   FROM sat_invoices i WHERE i.company_id = d.company_id AND i.uuid = d.cfdi_uuid)),
                           E'\n' ORDER BY d.source_table, d.source_id), '')
FROM (SELECT 'cpg_sales' AS source_table, sale_id::text AS source_id, company_id, cfdi_uuid FROM cpg_sales
      UNION ALL
      SELECT 'cpg_consignment_settlements', settlement_id::text, company_id, cfdi_uuid FROM cpg_consignment_settlements) d
JOIN (SELECT COALESCE(e.source_table, a.source_table) AS source_table, COALESCE(e.source_id, a.source_id) AS source_id
      FROM universal_transactions_source e
      FULL JOIN universal_transactions_mv a ON a.source_table = e.source_table AND a.source_id = e.source_id
      WHERE e.source_id IS NULL OR a.source_id IS NULL OR row(e.*) IS DISTINCT FROM row(a.*)) x USING (source_table, source_id)
)sql";

// Rows and daily totals that differ from a from-scratch recomputation (both directions).
constexpr const char* kDifferences = testing::kUniversalDifferences;

template <typename R, typename Fn>
R WithPool(const std::string& url, Fn fn, size_t size = 6) {
  return db::RunSync<R>([&](boost::asio::any_io_executor ex) -> db::Task<R> {
    db::PoolOptions options;
    options.conninfo = url;
    options.max_size = size;
    options.prepared_statements = false;
    db::Pool pool(ex, options);
    co_return co_await fn(pool);
  });
}

class FreshnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VERTICE_REQUIRE_DATABASE();
    db_ = testing::TestDatabase::Create();
    owner_ = db_->OwnerUrl();
    Sql(owner_, "INSERT INTO tenants (tenant_id, name) VALUES ('t1', 'T1'), ('t2', 'T2')");
    Sql(owner_,
        "INSERT INTO companies (company_id, tenant_id, legal_name, rfc, settings) VALUES "
        "('fa', 't1', 'A', 'ADI920101AB3', '{}'), ('fb', 't1', 'B', 'GCO930215KX7', "
        "'{\"large_transaction_threshold\": \"50000.00\"}'), ('fc', 't2', 'C', 'ADI920101AB3', '{}')");
    for (const char* c : {"fa", "fb", "fc"}) {
      std::string company = c;
      std::string tenant = company == "fc" ? "t2" : "t1";
      Sql(owner_,
          "INSERT INTO cpg_pos (tenant_id, company_id, code, name, retailer_rfc) VALUES ($1, $2, 'P1', 'Tienda', "
          "'ADI920101AB3')",
          {tenant, company});
      Sql(owner_,
          "INSERT INTO cpg_consignments (tenant_id, company_id, pos_id, consigned_on, commission_rate, status) "
          "SELECT $1, $2, pos_id, current_date, 0.1, 'delivered' FROM cpg_pos WHERE company_id = $2",
          {tenant, company});
      Sql(owner_,
          "INSERT INTO services_contracts (tenant_id, company_id, client_name, client_rfc, monthly_fee, starts_on, "
          "billing_day, status) VALUES ($1, $2, 'Cliente', 'GCO930215KX7', 1000, '2020-01-01', 1, 'active')",
          {tenant, company});
    }
    Sql(owner_, kWorkload);
  }

  int64_t Count(const std::string& sql, const std::vector<std::string>& params = {}) {
    return std::stoll(SqlValue(owner_, sql, params));
  }
  void Sale(const std::string& company, const std::string& amount) {
    Sql(owner_,
        "INSERT INTO cpg_sales (tenant_id, company_id, pos_id, ticket, sold_at, business_date, payment_method, "
        "subtotal, iva, total) SELECT tenant_id, company_id, pos_id, 'S' || floor(random() * 1e12)::bigint, now(), "
        "current_date, 'cash', $2::numeric, 0, $2::numeric FROM cpg_pos WHERE company_id = $1",
        {company, amount});
  }
  RefreshOutcome Refresh(RefreshRequest r, RefreshOptions options = {}) {
    auto out = WithPool<Result<RefreshOutcome>>(owner_, [&](db::Pool& pool) -> db::Task<Result<RefreshOutcome>> {
      RefreshService service(pool, options);
      co_return co_await service.Refresh(r);
    });
    EXPECT_TRUE(out) << out.error().internal;
    return out ? *out : RefreshOutcome{};
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::string owner_;
};

TEST_F(FreshnessTest, IncrementalViewEqualsRecomputationAfterConcurrentRandomWorkload) {
  Sql(owner_, "SELECT test_workload(60)");
  // Four writers at once, each many transactions of several operations.
  std::atomic<int> committed{0}, aborted{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        try {
          Sql(owner_, "SELECT test_workload(5)");
          ++committed;
        } catch (const std::exception&) {
          ++aborted;  // a deadlock between writers is rolled back whole; nothing half-applied
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_GT(committed.load(), 120) << "aborted " << aborted.load();
  EXPECT_GT(Count("SELECT count(*) FROM universal_transactions_mv"), 500);
  EXPECT_EQ(Count(kDifferences), 0) << "rows that differ (view vs recomputation):\n"
                                    << SqlValue(owner_, testing::kUniversalDifferingRows) << "\n"
                                    << SqlValue(owner_, kDifferingFollowers);
  // Compaction merges deltas without changing a single total.
  Sql(owner_, "SELECT universal_compact()");
  EXPECT_EQ(Count(kDifferences), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT 1 FROM universal_daily_totals GROUP BY company_id, fecha, "
                  "transaction_type, vertical, source_table, status HAVING count(*) > 1) x"),
            0);
  // And a full verification finds nothing to repair.
  RefreshRequest full;
  full.level = Level::kScheduled;
  auto outcome = Refresh(full);
  EXPECT_EQ(outcome.status, "succeeded");
  EXPECT_EQ(outcome.rows_repaired, 0);
  EXPECT_EQ(outcome.totals_repaired, 0);
  EXPECT_EQ(outcome.rows_checked, Count("SELECT count(*) FROM universal_transactions_mv"));
}

// A single-row write re-derives its key through the view's indexes. (The trigger once passed
// TG_TABLE_NAME, a `name` with collation "C", which made every key comparison "C" and every
// write a sequential scan of the view and its sources: 600 ms per sale at 2,000,000 rows.)
TEST_F(FreshnessTest, ASingleRowWriteFindsItsKeysByIndexNotByScanningTheView) {
  Sql(owner_, "SELECT test_workload(20)");
  // Counted inside the writing transaction (pg_stat_xact_user_tables): the cumulative counters are
  // flushed by each backend on its own schedule, so another connection's scans could land between
  // two reads of pg_stat_user_tables and look like this write's.
  const std::string write_then_count = R"sql(
DO $$ DECLARE before bigint; after bigint; BEGIN
  PERFORM set_config('enable_seqscan', 'off', true);
  before := coalesce((SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'universal_transactions_mv'), 0);
  INSERT INTO cpg_sales (tenant_id, company_id, pos_id, ticket, sold_at, business_date, payment_method,
                         subtotal, iva, total)
  SELECT tenant_id, company_id, pos_id, %TICKET%, now(), current_date, 'cash', 10, 0, 10
  FROM cpg_pos WHERE company_id = 'fa' LIMIT 1;
  %EXTRA%
  after := coalesce((SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'universal_transactions_mv'), 0);
  IF after <> before THEN RAISE EXCEPTION 'the write scanned the view % time(s)', after - before; END IF;
END $$)sql";
  auto statement = [&](const std::string& ticket, const std::string& extra) {
    std::string sql = write_then_count;
    sql.replace(sql.find("%TICKET%"), 8, "'" + ticket + "'");
    sql.replace(sql.find("%EXTRA%"), 7, extra);
    return sql;
  };
  EXPECT_NO_THROW(Sql(owner_, statement("IDX-1", "")));
  EXPECT_EQ(Count("SELECT count(*) FROM universal_transactions_mv m JOIN cpg_sales s ON m.source_id = s.sale_id::text "
                  "AND m.source_table = 'cpg_sales' WHERE s.ticket = 'IDX-1'"),
            1);
  // The check itself sees a scan when there is one (no index can answer md5(source_id)).
  EXPECT_ANY_THROW(Sql(owner_, statement("IDX-2",
                                         "PERFORM set_config('enable_seqscan', 'on', true); "
                                         "PERFORM 1 FROM universal_transactions_mv WHERE md5(source_id) = '';")));
}

TEST_F(FreshnessTest, RefreshRepairsDriftOnlyForTheCompaniesItCoversAndLogsIt) {
  Sql(owner_, "SELECT test_workload(80)");
  for (int i = 0; i < 3; ++i) {
    Sale("fa", "120.00");
    Sale("fc", "80.00");
  }
  // Drift nobody's trigger saw: edits behind the view's back, in two companies.
  Sql(owner_, "ALTER TABLE cpg_sales DISABLE TRIGGER USER");
  Sql(owner_, "UPDATE cpg_sales SET total = total + 1, subtotal = subtotal + 1 WHERE company_id IN ('fa', 'fc')");
  Sql(owner_, "ALTER TABLE cpg_sales ENABLE TRIGGER USER");
  Sql(owner_,
      "INSERT INTO universal_daily_totals VALUES ('fa', 't1', current_date, 'pos_sale', 'cpg', 'cpg_sales', "
      "'completed', 99, 1)");
  // And a month's totals that disagree with its folded deltas (one that has none at all).
  Sql(owner_,
      "INSERT INTO universal_monthly_totals VALUES ('fa', 't1', date_trunc('month', current_date) - interval '2 "
      "years', "
      "'pos_sale', 'cpg', 'cpg_sales', 'completed', 12.34, 2)");
  // Tickets covered by a vigente invoice are not in the view; every other ticket drifted.
  const std::string in_view =
      "SELECT count(*) FROM universal_transactions_mv m JOIN cpg_sales s ON m.source_table = 'cpg_sales' "
      "AND m.source_id = s.sale_id::text WHERE s.company_id = $1";
  const auto fa_sales = Count(in_view, {"fa"});
  ASSERT_GT(fa_sales, 0);
  RefreshRequest one;
  one.company = "fa";
  auto outcome = Refresh(one);
  ASSERT_EQ(outcome.status, "succeeded");
  EXPECT_EQ(outcome.rows_repaired, fa_sales);
  EXPECT_GT(outcome.totals_repaired, 0);
  EXPECT_EQ(
      Count("SELECT count(*) FROM universal_monthly_totals WHERE company_id = 'fa' AND (total <> 0 OR count <> 0) "
            "AND month < date_trunc('month', current_date) - interval '1 year'"),
      0);
  EXPECT_EQ(Count(in_view + " AND m.monto_total <> s.total", {"fc"}), Count(in_view, {"fc"}))
      << "fc was not part of the refresh";
  auto log = Sql(owner_,
                 "SELECT level, companies::text, status, rows_repaired::text, requested_by FROM mv_refresh_log "
                 "WHERE refresh_id = $1",
                 {std::to_string(outcome.refresh_id)});
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0][0], "on_demand");
  EXPECT_EQ(log[0][1], "{fa}");
  EXPECT_EQ(log[0][2], "succeeded");
  EXPECT_EQ(log[0][3], std::to_string(fa_sales));
  RefreshRequest full;
  full.level = Level::kScheduled;
  EXPECT_GT(Refresh(full).rows_repaired, 0);
  EXPECT_EQ(Count(kDifferences), 0);
}

TEST_F(FreshnessTest, LargeTransactionsQueueEventsByTheCompanysThresholdAndOneRefreshServesThemAll) {
  Sale("fa", "9999.99");   // below the default 10,000.00
  Sale("fa", "10000.00");  // at it
  Sale("fb", "20000.00");  // fb's threshold is 50,000.00
  Sale("fb", "50000.00");
  auto pending = Sql(owner_,
                     "SELECT company_id, amount::text FROM mv_refresh_triggers WHERE processed_at IS NULL "
                     "ORDER BY company_id");
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0], (std::vector<std::string>{"fa", "10000.00"}));
  EXPECT_EQ(pending[1], (std::vector<std::string>{"fb", "50000.00"}));
  // An event is queued in the writer's transaction: a rolled-back sale leaves none.
  Sql(owner_,
      "DO $$ BEGIN INSERT INTO cpg_sales (tenant_id, company_id, pos_id, ticket, sold_at, business_date, "
      "payment_method, subtotal, iva, total) SELECT tenant_id, company_id, pos_id, 'RB', now(), current_date, "
      "'cash', 80000, 0, 80000 FROM cpg_pos WHERE company_id = 'fc'; RAISE EXCEPTION 'rollback'; "
      "EXCEPTION WHEN raise_exception THEN NULL; END $$");
  EXPECT_EQ(Count("SELECT count(*) FROM mv_refresh_triggers WHERE company_id = 'fc'"), 0);
  // Coalescing: 100 large transactions, one refresh.
  for (int i = 0; i < 100; ++i) Sale(i % 2 ? "fa" : "fc", "25000.00");
  EXPECT_EQ(Count("SELECT count(*) FROM mv_refresh_triggers WHERE processed_at IS NULL"), 102);
  auto served = WithPool<Result<RefreshOutcome>>(owner_, [](db::Pool& pool) -> db::Task<Result<RefreshOutcome>> {
    RefreshService service(pool, {});
    co_return co_await service.ServeEvents();
  });
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, "succeeded");
  EXPECT_EQ(served->level, "event");
  EXPECT_EQ(served->events_served, 102);
  EXPECT_EQ(Count("SELECT count(*) FROM mv_refresh_log"), 1);
  EXPECT_EQ(SqlValue(owner_, "SELECT companies::text FROM mv_refresh_log"), "{fa,fb,fc}");
  EXPECT_EQ(Count("SELECT count(DISTINCT refresh_id) FROM mv_refresh_triggers WHERE processed_at IS NOT NULL"), 1);
  // Nothing pending: the worker does not refresh for nothing.
  auto idle = WithPool<Result<RefreshOutcome>>(owner_, [](db::Pool& pool) -> db::Task<Result<RefreshOutcome>> {
    RefreshService service(pool, {});
    co_return co_await service.ServeEvents();
  });
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->status, "skipped");
  EXPECT_EQ(Count("SELECT count(*) FROM mv_refresh_log"), 1);
}

TEST_F(FreshnessTest, ConcurrentOnDemandRequestsShareOneRefreshAndAYoungOneIsReused) {
  Sql(owner_, "SELECT test_workload(50)");
  std::vector<RefreshOutcome> outcomes(5);
  WithPool<int>(owner_, [&](db::Pool& pool) -> db::Task<int> {
    RefreshService service(pool, {.reuse_age = std::chrono::seconds(60)});
    std::atomic<int> done{0};
    for (int i = 0; i < 5; ++i) {
      boost::asio::co_spawn(
          co_await boost::asio::this_coro::executor,
          [&, i]() -> db::Task<void> {
            RefreshRequest r;
            r.company = "fa";
            auto o = co_await service.Refresh(r);
            if (o) outcomes[static_cast<size_t>(i)] = *o;
            ++done;
          },
          boost::asio::detached);
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    for (int waited = 0; done < 5 && waited < 6000; ++waited) {  // at most a minute
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    co_return 0;
  });
  EXPECT_EQ(Count("SELECT count(*) FROM mv_refresh_log"), 1);
  int joined = 0;
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.status, "succeeded");
    EXPECT_EQ(o.refresh_id, outcomes[0].refresh_id);
    joined += o.joined ? 1 : 0;
  }
  EXPECT_EQ(joined, 4);
  // Without force a refresh younger than the reuse age answers; with force a new one runs.
  RefreshRequest lazy;
  lazy.company = "fa";
  lazy.force = false;
  auto reused = Refresh(lazy);
  EXPECT_TRUE(reused.reused);
  EXPECT_EQ(reused.refresh_id, outcomes[0].refresh_id);
  lazy.force = true;
  auto forced = Refresh(lazy);
  EXPECT_FALSE(forced.reused);
  EXPECT_NE(forced.refresh_id, outcomes[0].refresh_id);
  // A company's refresh is not reused for another company.
  RefreshRequest other;
  other.company = "fb";
  other.force = false;
  EXPECT_FALSE(Refresh(other).reused);
}

TEST_F(FreshnessTest, EachLevelFiresOnItsScheduleUnderAControllableClock) {
  // Start at 09:58 UTC on a known day; no full refresh has ever run, so the new leader runs one now.
  ManualClock clock(std::chrono::sys_days(std::chrono::year(2026) / 11 / 28) + std::chrono::hours(9) +
                    std::chrono::minutes(58));
  auto levels = [&] {
    return SqlValue(owner_, "SELECT coalesce(string_agg(level, ',' ORDER BY refresh_id), '') FROM mv_refresh_log");
  };
  WithPool<int>(owner_, [&](db::Pool& pool) -> db::Task<int> {
    RefreshService service(pool, {});
    auto jobs = RefreshJobs(service, pool, {});
    EXPECT_TRUE(jobs);
    Scheduler scheduler(pool, clock, {.holder = "test-a"}, std::move(*jobs));
    co_await scheduler.Tick();
    EXPECT_TRUE(scheduler.IsLeader());
    EXPECT_EQ(levels(), "scheduled") << "catch-up: the view had never been verified";
    // 09:59: nothing is due.
    clock.Advance(std::chrono::minutes(1));
    co_await scheduler.Tick();
    EXPECT_EQ(levels(), "scheduled");
    // 10:00: the hourly full refresh; the event worker finds nothing pending and logs nothing.
    clock.Advance(std::chrono::minutes(1));
    co_await scheduler.Tick();
    EXPECT_EQ(levels(), "scheduled,scheduled");
    // A large sale at 10:02; the worker serves it at 10:05, not before.
    Sale("fa", "15000.00");
    clock.Advance(std::chrono::minutes(2));
    co_await scheduler.Tick();
    EXPECT_EQ(levels(), "scheduled,scheduled");
    clock.Advance(std::chrono::minutes(3));
    co_await scheduler.Tick();
    EXPECT_EQ(levels(), "scheduled,scheduled,event");
    EXPECT_EQ(Count("SELECT count(*) FROM mv_refresh_triggers WHERE processed_at IS NULL"), 0);
    // 11:00: the next full refresh.
    clock.Advance(std::chrono::minutes(55));
    co_await scheduler.Tick();
    EXPECT_EQ(levels(), "scheduled,scheduled,event,scheduled");
    co_return 0;
  });
}

TEST_F(FreshnessTest, AVerticalsJobRunsOnTheLeaderAtItsCronForEachCompanyWithTheVertical) {
  Sql(owner_, "INSERT INTO company_verticals (tenant_id, company_id, vertical) VALUES ('t1', 'fa', 'services')");
  auto registry = verticals::Registry::Discover();
  ASSERT_TRUE(registry);
  ManualClock clock(std::chrono::sys_days(std::chrono::year(2026) / 11 / 28) + std::chrono::hours(10));
  auto billings = [&](const std::string& company) {
    return Count("SELECT count(*) FROM services_billings WHERE company_id = $1", {company});
  };
  WithPool<int>(owner_, [&](db::Pool& pool) -> db::Task<int> {
    verticals::JobRunner runner(pool, clock, *registry);
    std::vector<ScheduledJob> jobs;
    jobs.push_back({"services.monthly_billing", *CronExpression::Parse("15 * * * *"),
                    [&]() -> db::Task<Status> {
                      auto report = co_await runner.RunOnce("services", "services.monthly_billing");
                      if (!report) co_return std::unexpected(report.error());
                      EXPECT_EQ(report->companies, 1);
                      EXPECT_EQ(report->failed, 0);
                      co_return Status{};
                    },
                    nullptr});
    Scheduler scheduler(pool, clock, {.holder = "jobs"}, std::move(jobs));
    co_await scheduler.Tick();
    EXPECT_EQ(billings("fa"), 0) << "not before 10:15";
    clock.Advance(std::chrono::minutes(15));
    co_await scheduler.Tick();
    co_return 0;
  });
  EXPECT_GT(billings("fa"), 0);
  EXPECT_EQ(billings("fb"), 0) << "fb has a contract but not the vertical";
}

TEST_F(FreshnessTest, ExactlyOneLeaderAmongThreeAndAnotherTakesOverWhenItDies) {
  SystemClock clock;
  WithPool<int>(owner_, [&](db::Pool& pool) -> db::Task<int> {
    std::vector<std::unique_ptr<Scheduler>> instances;
    for (const char* name : {"i1", "i2", "i3"}) {
      instances.push_back(std::make_unique<Scheduler>(
          pool, clock, SchedulerOptions{.holder = name, .lease_ttl = std::chrono::seconds(2)},
          std::vector<ScheduledJob>{}));
    }
    for (int round = 0; round < 3; ++round)
      for (auto& s : instances) co_await s->RenewLease();
    int leaders = 0;
    size_t leader = 0;
    for (size_t i = 0; i < instances.size(); ++i) {
      if (instances[i]->IsLeader()) {
        ++leaders;
        leader = i;
      }
    }
    EXPECT_EQ(leaders, 1);
    // The leader dies (stops renewing). Until its lease expires nobody else takes over…
    co_await instances[(leader + 1) % 3]->RenewLease();
    EXPECT_FALSE(instances[(leader + 1) % 3]->IsLeader());
    // …then exactly one of the others does.
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(2200));
    co_await timer.async_wait(boost::asio::use_awaitable);
    for (size_t i = 0; i < instances.size(); ++i)
      if (i != leader) co_await instances[i]->RenewLease();
    int successors = 0;
    for (size_t i = 0; i < instances.size(); ++i)
      if (i != leader && instances[i]->IsLeader()) ++successors;
    EXPECT_EQ(successors, 1);
    // The old leader comes back and finds it has lost the lease.
    co_await instances[leader]->RenewLease();
    EXPECT_FALSE(instances[leader]->IsLeader());
    co_return 0;
  });
}

TEST_F(FreshnessTest, ReadersAreNotBlockedWhileARefreshIsRepairing) {
  Sql(owner_, "SELECT test_workload(100)");
  Sql(owner_, "ALTER TABLE cpg_sales DISABLE TRIGGER USER");
  Sql(owner_, "UPDATE cpg_sales SET total = total + 1, subtotal = subtotal + 1");
  Sql(owner_, "ALTER TABLE cpg_sales ENABLE TRIGGER USER");
  const std::string before = SqlValue(owner_, "SELECT sum(monto_total)::text FROM universal_transactions_mv");
  // A refresh that has repaired every drifted row and holds its transaction open.
  auto conn = PQconnectdb(owner_.c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK);
  auto exec = [&](const std::string& sql) {
    auto* r = PQexec(conn, sql.c_str());
    auto ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    std::string value = ok && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : PQresultErrorMessage(r);
    PQclear(r);
    return value;
  };
  auto id = exec("SELECT mv_refresh_begin('on_demand', 'test', 'test', NULL, 'test')");
  exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  EXPECT_NE(exec("SELECT rows_repaired FROM mv_refresh_run(" + id + ")"), "0");
  // Readers (with a 1 s statement timeout, which fails them if they wait) see the old rows.
  auto with_timeout = [](std::string url) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-c%20statement_timeout%3D1000";
  };
  EXPECT_EQ(SqlValue(with_timeout(owner_), "SELECT sum(monto_total)::text FROM universal_transactions_mv"), before);
  EXPECT_NO_THROW(SqlValue(with_timeout(db_->AppUrl()), "SELECT count(*) FROM universal_transactions"));
  EXPECT_NO_THROW(SqlValue(with_timeout(db_->AppUrl()), "SELECT count(*) FROM universal_revenue_monthly"));
  EXPECT_NO_THROW(SqlValue(with_timeout(owner_), "SELECT get_company_total_revenue('fa')"));
  // Writers of sources without repaired rows are not blocked either. (Writers of a source whose
  // rows are being repaired wait for the repair's key locks: that is what keeps it exact.)
  EXPECT_NO_THROW(Sql(with_timeout(owner_),
                      "INSERT INTO services_billings (tenant_id, company_id, contract_id, period, billed_on, amount) "
                      "SELECT tenant_id, company_id, contract_id, '1999-01-01', current_date, 10 FROM "
                      "services_contracts WHERE company_id = 'fb'"));
  EXPECT_EQ(exec("COMMIT"), "");
  PQfinish(conn);
  EXPECT_NE(SqlValue(owner_, "SELECT sum(monto_total)::text FROM universal_transactions_mv"), before);
  EXPECT_EQ(Count(kDifferences), 0);
}

TEST_F(FreshnessTest, AFailedRefreshChangesNothingIsLoggedShowsInHealthAndTheNextOneRecovers) {
  Sql(owner_, "SELECT test_workload(100)");
  Sql(owner_, "ALTER TABLE cpg_sales DISABLE TRIGGER USER");
  Sql(owner_, "UPDATE cpg_sales SET total = total + 1, subtotal = subtotal + 1");
  Sql(owner_, "ALTER TABLE cpg_sales ENABLE TRIGGER USER");
  const std::string before = SqlValue(owner_, "SELECT sum(monto_total)::text FROM universal_transactions_mv");
  RefreshRequest full;
  full.level = Level::kScheduled;
  auto failed = Refresh(full, {.statement_timeout = std::chrono::milliseconds(1)});
  EXPECT_EQ(failed.status, "failed");
  EXPECT_NE(failed.error.find("statement timeout"), std::string::npos) << failed.error;
  EXPECT_EQ(SqlValue(owner_, "SELECT sum(monto_total)::text FROM universal_transactions_mv"), before);
  auto log = Sql(owner_, "SELECT status, error IS NOT NULL, finished_at IS NOT NULL FROM mv_refresh_log");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], (std::vector<std::string>{"failed", "t", "t"}));
  auto health = Sql(owner_, "SELECT status, last_status, last_error FROM mv_health_check()");
  EXPECT_EQ(health[0][0], "critical") << "never verified";
  EXPECT_EQ(health[0][1], "failed");
  EXPECT_NE(health[0][2].find("statement timeout"), std::string::npos);
  auto next = Refresh(full);
  EXPECT_EQ(next.status, "succeeded");
  EXPECT_GT(next.rows_repaired, 0);
  EXPECT_EQ(Count(kDifferences), 0);
  EXPECT_EQ(SqlValue(owner_, "SELECT status FROM mv_health_check()"), "fresh");
}

TEST_F(FreshnessTest, ARefreshWhoseProcessDiedIsMarkedFailedByHousekeeping) {
  // A refresh logged as running whose session is gone (process killed, database restarted).
  auto id = SqlValue(owner_, "SELECT mv_refresh_begin('scheduled', 'test', 'test', NULL, 'dead')");
  Sql(owner_, "UPDATE mv_refresh_log SET started_at = clock_timestamp() - interval '2 minutes'");
  // One whose session is alive (it holds the refresh's lock) is left alone.
  auto alive = SqlValue(owner_, "SELECT mv_refresh_begin('scheduled', 'test', 'test', NULL, 'alive')");
  Sql(owner_, "UPDATE mv_refresh_log SET started_at = clock_timestamp() - interval '2 minutes' WHERE refresh_id = $1",
      {alive});
  auto conn = PQconnectdb(owner_.c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK);
  PQclear(PQexec(conn, ("BEGIN; SELECT pg_advisory_xact_lock(7203, " + alive + ")").c_str()));
  auto status = WithPool<Status>(owner_, [](db::Pool& pool) -> db::Task<Status> {
    RefreshService service(pool, {});
    co_return co_await service.Housekeeping();
  });
  ASSERT_TRUE(status) << status.error().internal;
  EXPECT_EQ(SqlValue(owner_, "SELECT status FROM mv_refresh_log WHERE refresh_id = $1", {id}), "failed");
  EXPECT_NE(SqlValue(owner_, "SELECT error FROM mv_refresh_log WHERE refresh_id = $1", {id}).find("abandoned"),
            std::string::npos);
  EXPECT_EQ(SqlValue(owner_, "SELECT status FROM mv_refresh_log WHERE refresh_id = $1", {alive}), "running");
  PQfinish(conn);
}

TEST_F(FreshnessTest, HealthTurnsStaleAndCriticalAtTheSlaAges) {
  Sql(owner_,
      "INSERT INTO mv_refresh_log (level, status, started_at, finished_at) VALUES "
      "('scheduled', 'succeeded', '2026-11-28 10:00:00+00', '2026-11-28 10:00:05+00')");
  auto at = [&](const std::string& t) {
    return SqlValue(owner_, "SELECT status FROM mv_health_check($1::timestamptz)", {t});
  };
  EXPECT_EQ(at("2026-11-28 10:59:00+00"), "fresh");
  EXPECT_EQ(at("2026-11-28 11:00:06+00"), "stale");
  EXPECT_EQ(at("2026-11-28 12:00:04+00"), "stale");
  EXPECT_EQ(at("2026-11-28 12:00:06+00"), "critical");
  // A large transaction waiting longer than the level-2 SLA makes a fresh view stale, then critical.
  Sql(owner_,
      "INSERT INTO mv_refresh_triggers (tenant_id, company_id, source_table, source_id, amount, change, "
      "created_at) VALUES ('t1', 'fa', 'cpg_sales', '1', 20000, 'upsert', '2026-11-28 10:10:00+00')");
  EXPECT_EQ(at("2026-11-28 10:19:00+00"), "fresh");
  EXPECT_EQ(at("2026-11-28 10:21:00+00"), "stale");
  EXPECT_EQ(at("2026-11-28 10:31:00+00"), "critical");
  EXPECT_EQ(SqlValue(owner_, "SELECT pending_events FROM mv_health_check('2026-11-28 10:21:00+00', 'fa')"), "1");
  EXPECT_EQ(SqlValue(owner_, "SELECT pending_events FROM mv_health_check('2026-11-28 10:21:00+00', 'fb')"), "0");
}

}  // namespace
}  // namespace vertice::freshness
