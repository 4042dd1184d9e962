#!/usr/bin/env bash
# The deploy's smoke test of a running Vértice, as a user would use it, in a test company only:
# sign in, the dashboard, one POS sale, one report, sign out. Exits non-zero at the first failure.
#
#   BASE_URL=http://127.0.0.1:8080 SMOKE_EMAIL=... SMOKE_PASSWORD=... SMOKE_COMPANY=smoke deploy/smoke.sh
#   ... deploy/smoke.sh setup    once per target, after the company and its owner exist: turns the
#                                CPG vertical on and adds the product and point of sale the sale uses
#                                (repeats are no-ops)
#
# The smoke company's owner signs in; deploy.sh --setup creates them (the target's setup_smoke).
set -euo pipefail

: "${BASE_URL:?}" "${SMOKE_EMAIL:?}" "${SMOKE_PASSWORD:?}" "${SMOKE_COMPANY:?}"
mode="${1:-check}"
api="$BASE_URL/api/v1"
cpg="$api/verticals/cpg"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
token=""

# call METHOD URL [JSON] [extra curl args...]: prints the status; the body is in $body.
call() {
  local method="$1" url="$2" data="${3:-}"
  shift 3 || shift $#
  local args=(-s -o "$body" -w '%{http_code}' --max-time 15 -X "$method" -H "X-Company-Id: $SMOKE_COMPANY")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  curl "${args[@]}" "$@" "$url" || echo 000
}

# expect WHAT STATUS... — the last call answered one of STATUS, else the smoke fails.
expect() {
  local what="$1" got="$2"
  shift 2
  for want in "$@"; do [ "$got" = "$want" ] && { echo "smoke: $what ok ($got)"; return 0; }; done
  echo "smoke: $what FAILED: HTTP $got $(head -c 400 "$body")" >&2
  exit 1
}

login=$(jq -cn --arg e "$SMOKE_EMAIL" --arg p "$SMOKE_PASSWORD" '{email: $e, password: $p}')
expect "sign in as $SMOKE_EMAIL" "$(call POST "$api/auth/login" "$login")" 200
token="$(jq -r .token "$body")"

if [ "$mode" = setup ]; then
  expect "CPG on for $SMOKE_COMPANY" "$(call PUT "$api/verticals/cpg" '{"enabled": true}')" 200
  expect "product SMOKE-1" "$(call POST "$cpg/products" \
    '{"sku":"SMOKE-1","name":"Producto de prueba","unit_price":"10.00","iva_rate":"0.16"}')" 201 409
  expect "point of sale SMOKE" "$(call POST "$cpg/pos" \
    '{"code":"SMOKE","name":"Caja de prueba","retailer_rfc":"SMO010101AB1"}')" 201 409
  exit 0
fi

expect "who am I" "$(call GET "$api/auth/me")" 200
expect "dashboard" "$(call GET "$api/dashboard")" 200
jq -e '.revenue.today != null' "$body" >/dev/null || { echo "smoke: the dashboard has no revenue panel" >&2; exit 1; }

expect "points of sale" "$(call GET "$cpg/pos?status=active")" 200
pos="$(jq -r '.items[] | select(.code == "SMOKE") | .pos_id' "$body" | head -1)"
[ -n "$pos" ] || { echo "smoke: no point of sale SMOKE in $SMOKE_COMPANY (run deploy.sh TARGET --setup)" >&2; exit 1; }
ticket="SMOKE-$(date -u +%Y%m%d%H%M%S)-$RANDOM"
sale=$(jq -cn --arg t "$ticket" '{ticket: $t, payment_method: "cash", lines: [{sku: "SMOKE-1", quantity: "1"}]}')
expect "POS sale $ticket" "$(call POST "$cpg/pos/$pos/sales" "$sale" -H "Idempotency-Key: $ticket")" 201
jq -e '.total == "11.60"' "$body" >/dev/null || { echo "smoke: the sale's total is not 11.60: $(cat "$body")" >&2; exit 1; }

expect "report pos_ranking" "$(call GET "$cpg/reports/pos_ranking")" 200
expect "sign out" "$(call POST "$api/auth/logout")" 204
echo "smoke: all good on $BASE_URL"
