# shellcheck shell=bash
# shellcheck disable=SC2154  # token, company, side, round, tmp, base: set by the sourcing script
# Sourced by bench/ab/*: A/B runs of two release binaries against one database (same data),
# alternating BEFORE and AFTER so that a noisy shared machine affects both alike.

# wrk_line LABEL CONNECTIONS SECONDS URL [LUA] — one line: label, req/s, p50 ms, p99 ms, non-2xx.
wrk_line() {
  local label="$1" c="$2" d="$3" url="$4" lua="${5:-}" out
  out=$(wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"$d"s --timeout "${WRK_TIMEOUT:-2}"s --latency -H "Authorization: Bearer $token" \
          -H "X-Company-Id: $company" ${lua:+-s "$lua"} "$url")
  echo "$out" | awk -v side="$side" -v round="$round" -v label="$label" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    / 50%/ { p50 = ms($2) }
    / 99%/ { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    /Socket errors/ { gsub(",", ""); bad += $NF }   # timeouts: counted with the failures
    END { printf "%s\t%s\t%s\t%.0f\t%.2f\t%.2f\t%d\n", round, side, label, rps, p50, p99, bad + 0 }'
}

# serve BIN PORT — starts the server in the background (server_pid), waits for /healthz.
serve() {
  "$1" serve --listen "127.0.0.1:$2" --run-jobs false 2>>"$tmp/server.$side.log" &
  server_pid=$!
  until curl -sf "http://127.0.0.1:$2/healthz" >/dev/null; do sleep 0.1; done
}
unserve() {
  kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  server_pid=
}
login() {  # EMAIL PASSWORD
  curl -s -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/'
}

# summary FILE — per endpoint: mean req/s, p50 and p99 of each side over the rounds, and the
# AFTER/BEFORE ratio of req/s per round (the comparison that survives the machine's noise).
summary() {
  python3 - "$1" <<'PY'
import sys, collections, statistics as st
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = collections.defaultdict(dict)
order = []
for r, side, label, rps, p50, p99, bad in rows:
    if label not in order: order.append(label)
    by[label].setdefault(side, {})[r] = (float(rps), float(p50), float(p99), int(bad))
print("| endpoint | BEFORE req/s | AFTER req/s | BEFORE p50 / p99 ms | AFTER p50 / p99 ms | AFTER/BEFORE req/s per round | mean |")
print("|---|---|---|---|---|---|---|")
for label in order:
    b, a = by[label].get("before", {}), by[label].get("after", {})
    rounds = sorted(set(b) & set(a), key=int)
    ratios = [a[r][0] / b[r][0] if b[r][0] else float("nan") for r in rounds]
    f = lambda d, i: " / ".join(f"{d[r][i]:,.0f}" if i == 0 else f"{d[r][i]:.2f}" for r in sorted(d, key=int))
    lat = lambda d: "; ".join(f"{d[r][1]:.2f} / {d[r][2]:.2f}" for r in sorted(d, key=int))
    bad = sum(d[r][3] for d in (a, b) for r in d)
    print(f"| {label}{' (non-2xx: %d)' % bad if bad else ''} | {f(b, 0)} | {f(a, 0)} | {lat(b)} | {lat(a)} | "
          f"{', '.join(f'{x:.2f}' for x in ratios)} | **{st.mean(ratios):.2f}** |")
PY
}
