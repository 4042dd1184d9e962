#!/usr/bin/env bash
# Where PostgreSQL's time goes per request kind, on the shared harness's data (CMD of
# ../shared/peer/vertice-side/run_vertice.sh): restarts its cluster with pg_stat_statements and
# auto_explain (the server reconnects by itself), then per kind (first pages over 50 companies,
# keyset pages of acme, POST consignment, revenue for 364 days) runs the peer's bench.sh for a
# short burst and prints the statements by total execution time; then logs the plans (ANALYZE,
# BUFFERS, nested statements: triggers and functions included) of one request of each kind.
#   VERTICE_BIN=build/release/vertice ../shared/peer/vertice-side/run_vertice.sh 2000000 -- \
#     env SEED_DIR=$PWD/../shared/peer/seed-fastapi bench/side-by-side/pg-profile.sh > profile.txt
set -uo pipefail
SEED_DIR=${SEED_DIR:?set SEED_DIR to ../shared/peer/seed-fastapi}
VERTICE_DIR=${VERTICE_DIR:-/tmp/vertice-side}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PGDATA=$VERTICE_DIR/pgdata
BURST=${BURST:-8s}

cat >> "$PGDATA/postgresql.conf" <<'CONF'
shared_preload_libraries = 'pg_stat_statements,auto_explain'
pg_stat_statements.track = 'all'
auto_explain.log_min_duration = -1
auto_explain.log_analyze = on
auto_explain.log_buffers = on
auto_explain.log_nested_statements = on
CONF
su postgres -c "$PG_BIN/pg_ctl -D $PGDATA -l $VERTICE_DIR/pg.log -m fast -w restart" >/dev/null
psql -qX -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
for _ in $(seq 100); do curl -fs --max-time 2 -o /dev/null "$BASE_URL/readyz" && break; sleep 0.2; done

top() {  # the statements by total execution time since the last reset
  psql -qX -P pager=off -c "SELECT calls, round(total_exec_time::numeric, 1) AS total_ms,
      round(mean_exec_time::numeric, 3) AS mean_ms, rows, shared_blks_hit AS hit, shared_blks_read AS read,
      left(regexp_replace(query, '\s+', ' ', 'g'), 160) AS query
    FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
    ORDER BY total_exec_time DESC LIMIT 12"
}
burst() {  # NAME VAR=VALUE...: one short bench.sh run, then where PostgreSQL spent it
  local name=$1; shift
  psql -qXAt -c "SELECT pg_stat_statements_reset()" >/dev/null
  echo "## $name"
  env CONNS=8 DUR="$BURST" WARM=1s REFRESH_RUNS=0 "$@" "$SEED_DIR/bench.sh" | grep -v '^#'
  top
}
unset WRK_COMPANIES WRK_PAGES WRK_COMPANY_HEADER WRK_HEADERS WRK_COMPANY_FIELD ENDPOINTS
burst "first pages, 50 companies" ENDPOINTS=get_transactions WRK_PAGES=1
burst "keyset pages, acme" ENDPOINTS=get_transactions WRK_PAGES=3 WRK_COMPANIES=acme \
  WRK_COMPANY_HEADER=X-Bench-Cursor "WRK_HEADERS=X-Company-Id: acme" WRK_COMPANY_FIELD=next_after
burst "POST consignment, acme" ENDPOINTS=post_consignment WRK_COMPANIES=acme
burst "revenue 364 days" ENDPOINTS=get_revenue WRK_REPORT_PATH="$WRK_REPORT_PATH_PARTIAL"

echo "## plans of one request of each kind (auto_explain)"
mark=$(wc -l < "$VERTICE_DIR/pg.log")
psql -qX -d postgres -c "ALTER SYSTEM SET auto_explain.log_min_duration = 0" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
auth=(--max-time 10 -H "Authorization: Bearer $API_TOKEN")
curl -s -o /dev/null "${auth[@]}" -H "X-Company-Id: company-07" "$BASE_URL/api/v1/transactions?limit=50"
next=$(curl -s "${auth[@]}" -H "X-Company-Id: acme" "$BASE_URL/api/v1/transactions?limit=50" |
  sed -nE 's/.*"next_after":"([^"]+)".*/\1/p')
curl -s -o /dev/null "${auth[@]}" -H "X-Company-Id: acme" "$BASE_URL/api/v1/transactions?limit=50&after=$next"
curl -s -o /dev/null "${auth[@]}" -H "X-Company-Id: acme" -H 'Content-Type: application/json' \
  -d '{"pos_id":"1","folio":"PROFILE-1","consigned_on":"2025-06-15","lines":[{"sku":"SKU-00001","quantity":"2"},{"sku":"SKU-00002","quantity":"1"}]}' \
  "$BASE_URL/api/v1/verticals/cpg/consignment"
curl -s -o /dev/null "${auth[@]}" -H "X-Company-Id: acme" "$BASE_URL${WRK_REPORT_PATH_PARTIAL}"
sleep 1
psql -qX -d postgres -c "ALTER SYSTEM SET auto_explain.log_min_duration = -1" -c "SELECT pg_reload_conf()" >/dev/null
tail -n +"$((mark + 1))" "$VERTICE_DIR/pg.log"
