#!/usr/bin/env bash
# Static checks of deploy/prometheus (issue 18, section 4):
#   tests/ops/alerts/check_rules.sh
# `promtool check config` on prometheus.yml (with a stand-in token file where the real one will
# be, /etc/prometheus/vertice-metrics-token), `promtool check rules` on the rules, and
# `promtool test rules` on the unit tests of every alert (deploy/prometheus/tests/); every alert
# has a test and a runbook (docs/runbooks/<kebab-case name>.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
src="$root/deploy/prometheus"
work=$(mktemp -d /tmp/vertice-promtool.XXXXXX)
trap 'rm -rf "$work"' EXIT

cp -r "$src/rules" "$work/"
echo "stand-in-token" >"$work/token"
sed "s|/etc/prometheus/vertice-metrics-token|$work/token|" "$src/prometheus.yml" >"$work/prometheus.yml"
timeout 60 promtool check config "$work/prometheus.yml"
timeout 60 promtool check rules "$src"/rules/*.yml
# Every alert has a unit test, and a runbook link of the one pattern to a page that exists.
grep -oP '^\s+- alert: \K\w+' "$src/rules/alerts.yml" | sort -u | while read -r name; do
  grep -q "alertname: $name\$" "$src"/tests/*.yml || { echo "no promtool test for $name" >&2; exit 1; }
  kebab=$(echo "$name" | sed -E 's/([a-z0-9])([A-Z])/\1-\2/g; s/([a-z])([0-9])/\1-\2/g' | tr '[:upper:]' '[:lower:]')
  grep -q "runbook_url: https://github.com/vertice-mx/vertice/blob/main/docs/runbooks/$kebab.md\$" "$src/rules/alerts.yml" ||
    { echo "$name: no runbook_url .../docs/runbooks/$kebab.md" >&2; exit 1; }
  [ -s "$root/docs/runbooks/$kebab.md" ] || { echo "$name: docs/runbooks/$kebab.md is missing" >&2; exit 1; }
done
cd "$src/tests"
timeout 120 promtool test rules ./*.yml
