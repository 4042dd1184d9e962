#!/usr/bin/env bash
# The deploy rehearsal: deploy/deploy.sh on the `local` target, rooted in a temp dir, against a
# throwaway PostgreSQL 15 cluster archived by pgBackRest (as the postgres user).
#
#   tests/ops/deploy/rehearsal.sh VERTICE FIXTURE_GOOD FIXTURE_BAD FIXTURE_IRREVERSIBLE
#
# Release 1.0.0 (the product's binary) is deployed, a company gets two POS sales through the API,
# then, checking each time that the old or new version serves and that the rows written before
# are intact (checksums):
#   (b) 2.0.0-bad: its first migration applies, its second fails → rolled back (migrations down), 1.0.0 serves
#   (c) 2.0.0-unready: migrates, then its server never becomes ready → rolled back (migrations down)
#   (a) 2.0.0: a reversible migration, deploys and serves
#   (d) 3.0.0: an irreversible migration, then its server exits → rolled back by point-in-time
#       restore to the deploy's restore point, 2.0.0 serves with its data as before
# (c) and (d) are the good and irreversible fixtures packaged with a wrapper as /usr/bin/vertice: it
# runs the real binary for every command but `serve`, which (c) never lets become ready (it sleeps)
# and (d) fails at once — the deadline path and the dead-process path of the health check.
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: $0 VERTICE FIXTURE_GOOD FIXTURE_BAD FIXTURE_IRREVERSIBLE" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
bin_r1="$1" bin_good="$2" bin_bad="$3" bin_irreversible="$4"
for b in "$@"; do [ -x "$b" ] || { echo "rehearsal: $b is not built" >&2; exit 1; }; done
# shellcheck source=scripts/lib/pg.sh
. "$repo/scripts/lib/pg.sh"
t_start=$SECONDS

tmp="$(mktemp -d /tmp/deploy-rehearsal.XXXXXX)"
chmod 755 "$tmp"
root="$tmp/root"
data="$tmp/pg"
mkdir -p "$root" "$tmp/repo" "$tmp/pgbr" "$tmp/pkgs"
cleanup() {
  if [ -f "$root/vertice.pid" ]; then kill -KILL "$(cat "$root/vertice.pid")" 2>/dev/null || true; fi
  pg_stop "$data"
  if [ "${KEEP_REHEARSAL:-0}" = 1 ]; then echo "rehearsal: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

fails=0
check() { # DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1" >&2; fails=$((fails + 1)); fi
}
is() { [ "$1" = "$2" ]; }           # is GOT WANT
has() { grep -q -- "$2" <<<"$1"; }  # has TEXT NEEDLE

pg_port=$(pg_pick_port 27700)
http_port=$(pg_pick_port 27750)

# ---- the cluster, archived by pgBackRest -------------------------------------------------------
stanza=rehearsal
cat >"$tmp/pgbackrest.conf" <<CONF
[global]
repo1-path=$tmp/repo
lock-path=$tmp/pgbr
log-path=$tmp/pgbr
log-level-file=off
log-level-console=warn
compress-type=none
repo1-retention-full=2
start-fast=y
archive-timeout=30

[$stanza]
pg1-path=$data
pg1-port=$pg_port
pg1-socket-path=$tmp/run
CONF
[ "$(id -u)" -ne 0 ] || chown -R postgres:postgres "$tmp/repo" "$tmp/pgbr"
chmod 644 "$tmp/pgbackrest.conf"
pg_init "$data" trust
cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$tmp/run'
fsync = off
max_connections = 100
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$tmp/pgbackrest.conf --stanza=$stanza archive-push %p'
CONF
mkdir -p "$tmp/run"
touch "$tmp/postgres.log"
[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$tmp/run" "$tmp/postgres.log"
pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$tmp/postgres.log" -w -t 60 start >/dev/null ||
  { echo "rehearsal: PostgreSQL did not start; the end of its log:" >&2; tail -n 20 "$tmp/postgres.log" >&2; exit 1; }
pgbr() { pg_as_owner pgbackrest --config="$tmp/pgbackrest.conf" --stanza=$stanza "$@"; }
pgbr stanza-create
pgbr --type=full backup
sql() { pg_psql "$tmp/run" "$pg_port" vertice -At -c "$1"; }
pg_psql "$tmp/run" "$pg_port" postgres <<SQL
CREATE ROLE vertice_owner LOGIN;
CREATE ROLE vertice_app LOGIN;
CREATE DATABASE vertice OWNER vertice_owner;
SQL
echo "rehearsal: cluster and full backup ready ($((SECONDS - t_start)) s)"

# ---- the local target ---------------------------------------------------------------------------
cat >"$root/local.env" <<ENV
DATABASE_URL=postgresql://vertice_app@127.0.0.1:$pg_port/vertice
VERTICE_ADMIN_DATABASE_URL=postgresql://vertice_owner@127.0.0.1:$pg_port/vertice
VERTICE_LISTEN=127.0.0.1:$http_port
PG_DATA=$data
PG_SOCKET=$tmp/run
PG_PORT=$pg_port
PG_LOG=$tmp/postgres.log
PGBACKREST_CONFIG=$tmp/pgbackrest.conf
PGBACKREST_STANZA=$stanza
SMOKE_PASSWORD=smoke-password-1
DEPLOY_DEADLINE=25
ENV
export VERTICE_DEPLOY_ROOT="$root"

# package VERSION BINARY [serve-behaviour]: a stand-in vertice_<version>_amd64.deb (the layout of
# scripts/package: /usr/bin/vertice, /usr/share/vertice/web, /etc/vertice/vertice.toml). With a
# behaviour (sleep|exit), /usr/bin/vertice is the wrapper described above.
package() {
  local version="$1" binary="$2" serve="${3:-}" p="$tmp/pkgs/$1"
  mkdir -p "$p/DEBIAN" "$p/usr/bin" "$p/usr/share/vertice/web" "$p/etc/vertice"
  printf 'Package: vertice\nVersion: %s\nArchitecture: amd64\nMaintainer: Vertice <ops@vertice.invalid>\nDescription: rehearsal stand-in\n' \
    "$version" >"$p/DEBIAN/control"
  echo '<!doctype html><title>Vértice</title>' >"$p/usr/share/vertice/web/index.html"
  echo '# rehearsal' >"$p/etc/vertice/vertice.toml"
  if [ -z "$serve" ]; then
    cp "$binary" "$p/usr/bin/vertice"
  else
    mkdir -p "$p/usr/lib/vertice"
    cp "$binary" "$p/usr/lib/vertice/vertice"
    local on_serve='exec sleep 600'
    [ "$serve" = exit ] && on_serve='echo "fixture: this release cannot serve" >&2; exit 1'
    cat >"$p/usr/bin/vertice" <<SH
#!/bin/sh
# Rehearsal fixture: a release whose server cannot become ready; every other command is the real one.
if [ "\$1" = serve ]; then $on_serve; fi
exec "\$(dirname "\$0")/../lib/vertice/vertice" "\$@"
SH
    chmod 755 "$p/usr/bin/vertice"
  fi
  dpkg-deb -Znone --root-owner-group -b "$p" "$tmp/pkgs/vertice_${version}_amd64.deb" >/dev/null
  rm -rf "$p"
  echo "$tmp/pkgs/vertice_${version}_amd64.deb"
}

deploy() { # PACKAGE → the exit status in $rc, the output in $tmp/out
  rc=0
  "$repo/deploy/deploy.sh" local --package "$1" --skip-tests --allow-dirty --skip-commit-check >"$tmp/out" 2>&1 || rc=$?
  cat "$tmp/out"
}
last() { tail -1 "$root/deploys.jsonl" | jq -r "$1"; }
ready() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$http_port/readyz"; }
smoke() {
  BASE_URL="http://127.0.0.1:$http_port" SMOKE_EMAIL="$1" SMOKE_PASSWORD=smoke-password-1 SMOKE_COMPANY="$2" \
    "$repo/deploy/smoke.sh" "${@:3}" >>"$tmp/smoke.log" 2>&1
}
# The rows written before the deploys: the rehearsal company's sales, lines, products and points of sale.
checksum() {
  sql "SELECT md5(string_agg(r, '|' ORDER BY r)) FROM (
         SELECT s::text AS r FROM cpg_sales s WHERE company_id = 'rehearsal'
         UNION ALL SELECT l::text FROM cpg_sale_lines l JOIN cpg_sales s USING (sale_id) WHERE s.company_id = 'rehearsal'
         UNION ALL SELECT p::text FROM cpg_products p WHERE company_id = 'rehearsal'
         UNION ALL SELECT p::text FROM cpg_pos p WHERE company_id = 'rehearsal') x"
}
fixture_version() { sql "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE component = 'deploy_fixture'"; }

# ---- release 1, the smoke company, rows written ----------------------------------------------------
deploy "$(package 1.0.0 "$bin_r1")"
check "release 1.0.0 deploys (first install)" is "$rc" 0
check "1.0.0 is current" is "$(readlink "$root/current")" releases/1.0.0
"$repo/deploy/deploy.sh" local --setup >>"$tmp/smoke.log" 2>&1
check "the smoke company is set up and its smoke passes" smoke smoke@deploy.invalid smoke
# The company whose rows must survive every deploy: an owner, a product, a point of sale, two sales.
# shellcheck disable=SC1091
cli() { (set -a && . "$root/local.env" && "$root/current/usr/bin/vertice" "$@"); }
cli company create --tenant smoke --id rehearsal --name "Rehearsal SA de CV" --rfc REH010101AB1 >/dev/null
echo secret-rehearsal-1 | cli user create --email owner@rehearsal.invalid --company rehearsal --role owner \
  --password-stdin >/dev/null
BASE_URL="http://127.0.0.1:$http_port" SMOKE_EMAIL=owner@rehearsal.invalid SMOKE_PASSWORD=secret-rehearsal-1 \
  SMOKE_COMPANY=rehearsal "$repo/deploy/smoke.sh" setup >>"$tmp/smoke.log" 2>&1
for _ in 1 2; do
  BASE_URL="http://127.0.0.1:$http_port" SMOKE_EMAIL=owner@rehearsal.invalid SMOKE_PASSWORD=secret-rehearsal-1 \
    SMOKE_COMPANY=rehearsal "$repo/deploy/smoke.sh" >>"$tmp/smoke.log" 2>&1
done
# The nightly backup (scripts/backup's timer in production). Without a backup taken after the schema
# exists, a point-in-time restore replays the creation of the unlogged sequence of
# universal_changes, and PostgreSQL 15.18 leaves it unreadable ("bad magic number") — the smoke
# test's POS sale fails after such a restore: see docs/deploy.md, "Rollback rules".
pgbr --type=incr backup
before="$(checksum)"
check "two sales written before the deploys" is "$(sql "SELECT count(*) FROM cpg_sales WHERE company_id = 'rehearsal'")" 2
echo "rehearsal: release 1 serving with data ($((SECONDS - t_start)) s)"

# ---- (b) a release whose migration fails ---------------------------------------------------------
deploy "$(package 2.0.0-bad "$bin_bad")"
check "(b) the deploy exits non-zero" is "$rc" 1
check "(b) recorded rolled_back" is "$(last .outcome)" rolled_back
check "(b) the reason is the migration" has "$(last .reason)" "migrate"
check "(b) the applied first migration was rolled back" has "$(last '.steps[] | select(.name == "rollback_migrations_down") | .detail')" "deploy_fixture→0"
check "(b) no fixture migration remains" is "$(fixture_version)" 0
check "(b) 1.0.0 is current again" is "$(readlink "$root/current")" releases/1.0.0
check "(b) 1.0.0 is ready" is "$(ready)" 200
check "(b) 1.0.0 passes the smoke" smoke smoke@deploy.invalid smoke
check "(b) the rows written before are intact" is "$(checksum)" "$before"

# ---- (c) a release whose health check fails after migrating -------------------------------------
deploy "$(package 2.0.0-unready "$bin_good" sleep)"
check "(c) the deploy exits non-zero" is "$rc" 1
check "(c) recorded rolled_back" is "$(last .outcome)" rolled_back
check "(c) the reason is the health check" has "$(last .reason)" "check:"
check "(c) it had migrated" is "$(last '.steps[] | select(.name == "migrate") | .status')" ok
check "(c) migrations went down, no restore" is "$(last '[.steps[].name] | index("rollback_restore")')" null
check "(c) no fixture migration remains" is "$(fixture_version)" 0
check "(c) 1.0.0 is current again and ready" is "$(readlink "$root/current") $(ready)" "releases/1.0.0 200"
check "(c) 1.0.0 passes the smoke" smoke smoke@deploy.invalid smoke
check "(c) the rows written before are intact" is "$(checksum)" "$before"

# ---- (a) a good release ---------------------------------------------------------------------------
deploy "$(package 2.0.0 "$bin_good")"
check "(a) the deploy succeeds" is "$rc" 0
check "(a) recorded deployed 1.0.0 → 2.0.0" is "$(last '"\(.outcome) \(.from) \(.to)"')" "deployed 1.0.0 2.0.0"
check "(a) its migration is applied" is "$(fixture_version)" 1
check "(a) 2.0.0 is current and ready" is "$(readlink "$root/current") $(ready)" "releases/2.0.0 200"
check "(a) 2.0.0 passes the smoke" smoke smoke@deploy.invalid smoke
check "(a) the rows written before are intact" is "$(checksum)" "$before"

# ---- (d) an irreversible migration, then a failed start: point-in-time restore ---------------------
notes_before="$(sql "SELECT string_agg(note || created_at, ',') FROM deploy_fixture_notes")"
deploy "$(package 3.0.0 "$bin_irreversible" exit)"
check "(d) the deploy exits non-zero" is "$rc" 1
check "(d) recorded rolled_back" is "$(last .outcome)" rolled_back
check "(d) migrations down was refused" is "$(last '.steps[] | select(.name == "rollback_migrations_down") | .status')" failed
check "(d) restored to the restore point" is "$(last '.steps[] | select(.name == "rollback_restore") | .status')" ok
check "(d) the restore point is named in the record" has "$(last .restore_point)" "^deploy-"
check "(d) 2.0.0 is current again and ready" is "$(readlink "$root/current") $(ready)" "releases/2.0.0 200"
check "(d) the irreversible migration is undone" is "$(fixture_version)" 1
check "(d) the data it deleted is back" is "$(sql "SELECT string_agg(note || created_at, ',') FROM deploy_fixture_notes")" "$notes_before"
check "(d) 2.0.0 passes the smoke" smoke smoke@deploy.invalid smoke
check "(d) the rows written before are intact" is "$(checksum)" "$before"

# ---- the record ----------------------------------------------------------------------------------
check "five deploys recorded" is "$(jq -r .outcome "$root/deploys.jsonl" | paste -sd ' ')" \
  "deployed rolled_back rolled_back deployed rolled_back"
check "every step has a duration" is "$(jq -s '[.[].steps[] | select(.seconds | type != "number")] | length' "$root/deploys.jsonl")" 0
check "every record names who and when" is "$(jq -s '[.[] | select(.who == "" or .started_at == "")] | length' "$root/deploys.jsonl")" 0

echo "rehearsal: done in $((SECONDS - t_start)) s, $fails failure(s)"
if [ "$fails" -gt 0 ]; then
  echo "--- server log (tail)"; tail -30 "$root/logs/server.log" || true
  echo "--- smoke log (tail)"; tail -30 "$tmp/smoke.log" || true
  exit 1
fi
