#!/usr/bin/env bash
# deploy.sh's pre-flight refuses what it must, before touching anything: a dirty tree, no tag nor
# version, no package, a package of another version, one built from another commit or a dirty
# tree, failing critical suites. A scratch git checkout, stand-in packages whose /usr/bin/vertice
# only prints a version banner, and a stub target whose install_release marks that pre-flight
# passed (and then fails, so nothing further runs).
#   tests/ops/deploy/preflight.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
deploy="$(cd "$here/../../.." && pwd)/deploy/deploy.sh"
tmp="$(mktemp -d /tmp/deploy-preflight.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1" >&2; fails=$((fails + 1)); fi; }
is() { [ "$1" = "$2" ]; }

src="$tmp/src"
mkdir -p "$src/scripts" "$tmp/dist" "$tmp/root"
git -C "$src" init -q
cat >"$src/scripts/test" <<'SH'
#!/bin/sh
echo "$@" > "$SUITES_ARGS"
exit "${SUITES_EXIT:-0}"
SH
chmod +x "$src/scripts/test"
echo one >"$src/file"
git -C "$src" add -A
git -C "$src" -c user.email=t@t -c user.name=t commit -qm one
head="$(git -C "$src" rev-parse --short HEAD)"
export SUITES_ARGS="$tmp/suites.args"

cat >"$tmp/target" <<EOF
DEPLOY_ROOT=$tmp/root
BASE_URL=http://127.0.0.1:9
DEPLOY_PACKAGE_DIR=$tmp/dist
DEPLOY_TEST_LABELS=critical
SMOKE_PASSWORD=\${SMOKE_PASSWORD-smoke}
current_version() { echo 0.9.0; }
install_release() { echo "\$1" > $tmp/installed; return 1; }
vertice_run() { :; }
start() { :; }
stop() { :; }
running() { return 1; }
db_sql() { :; }
EOF

package() { # VERSION BANNER [NAME]: dist/vertice_VERSION_amd64.deb whose binary prints BANNER
  local p="$tmp/pkg"
  rm -rf "$p"
  mkdir -p "$p/DEBIAN" "$p/usr/bin"
  printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: t <t@t>\nDescription: t\n' "${3:-vertice}" "$1" \
    >"$p/DEBIAN/control"
  printf '#!/bin/sh\necho "%s"\n' "$2" >"$p/usr/bin/vertice"
  chmod 755 "$p/usr/bin/vertice"
  dpkg-deb -Znone --root-owner-group -b "$p" "$tmp/dist/vertice_$1_amd64.deb" >/dev/null
}

run() { # ARGS...: the exit status in $rc, the record's reason in $reason
  rm -f "$tmp/installed"
  rc=0
  "$deploy" "$tmp/target" --source "$src" "$@" >"$tmp/out" 2>&1 || rc=$?
  reason="$(tail -1 "$tmp/root/deploys.jsonl" | jq -r '"\(.outcome): \(.reason)"')"
}
installed() { [ -f "$tmp/installed" ]; }
not_installed() { [ ! -f "$tmp/installed" ]; }

run
check "no tag and no --version: refused" is "$rc $reason" "1 refused: pre-flight: git"
check "  nothing was installed" not_installed

git -C "$src" tag v1.2.0
run
check "tagged, but no package: refused" is "$rc $reason" "1 refused: pre-flight: package"

package 1.2.0 "vertice 1.2.0 (git $head)"
echo two >"$src/file"
run
check "a dirty tree: refused" is "$rc $reason" "1 refused: pre-flight: git"
check "  nothing was installed" not_installed
git -C "$src" checkout -q -- file

package 1.3.0 "vertice 1.3.0 (git $head)"
run --version 1.2.0 --package "$tmp/dist/vertice_1.3.0_amd64.deb"
check "a package of another version: refused" is "$rc $reason" "1 refused: pre-flight: package"

package 1.2.0 "vertice 1.2.0 (git 0123abc)"
run
check "a package built from another commit: refused" is "$rc $reason" "1 refused: pre-flight: package"

package 1.2.0 "vertice 1.2.0 (git $head-dirty)"
run
check "a package built from a dirty tree: refused" is "$rc $reason" "1 refused: pre-flight: package"

package 1.2.0 "vertice 1.2.0 (git $head)" vertice-other
run
check "a package that is not vertice: refused" is "$rc $reason" "1 refused: pre-flight: package"

package 1.2.0 "vertice 1.2.0 (git $head)"
SMOKE_PASSWORD="" run
check "no smoke password for an upgrade: refused" is "$rc $reason" "1 refused: pre-flight: package"

SUITES_EXIT=1 run
check "failing critical suites: refused" is "$rc $reason" "1 refused: pre-flight: critical suites failed"
check "  the target's labels were run" is "$(cat "$SUITES_ARGS")" "-L critical"
check "  nothing was installed" not_installed

run --tests 'unit|api'
check "all good: pre-flight passes, the release is installed" installed
check "  --tests names the labels" is "$(cat "$SUITES_ARGS")" "-L unit|api"
check "  the version came from the tag" is "$(cat "$tmp/installed")" 1.2.0

rm -f "$SUITES_ARGS"
run --skip-tests
check "--skip-tests runs no suite" is "$([ -f "$SUITES_ARGS" ] && echo ran || echo skipped)" skipped
check "  and the record says so" is "$(tail -1 "$tmp/root/deploys.jsonl" | jq -c .waived)" '["tests"]'

check "every attempt was recorded" is "$(wc -l <"$tmp/root/deploys.jsonl")" 11
[ "$fails" -eq 0 ] || { cat "$tmp/out"; exit 1; }
