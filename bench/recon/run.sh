#!/usr/bin/env bash
# Reconciliation benchmark (issue 7): on a fresh database, creates the companies and bank
# accounts listed in DATASET/truth.json (RFC, CLABE), imports their CFDI and statements through
# the product's own import commands, runs the matcher, exports the predictions
# (recon-truth/1) and scores them with recon_score.py, whose output ends this script unchanged.
# Works on any dataset of recon-dev's layout (../shared/datasets/recon-dev/README.md).
# Usage: bench/recon/run.sh DATASET_DIR [SCORER]   (DATABASE_URL set: use that empty database;
# RECON_NO_SETUP=1: use build/release/vertice as built, without scripts/setup building the whole tree;
# RECON_VERTICE_BIN=path: another vertice binary, e.g. a copy built at an earlier commit)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
dataset=$(cd "${1:?usage: bench/recon/run.sh DATASET_DIR [SCORER]}" && pwd)
scorer=${2:-$root/../shared/tools/recon_score.py}
[ -f "$dataset/truth.json" ] || { echo "no truth.json in $dataset" >&2; exit 2; }
[ -f "$scorer" ] || { echo "scorer not found: $scorer (pass its path as the second argument)" >&2; exit 2; }
[ -n "${RECON_NO_SETUP:-}" ] || scripts/setup --preset release >/dev/null
bin="${RECON_VERTICE_BIN:-$root/build/release/vertice}"
tmp=$(mktemp -d /tmp/vertice-recon.XXXXXX)
chmod 755 "$tmp"
if [ -z "${DATABASE_URL:-}" ]; then
  . scripts/lib/pg.sh
  cleanup() { pg_stop "$tmp/pg"; rm -rf "$tmp"; }
  trap cleanup EXIT
  port=$(pg_pick_port 27742)
  pg_init "$tmp/pg" trust
  pg_start "$tmp/pg" "$tmp/run" "$port" "$tmp/postgres.log"
  pg_psql "$tmp/run" "$port" postgres -c "CREATE ROLE vertice_owner LOGIN; CREATE ROLE vertice_app LOGIN;" \
    -c "CREATE DATABASE vertice OWNER vertice_owner;" >/dev/null
  export VERTICE_ADMIN_DATABASE_URL="postgresql://vertice_owner@127.0.0.1:$port/vertice"
  export DATABASE_URL="postgresql://vertice_app@127.0.0.1:$port/vertice"
else
  trap 'rm -rf "$tmp"' EXIT
  export VERTICE_ADMIN_DATABASE_URL=${VERTICE_ADMIN_DATABASE_URL:-$DATABASE_URL}
fi
"$bin" migrate up >/dev/null
ms() { date +%s%3N; }

# Companies and accounts from truth.json: id, name, RFC, CLABE, statement files.
python3 - "$dataset/truth.json" >"$tmp/companies.tsv" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1], encoding="utf-8"))["companies"]:
    print("\t".join([c["id"], c["name"], c["rfc"], c["clabe"], c.get("statement_csv", ""), c.get("statement_camt053", ""),
                     c.get("bank", "Banco")]))
PY
"$bin" tenant create --id recon --name "Reconciliation benchmark" >/dev/null
while IFS=$'\t' read -r id name rfc clabe csv camt bank; do
  "$bin" company create --tenant recon --id "$id" --name "$name" --rfc "$rfc" >/dev/null
  # A CLABE whose check digit does not verify is registered as the account's number instead.
  "$bin" bank account create --company "$id" --clabe "$clabe" --name "Cuenta $id" >/dev/null 2>&1 ||
    "$bin" bank account create --company "$id" --number "$clabe" --bank "$bank" --name "Cuenta $id" >/dev/null
done <"$tmp/companies.tsv"

t0=$(ms)
while IFS=$'\t' read -r id name rfc clabe csv camt bank; do
  # Exit 3: some files were rejected (the report says which and why); 1 or 2: it could not run.
  # The dataset's CFDI are generated without seals (Sello=""): imported explicitly as unverified.
  rc=0
  "$bin" import cfdi "$dataset/cfdi/$rfc" --company "$id" --unverified >"$tmp/cfdi-$id.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then cat "$tmp/cfdi-$id.log"; exit 1; fi
  grep -E "^importación" "$tmp/cfdi-$id.log" || true
done <"$tmp/companies.tsv"
t1=$(ms)
while IFS=$'\t' read -r id name rfc clabe csv camt bank; do
  for f in $csv $camt; do   # the same movements twice: the second file adds only duplicates
    "$bin" import statement "$dataset/$f" --company "$id" | tail -1 | sed "s|^|$f: |"
  done
done <"$tmp/companies.tsv"
t2=$(ms)
while IFS=$'\t' read -r id name rfc clabe csv camt bank; do
  echo "recon run $id: $("$bin" recon run --company "$id")"
done <"$tmp/companies.tsv"
t3=$(ms)
parts=()
while IFS=$'\t' read -r id name rfc clabe csv camt bank; do
  "$bin" recon export --company "$id" --format recon-truth/1 --output "$tmp/pred-$id.json"
  parts+=("$tmp/pred-$id.json")
done <"$tmp/companies.tsv"
python3 - "$tmp/pred.json" "${parts[@]}" <<'PY'
import json, sys
out = {"schema": "recon-truth/1", "movements": {}}
for p in sys.argv[2:]:
    out["movements"].update(json.load(open(p, encoding="utf-8"))["movements"])
json.dump(out, open(sys.argv[1], "w", encoding="utf-8"))
PY
echo "timings: CFDI import $((t1 - t0)) ms, statements $((t2 - t1)) ms, matching $((t3 - t2)) ms ($(nproc) cores)"
[ -n "${RECON_KEEP_PREDICTIONS:-}" ] && cp "$tmp/pred.json" "$RECON_KEEP_PREDICTIONS"
python3 "$scorer" "$dataset/truth.json" "$tmp/pred.json"
