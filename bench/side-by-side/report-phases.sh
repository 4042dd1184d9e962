#!/usr/bin/env bash
# The revenue report over ranges that are not one whole year, for either side of the shared
# side-by-side harness (../shared/peer/vertice-side): run as the CMD of run_peer.sh or
# run_vertice.sh, it runs ../seed-fastapi/bench.sh once per range with the same settings.
# The peer's `to` is exclusive, Vértice's inclusive: each range is given as first and last day
# and written the way each server reads it. Vértice is recognised by FULL_REFRESH_CMD (only
# run_vertice.sh exports it).
#   RANGES="year:2025-01-01:2025-12-31 ..." selects (default: the ranges below).
set -uo pipefail
SEED_DIR=${SEED_DIR:?set SEED_DIR to ../shared/peer/seed-fastapi}
RANGES=${RANGES:-"revyear:2025-01-01:2025-12-31 rev364:2025-01-01:2025-12-30 revquarter:2025-04-01:2025-06-30
  rev90:2025-10-03:2025-12-31 revday:2025-06-15:2025-06-15 revcross:2024-11-15:2025-02-10"}
unset WRK_COMPANIES WRK_PAGES WRK_COMPANY_HEADER WRK_HEADERS WRK_COMPANY_FIELD ENDPOINTS
rc=0
for r in $RANGES; do
  IFS=: read -r name first last <<<"$r"
  if [[ -n ${FULL_REFRESH_CMD:-} ]]; then
    path="/api/v1/reports/revenue?from=$first&to=$last&group_by=transaction_type"
  else
    path="/api/v1/reports/revenue?from=$first&to=$(date -d "$last + 1 day" +%F)"
  fi
  echo "## phase $name"
  echo "# path $path"
  env ENDPOINTS=get_revenue WRK_REPORT_PATH="$path" REFRESH_RUNS=0 "$SEED_DIR/bench.sh" || rc=1
done
exit $rc
