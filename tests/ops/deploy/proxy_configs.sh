#!/usr/bin/env bash
# Syntax-checks the reverse-proxy configurations with the proxies themselves: `nginx -t` on
# deploy/nginx/vertice.conf and `haproxy -c` on deploy/haproxy/vertice.cfg, with a throwaway
# self-signed certificate and temp paths in place of the production ones. Also checks the rules
# the configurations exist for are still in them (a config that lost them would still parse).
#   tests/ops/deploy/proxy_configs.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
tmp="$(mktemp -d /tmp/deploy-proxy.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1" >&2; fails=$((fails + 1)); fi; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=vertice.test \
  -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" 2>/dev/null
cat "$tmp/fullchain.pem" "$tmp/privkey.pem" >"$tmp/vertice.pem"

nginx_site="$repo/deploy/nginx/vertice.conf"
sed -e "s|/etc/ssl/vertice/|$tmp/|g" -e "s|/var/www/html|$tmp|" "$nginx_site" >"$tmp/site.conf"
cat >"$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    include $tmp/site.conf;
}
CONF
check "nginx -t accepts deploy/nginx/vertice.conf" nginx -q -t -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf"

haproxy_cfg="$repo/deploy/haproxy/vertice.cfg"
sed -e "s|/etc/haproxy/certs/vertice.pem|$tmp/vertice.pem|" -e "s|log /dev/log local0|log stdout local0|" \
  "$haproxy_cfg" >"$tmp/haproxy.cfg"
check "haproxy -c accepts deploy/haproxy/vertice.cfg" haproxy -q -c -f "$tmp/haproxy.cfg"

for f in "$nginx_site" "$haproxy_cfg"; do
  name="${f#"$repo/"}"
  check "$name redirects HTTP to HTTPS" grep -Eq 'return 301 https|redirect scheme https' "$f"
  check "$name sends HSTS" grep -q 'Strict-Transport-Security' "$f"
  check "$name forwards the client address and scheme" grep -Eq 'X-Forwarded-Proto' "$f"
  check "$name keeps /metrics inside" grep -Eq 'location = /metrics \{ return 404|deny .* path /metrics' "$f"
done
check "nginx does not buffer the change feed" grep -Pzoq 'location = /api/v1/events \{[^}]*proxy_buffering off' "$nginx_site"
# The SSE route the proxies special-case is still the server's.
check "/api/v1/events is the server's SSE route" grep -q '"/api/v1/events"' "$repo/src/api/freshness_routes.cpp"
[ "$fails" -eq 0 ]
