#!/usr/bin/env bash
# The package rehearsed end to end (CTest `ops_package`, label `package`):
#   tests/ops/package/package_test.sh BUILD_DIR
# 1. scripts/package builds vertice_<version>_amd64.deb from BUILD_DIR (no C++ rebuild);
# 2. its Depends, conffiles and layout are checked; lintian finds nothing (errors or warnings);
# 3. it is unpacked into a scratch root (dpkg -x) and systemd-analyze verify accepts both units there;
# 4. the INSTALLED binary: --version names HEAD's commit; migrate up and migrate status against a
#    throwaway PostgreSQL cluster, with the installed /etc/vertice/vertice.toml; serve answers
#    /readyz 200, serves the packaged web app's index.html at /, reports the commit in
#    vertice_build_info, and exits 0 on SIGTERM.
# Everything lives in one temporary directory, removed on exit; each wait is bounded.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=$(cd "$1" && pwd)
# shellcheck source=SCRIPTDIR/../../../scripts/lib/pg.sh
. "$root/scripts/lib/pg.sh"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

tmp=$(mktemp -d /tmp/vertice-package.XXXXXX)
chmod 755 "$tmp"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  pg_stop "$tmp/pg"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$(date +%s)
step() { echo "==> [$(($(date +%s) - started)) s] $*"; }
fail() {
  echo "FAIL: $*" >&2
  [ -f "$tmp/serve.log" ] && tail -n 20 "$tmp/serve.log" >&2
  exit 1
}

step "scripts/package --build-dir $build"
deb=$(VERTICE_PACKAGE_COMPRESSION=gzip "$root/scripts/package" --build-dir "$build" --out "$tmp/out" | tail -n1)
[[ "$(basename "$deb")" =~ ^vertice_[0-9][^_]*_amd64\.deb$ ]] || fail "unexpected package name: $deb"
[ -f "$deb" ] || fail "scripts/package printed $deb, which does not exist"
depends=$(dpkg-deb -f "$deb" Depends)
echo "    Depends: $depends"
for lib in adduser libc6 libstdc++6 libpq5 libsodium23 libzip4; do
  [[ ", $depends," == *", $lib "* || ", $depends," == *", $lib,"* ]] || fail "Depends lacks $lib: $depends"
done
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
grep -qx /etc/vertice/vertice.toml <<<"$conffiles" ||
  fail "/etc/vertice/vertice.toml is not a conffile"

step "lintian"
# Every remaining tag is overridden with its reason in deploy/debian/lintian-overrides (shipped in
# the package, so lintian applies it). Running as root only adds a notice on stderr.
lintian --info --fail-on error,warning --tag-display-limit 0 "$deb" >"$tmp/lintian.txt" 2>"$tmp/lintian.err" ||
  fail "lintian: $(cat "$tmp/lintian.txt" "$tmp/lintian.err")"
! grep -E '^[EW]: ' "$tmp/lintian.txt" || fail "lintian found errors or warnings"
# Info tags do not fail (a new Spanish word can look like a typo to lintian); they are shown.
grep -E '^[IP]: ' "$tmp/lintian.txt" || true

step "dpkg -x into a scratch root"
sysroot="$tmp/root"
dpkg -x "$deb" "$sysroot"
vbin="$sysroot/usr/bin/vertice"
for f in usr/bin/vertice usr/share/vertice/web/index.html etc/vertice/vertice.toml \
  lib/systemd/system/vertice.service lib/systemd/system/vertice-migrate.service \
  lib/systemd/system/vertice-backup@.service usr/share/vertice/scripts/backup usr/share/vertice/scripts/restore \
  usr/share/doc/vertice/copyright usr/share/man/man1/vertice.1.gz; do
  [ -e "$sysroot/$f" ] || fail "the package lacks /$f"
done

ls "$sysroot"/usr/share/doc/vertice/changelog*.gz >/dev/null 2>&1 || fail "the package has no changelog"

step "systemd-analyze verify and security"
# verify needs the units the package's refer to (sysinit.target, network-online.target…) in the
# same root: the host's, beside the package's. It checks ExecStart= inside the root, and the
# Documentation= man page through MANPATH. Unknown keys are only warnings: any output fails.
mkdir -p "$tmp/sdroot"
cp -a "$sysroot/." "$tmp/sdroot/"
cp -an /lib/systemd/system/. "$tmp/sdroot/lib/systemd/system/"
units=(/lib/systemd/system/vertice.service /lib/systemd/system/vertice-migrate.service
  /lib/systemd/system/vertice-backup@full.service)
MANPATH="$tmp/sdroot/usr/share/man" systemd-analyze verify --root="$tmp/sdroot" "${units[@]}" >"$tmp/verify.txt" 2>&1 ||
  fail "systemd-analyze verify: $(cat "$tmp/verify.txt")"
[ ! -s "$tmp/verify.txt" ] || fail "systemd-analyze verify: $(cat "$tmp/verify.txt")"
# The server and the migration are sandboxed to an exposure of 2.0 at most; the backup unit runs as
# root to drop to postgres and write the metric, so only verify checks it.
for u in "${units[@]:0:2}"; do
  systemd-analyze security --offline=yes --root="$tmp/sdroot" --threshold=20 "$u" >"$tmp/security.txt" 2>&1 ||
    fail "systemd-analyze security $u: exposure above 2.0: $(tail -n 3 "$tmp/security.txt")"
  echo "    $(basename "$u"): $(grep -o 'Overall exposure level.*' "$tmp/security.txt")"
done

step "the installed binary: --version"
version_line=$("$vbin" --version)
echo "    $version_line"
pkgver=$(dpkg-deb -f "$deb" Version)
[[ "$version_line" == "vertice $pkgver" || "$version_line" == "vertice $pkgver ("* ]] ||
  fail "--version does not name the package's version $pkgver: $version_line"
if git -C "$root" rev-parse HEAD >/dev/null 2>&1; then
  head=$(git -C "$root" rev-parse HEAD)
  commit=$(sed -n 's/.*(git \([0-9a-f]\{7,\}\)\(-dirty\)\{0,1\})$/\1/p' <<<"$version_line")
  [ -n "$commit" ] || fail "--version names no commit: $version_line (expected git ${head:0:7})"
  [[ "$head" == "$commit"* ]] ||
    fail "--version names commit $commit, HEAD is $head (rebuild $build: the build computes it)"
fi

step "a throwaway PostgreSQL cluster"
port=$(pg_pick_port 27400)
pg_init "$tmp/pg" trust
PG_FSYNC=off pg_start "$tmp/pg" "$tmp/run" "$port" "$tmp/postgres.log"
pg_psql "$tmp/run" "$port" postgres <<SQL
CREATE ROLE vertice_owner LOGIN;
CREATE ROLE vertice_app LOGIN;
CREATE DATABASE vertice OWNER vertice_owner;
SQL
export VERTICE_ADMIN_DATABASE_URL="postgresql://vertice_owner@127.0.0.1:$port/vertice"
export DATABASE_URL="postgresql://vertice_app@127.0.0.1:$port/vertice"
config="$sysroot/etc/vertice/vertice.toml"

step "migrate up, migrate status (installed binary, installed config)"
timeout 120 "$vbin" --config "$config" migrate up >"$tmp/migrate.txt" 2>&1 || fail "migrate up: $(cat "$tmp/migrate.txt")"
timeout 60 "$vbin" --config "$config" migrate status >"$tmp/status.txt" 2>&1 || fail "migrate status: $(cat "$tmp/status.txt")"
applied=$(awk '$3 == "applied"' "$tmp/status.txt" | wc -l)
[ "$applied" -gt 0 ] || fail "migrate status lists no applied migration: $(cat "$tmp/status.txt")"
if awk '{print $3}' "$tmp/status.txt" | grep -qv '^applied$'; then fail "migrate status after up: $(cat "$tmp/status.txt")"; fi
echo "    $applied migrations applied"

step "serve (web_root in the scratch root)"
http=$(pg_pick_port 28400)
VERTICE_WEB_ROOT="$sysroot/usr/share/vertice/web" VERTICE_LISTEN="127.0.0.1:$http" VERTICE_RUN_JOBS=false \
  "$vbin" --config "$config" serve >"$tmp/serve.log" 2>&1 &
server_pid=$!
url="http://127.0.0.1:$http"
ready=""
for _ in $(seq 1 150); do
  kill -0 "$server_pid" 2>/dev/null || fail "serve exited"
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/readyz")" = 200 ]; then ready=1; break; fi
  sleep 0.2
done
[ -n "$ready" ] || fail "/readyz did not answer 200 within 30 s"
curl -fsS --max-time 5 "$url/" -o "$tmp/index.html" || fail "GET / failed"
cmp -s "$tmp/index.html" "$sysroot/usr/share/vertice/web/index.html" || fail "GET / is not the packaged web app's index.html"
if [ -n "${commit:-}" ]; then
  # Read whole first: `curl | grep -q` fails under pipefail when grep stops reading early.
  metrics=$(curl -fsS --max-time 5 "$url/metrics") || fail "GET /metrics failed"
  grep -q "^vertice_build_info{.*commit=\"$commit\"" <<<"$metrics" ||
    fail "vertice_build_info does not carry commit $commit"
fi
kill -TERM "$server_pid"
rc=0
timeout 40 tail --pid="$server_pid" -f /dev/null || fail "serve did not exit within 40 s of SIGTERM"
wait "$server_pid" || rc=$?
server_pid=""
[ "$rc" -eq 0 ] || fail "serve exited $rc on SIGTERM"
step "ok"
