#!/usr/bin/env bash
# Deploys a packaged Vértice release to a target and rolls itself back when it fails.
#
#   deploy/deploy.sh TARGET [--package FILE | --version V] [options]
#   deploy/deploy.sh TARGET --setup          create the smoke company and user (once per target)
#
# TARGET is deploy/targets/TARGET (or a path to a target file): sourced bash that sets variables
# and defines the hooks listed in deploy/targets/README.md.
#
# Steps (each logged with its duration; docs/deploy.md explains them):
#   1 preflight  clean git tree, a tag or an explicit version, the package of that version built from
#                HEAD, the critical suites green (scripts/test -L LABELS)
#   2 backup     pgBackRest: an incremental backup when the target asks, and a named restore point
#                deploy-<id> (archived before going on); the migration versions before
#   3 migrate    `migrate up` + `migrate verify` with the NEW binary
#   4 switch     stop old, start new, /readyz 200 and deploy/smoke.sh within the deadline
#   on a failure after step 2: rollback — migrations down to the recorded versions when every one
#   applied since can be rolled back, else point-in-time restore to deploy-<id>; the previous release
#   started again, /readyz + smoke of it. The record in <root>/deploys.jsonl says rolled_back.
#
# Options:
#   --package FILE        the .deb (default: $DEPLOY_PACKAGE_DIR/vertice_<version>_*.deb)
#   --version V           the version (default: the tag at HEAD, v-prefix dropped)
#   --tests LABELS        ctest labels (regex) of the critical suites (default: the target's)
#   --skip-tests          skip the suites (rehearsals; recorded as waived)
#   --allow-dirty         deploy from a tree with uncommitted changes (recorded as waived)
#   --skip-commit-check   do not require the package's binary to name HEAD (recorded as waived)
#   --source DIR          the git checkout the release comes from (default: this one)
#   --deadline SECONDS    for /readyz + smoke after a start (default: the target's, else 60)
#
# Exit status: 0 deployed; 1 refused or failed before anything changed, or rolled back; 2 the
# rollback itself failed (the record says rollback_failed: see docs/runbooks).
# shellcheck disable=SC2317  # the steps' functions run through step()
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage() { sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 1 ] || usage
target_arg="$1"
shift
package="" version="" labels="" skip_tests=0 allow_dirty=0 skip_commit=0 setup=0 deadline=""
source_dir="$(cd "$here/.." && pwd)"
while [ $# -gt 0 ]; do
  case "$1" in
    --package) package="$(realpath "$2")"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --tests) labels="$2"; shift 2 ;;
    --skip-tests) skip_tests=1; shift ;;
    --allow-dirty) allow_dirty=1; shift ;;
    --skip-commit-check) skip_commit=1; shift ;;
    --source) source_dir="$(cd "$2" && pwd)"; shift 2 ;;
    --deadline) deadline="$2"; shift 2 ;;
    --setup) setup=1; shift ;;
    -h | --help) usage ;;
    *) echo "deploy: unknown option $1" >&2; usage ;;
  esac
done

case "$target_arg" in
  */*) target_file="$target_arg" ;;
  *) target_file="$here/targets/$target_arg" ;;
esac
[ -f "$target_file" ] || { echo "deploy: no target file $target_file" >&2; exit 2; }
target_name="$(basename "$target_file")"

# Defaults a target may override before or after sourcing.
DEPLOY_TEST_LABELS="unit|integration"
DEPLOY_DEADLINE=60
DEPLOY_BACKUP=restore-point  # restore-point | incremental (an incremental backup, then the point)
DEPLOY_KEEP_RELEASES=5
PGBACKREST_STANZA=""
SMOKE_COMPANY=smoke
SMOKE_EMAIL=smoke@deploy.invalid
# shellcheck source=deploy/targets/local
. "$target_file"
: "${DEPLOY_ROOT:?the target must set DEPLOY_ROOT}" "${BASE_URL:?the target must set BASE_URL}"
HEALTH_URL="${HEALTH_URL:-$BASE_URL/readyz}"
SMOKE_PASSWORD="${SMOKE_PASSWORD:-}"
DEPLOY_PACKAGE_DIR="${DEPLOY_PACKAGE_DIR:-$source_dir/dist}"
labels="${labels:-$DEPLOY_TEST_LABELS}"
deadline="${deadline:-$DEPLOY_DEADLINE}"
for hook in current_version install_release vertice_run start stop running db_sql; do
  declare -F "$hook" >/dev/null || { echo "deploy: target $target_name does not define $hook()" >&2; exit 2; }
done

mkdir -p "$DEPLOY_ROOT/logs"
records="$DEPLOY_ROOT/deploys.jsonl"

if [ "$setup" -eq 1 ]; then
  declare -F setup_smoke >/dev/null || { echo "deploy: target $target_name has no setup_smoke()" >&2; exit 2; }
  setup_smoke
  BASE_URL="$BASE_URL" SMOKE_EMAIL="$SMOKE_EMAIL" SMOKE_PASSWORD="$SMOKE_PASSWORD" SMOKE_COMPANY="$SMOKE_COMPANY" \
    "$here/smoke.sh" setup
  exit 0
fi

# One deploy at a time per root.
exec 9>"$DEPLOY_ROOT/deploy.lock"
flock -n 9 || { echo "deploy: another deploy holds $DEPLOY_ROOT/deploy.lock" >&2; exit 1; }

id="$(date -u +%Y%m%dT%H%M%SZ)-$$"
log="$DEPLOY_ROOT/logs/deploy-$id.log"
work="$(mktemp -d "${TMPDIR:-/tmp}/vertice-deploy.XXXXXX")"
recorded=0
# A deploy.sh that stops unexpectedly (a bug, a signal) still leaves its line, saying so.
on_exit() {
  local rc=$?
  [ "$recorded" -eq 1 ] || record aborted "deploy.sh stopped unexpectedly (exit $rc) during the last step logged"
  rm -rf "$work"
}
trap on_exit EXIT
trap 'exit 130' INT TERM
steps_file="$work/steps.jsonl"
: >"$steps_file"
waived=()
[ "$skip_tests" -eq 1 ] && waived+=(tests)
[ "$allow_dirty" -eq 1 ] && waived+=(clean_tree)
[ "$skip_commit" -eq 1 ] && waived+=(package_commit)
who="${SUDO_USER:-$(id -un)}"
started_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
from_version=""
restore_point=""
migrations_before="{}"

say() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$log" >&2; }

# step NAME COMMAND...: runs COMMAND, logs its outcome and duration, appends it to the record.
step() {
  local name="$1" t0 rc=0 secs
  shift
  t0=$EPOCHREALTIME
  say "==> $name"
  "$@" || rc=$?
  secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
  local status=ok
  [ "$rc" -eq 0 ] || status=failed
  jq -cn --arg name "$name" --arg status "$status" --argjson seconds "$secs" --arg detail "${step_detail:-}" \
    '{name: $name, status: $status, seconds: $seconds} + (if $detail == "" then {} else {detail: $detail} end)' \
    >>"$steps_file"
  step_detail=""
  say "    $name: $status (${secs} s)"
  return "$rc"
}

# record OUTCOME REASON: appends the deploy's line to deploys.jsonl.
record() {
  jq -cn --arg id "$id" --arg target "$target_name" --arg who "$who" --arg from "$from_version" \
    --arg to "$version" --arg package "$package" --arg started_at "$started_at" \
    --arg finished_at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg outcome "$1" --arg reason "$2" \
    --arg restore_point "$restore_point" --argjson migrations_before "$migrations_before" \
    --arg log "$log" --slurpfile steps "$steps_file" --args '{id: $id, target: $target, who: $who, from: $from, to: $to, package: $package,
      started_at: $started_at, finished_at: $finished_at, outcome: $outcome, reason: $reason,
      waived: $ARGS.positional, restore_point: $restore_point, migrations_before: $migrations_before,
      steps: $steps, log: $log}' "${waived[@]}" >>"$records"
  recorded=1
  say "deploy $id: $1${2:+ ($2)} — recorded in $records"
}

fail() { # fail OUTCOME REASON EXIT
  record "$1" "$2"
  exit "$3"
}

# ---- 1. pre-flight ---------------------------------------------------------------------------

check_git() {
  git -C "$source_dir" rev-parse --git-dir >/dev/null 2>&1 || { say "not a git checkout: $source_dir"; return 1; }
  if [ "$allow_dirty" -eq 0 ] && [ -n "$(git -C "$source_dir" status --porcelain --untracked-files=no)" ]; then
    say "the tree at $source_dir has uncommitted changes (commit them, or --allow-dirty)"
    return 1
  fi
  if [ -z "$version" ] && [ -z "$package" ]; then
    local tag
    tag="$(git -C "$source_dir" describe --tags --exact-match HEAD 2>/dev/null)" || {
      say "HEAD has no tag: tag the release or give --version"
      return 1
    }
    version="${tag#v}"
  fi
}

check_package() {
  if [ -z "$package" ]; then
    local found=("$DEPLOY_PACKAGE_DIR/vertice_${version}_"*.deb)
    [ -f "${found[0]}" ] || { say "no package vertice_${version}_*.deb in $DEPLOY_PACKAGE_DIR (scripts/package)"; return 1; }
    package="${found[0]}"
  fi
  [ -f "$package" ] || { say "no package $package"; return 1; }
  local name pkg_version
  name="$(dpkg-deb -f "$package" Package)" || { say "$package is not a Debian package"; return 1; }
  pkg_version="$(dpkg-deb -f "$package" Version)"
  [ "$name" = vertice ] || { say "$package is the package $name, not vertice"; return 1; }
  [ -n "$version" ] || version="$pkg_version"
  [ "$pkg_version" = "$version" ] || { say "$package is version $pkg_version, not $version"; return 1; }
  dpkg-deb -x "$package" "$work/pkg" || { say "$package does not unpack"; return 1; }
  [ -x "$work/pkg/usr/bin/vertice" ] || { say "$package has no /usr/bin/vertice"; return 1; }
  local banner
  banner="$("$work/pkg/usr/bin/vertice" --version 2>&1)" || { say "the packaged binary does not run: $banner"; return 1; }
  step_detail="$banner"
  if [ "$skip_commit" -eq 0 ]; then
    local head build
    head="$(git -C "$source_dir" rev-parse HEAD)"
    build="$(sed -n 's/.*(\(git \)\{0,1\}\([0-9a-f]\{7,40\}\).*/\2/p' <<<"$banner" | head -1)"
    if [ -z "$build" ] || [ "${head#"$build"}" = "$head" ] || grep -qi dirty <<<"$banner"; then
      say "the package says \"$banner\": not built from HEAD ${head:0:12} of a clean tree"
      return 1
    fi
  fi
  from_version="$(current_version)"
  if [ "$from_version" = "$version" ]; then
    say "version $version is already the current release"
    return 1
  fi
  if [ -n "$from_version" ] && [ -z "$SMOKE_PASSWORD" ]; then
    say "the target sets no SMOKE_PASSWORD: the smoke test cannot sign in"
    return 1
  fi
}

run_suites() {
  say "critical suites: scripts/test -L '$labels' (log: $DEPLOY_ROOT/logs/deploy-$id-tests.log)"
  step_detail="ctest -L $labels"
  "$source_dir/scripts/test" -L "$labels" >"$DEPLOY_ROOT/logs/deploy-$id-tests.log" 2>&1 || {
    say "the critical suites failed: see $DEPLOY_ROOT/logs/deploy-$id-tests.log"
    return 1
  }
}

say "deploy $id to $target_name by $who"
step preflight_git check_git || fail refused "pre-flight: git" 1
step preflight_package check_package || fail refused "pre-flight: package" 1
if [ "$skip_tests" -eq 1 ]; then
  say "==> preflight_tests: skipped (--skip-tests)"
  jq -cn '{name: "preflight_tests", status: "skipped", seconds: 0}' >>"$steps_file"
else
  step preflight_tests run_suites || fail refused "pre-flight: critical suites failed" 1
fi
say "deploying $version (from ${from_version:-nothing}) with $package"

# The new release's files are in place (not yet serving): its binary runs the migrations.
step install install_release "$version" "$package" || fail failed "install: the package could not be unpacked" 1

# ---- 2. backup -------------------------------------------------------------------------------

record_migrations() {
  local by=${from_version:-$version} status
  status="$(vertice_run "$by" migrate status)" || { say "migrate status failed: $status"; return 1; }
  printf '%s\n' "$status" >"$DEPLOY_ROOT/logs/deploy-$id-migrations-before.txt"
  migrations_before="$(versions_of <<<"$status")"
  step_detail="$migrations_before"
}

# stdin: `migrate status` lines → {"component": highest applied versioned migration}
versions_of() {
  awk '$3 == "applied" || $3 == "changed" || $3 == "missing" { print $1, $2 }' |
    sed -n 's/^\([a-z0-9_]*\) V0*\([0-9][0-9]*\)__.*/\1 \2/p' |
    jq -cRn '[inputs | split(" ") | {key: .[0], value: (.[1] | tonumber)}] | group_by(.key) |
      map({key: .[0].key, value: (map(.value) | max)}) | from_entries'
}

backup() {
  if [ -z "$PGBACKREST_STANZA" ]; then
    step_detail="none: the target configures no pgBackRest stanza (rollback only by migrations down)"
    say "no pgBackRest stanza: no restore point (a failure needing a restore cannot be rolled back)"
    return 0
  fi
  if [ "$DEPLOY_BACKUP" = incremental ]; then
    say "pgBackRest incremental backup of stanza $PGBACKREST_STANZA"
    pgbackrest_run --type=incr backup >>"$log" 2>&1 || { say "pgbackrest backup failed (see $log)"; return 1; }
  fi
  local lsn wal
  restore_point="deploy-$id"
  lsn="$(db_sql "SELECT pg_create_restore_point('$restore_point')")" || return 1
  wal="$(db_sql "SELECT pg_walfile_name(pg_switch_wal())")" || return 1
  # PITR needs the segment holding the point in the repository: wait until pgBackRest can fetch
  # it (with archive-async, archive_command returns before the segment is shipped).
  local got
  got="$(mktemp -d "${TMPDIR:-/tmp}/vertice-deploy-wal.XXXXXX")"
  chmod 777 "$got"
  for _ in $(seq 1 120); do
    if pgbackrest_run archive-get "$wal" "$got/$wal" >/dev/null 2>&1; then
      rm -rf "$got"
      step_detail="restore point $restore_point at $lsn, archived in $wal"
      return 0
    fi
    sleep 0.5
  done
  rm -rf "$got"
  say "the WAL segment $wal holding the restore point did not reach the repository within 60 s (archiving failing?)"
  restore_point=""
  return 1
}

step migrations_before record_migrations || fail failed "backup: migrate status failed" 1
step backup backup || fail failed "backup: no restore point" 1

# ---- 3–4. migrate, switch, check; 5. rollback -------------------------------------------------

migrate_new() {
  vertice_run "$version" migrate up >>"$log" 2>&1 || { say "migrate up failed (see $log)"; tail -3 "$log" >&2; return 1; }
  vertice_run "$version" migrate verify >>"$log" 2>&1 || { say "migrate verify failed (see $log)"; return 1; }
}

# Waits for /readyz 200 then runs the smoke script, all within the deadline.
check_serving() { # VERSION
  local until=$((SECONDS + deadline)) code
  while :; do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$HEALTH_URL" || true)"
    [ "$code" = 200 ] && break
    if ! running; then
      say "the server of $1 is not running (see its log)"
      return 1
    fi
    if [ "$SECONDS" -ge "$until" ]; then
      say "$HEALTH_URL answered ${code:-nothing} for ${deadline} s"
      return 1
    fi
    sleep 0.5
  done
  if [ -z "$from_version" ]; then
    step_detail="ready; smoke skipped: a first install has no smoke user yet (deploy.sh TARGET --setup)"
    say "first install: no smoke test (run deploy.sh $target_name --setup once)"
    return 0
  fi
  local left=$((until - SECONDS))
  [ "$left" -ge 5 ] || left=5
  BASE_URL="$BASE_URL" SMOKE_EMAIL="$SMOKE_EMAIL" SMOKE_PASSWORD="$SMOKE_PASSWORD" SMOKE_COMPANY="$SMOKE_COMPANY" \
    timeout "$left" "$here/smoke.sh" >>"$log" 2>&1 || { say "smoke failed (see $log)"; tail -5 "$log" >&2; return 1; }
}

switch_to_new() {
  if [ -n "$from_version" ]; then
    stop || return 1
  fi
  start "$version"
}

# Rolls back migrations with the new binary when every one applied since the backup has a
# .down.sql: the runner refuses an irreversible one (or one a later component builds on) before
# running it, and anything left is undone by the point-in-time restore.
migrations_down() {
  local after comps c to
  after="$(vertice_run "$version" migrate status | tee "$DEPLOY_ROOT/logs/deploy-$id-migrations-after.txt" | versions_of)" ||
    return 1
  # Components in reverse plan order (status lists them in plan order).
  comps="$(awk '{ print $1 }' "$DEPLOY_ROOT/logs/deploy-$id-migrations-after.txt" | awk '!seen[$0]++' | tac)"
  local rolled=""
  for c in $comps; do
    to="$(jq -r --arg c "$c" '.[$c] // 0' <<<"$migrations_before")"
    if [ "$(jq -r --arg c "$c" '.[$c] // 0' <<<"$after")" -gt "$to" ]; then
      say "migrate down --component $c --to $to"
      vertice_run "$version" migrate down --component "$c" --to "$to" >>"$log" 2>&1 || {
        say "migrate down of $c refused or failed: $(tail -1 "$log")"
        return 1
      }
      rolled+="$c→$to "
    fi
  done
  step_detail="${rolled:-nothing to roll back}"
}

pitr() {
  [ -n "$restore_point" ] || { say "no restore point to return to"; return 1; }
  if ! declare -F db_stop >/dev/null || ! declare -F db_start >/dev/null; then
    say "the target cannot stop and start its database"
    return 1
  fi
  db_stop || return 1
  pgbackrest_run --delta --type=name --target="$restore_point" --target-action=promote restore >>"$log" 2>&1 || {
    say "pgbackrest restore failed (see $log)"
    return 1
  }
  db_start || return 1
  for _ in $(seq 1 240); do
    [ "$(db_sql "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ] && { step_detail="restored to $restore_point"; return 0; }
    sleep 0.5
  done
  say "the database did not finish recovery within 120 s"
  return 1
}

start_previous() {
  [ -n "$from_version" ] || { say "no previous release to start"; return 0; }
  vertice_run "$from_version" migrate up >>"$log" 2>&1 || { say "migrate up of $from_version failed"; return 1; }
  start "$from_version"
}

rollback() { # REASON
  local reason="$1" rc=0
  say "ROLLBACK: $reason"
  running && stop
  if ! step rollback_migrations_down migrations_down; then
    step rollback_restore pitr || rc=1
  fi
  [ "$rc" -eq 0 ] && { step rollback_start start_previous || rc=1; }
  if [ "$rc" -eq 0 ] && [ -n "$from_version" ]; then
    step rollback_check check_serving "$from_version" || rc=1
  fi
  if [ "$rc" -eq 0 ]; then
    fail rolled_back "$reason" 1
  fi
  fail rollback_failed "$reason; then the rollback failed" 2
}

step migrate migrate_new || rollback "migrate: migrate up/verify of $version failed"
step switch switch_to_new || rollback "switch: $version did not start"
step check check_serving "$version" || rollback "check: $version not ready or smoke failed within ${deadline} s"
declare -F prune_releases >/dev/null && prune_releases "$DEPLOY_KEEP_RELEASES" "$version" "$from_version"
record deployed ""
exit 0
