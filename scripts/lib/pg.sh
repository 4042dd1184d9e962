# shellcheck shell=bash
# Private PostgreSQL 15 clusters for scripts/up and scripts/test (sourced, not run).
# initdb/postgres refuse to run as root: as root the cluster runs as the `postgres` user, in a
# directory that user can reach (the checkout may sit under a folder it cannot enter).

PG_BIN=/usr/lib/postgresql/15/bin

pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Prints a directory the cluster's OS user can use for $1 (e.g. ./var): $1 itself when
# reachable, else a private directory under /var/tmp linked from $1.
pg_home_for() {
  local want="$1"
  mkdir -p "$want"
  if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$want" 2>/dev/null; then
    (cd "$want" && pwd)
    return
  fi
  local alt
  alt="/var/tmp/vertice-$( (cd "$want" && pwd) | md5sum | cut -c1-12)"
  mkdir -p "$alt"
  echo "$alt"
}

# A port is free when nothing listens on it and no socket holds it as its local port: a client's
# socket in TIME-WAIT (ports 32768-60999 are the kernel's ephemeral range) makes the postmaster's
# bind() fail although a connect test finds nobody there. Default ports sit below that range.
pg_port_free() {
  if command -v ss >/dev/null 2>&1; then
    [ -z "$(ss -Htan "sport = :$1" 2>/dev/null)" ]
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

pg_pick_port() {
  local p="${1:-25432}"
  while ! pg_port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}

# pg_init DATA_DIR AUTH_HOST(trust|scram-sha-256) [SUPERUSER_PASSWORD_FILE]
pg_init() {
  local data="$1" auth="$2" pwfile="${3:-}"
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
  chmod 700 "$data"
  local args=(-D "$data" -U postgres --auth-local=trust --auth-host="$auth" -E UTF8 --locale=C.UTF-8)
  [ -n "$pwfile" ] && args+=(--pwfile="$pwfile")
  pg_as_owner "$PG_BIN/initdb" "${args[@]}" >/dev/null
}

# pg_start DATA_DIR SOCKET_DIR PORT LOGFILE — loopback and a private unix socket only.
pg_start() {
  local data="$1" sock="$2" port="$3" log="$4"
  mkdir -p "$sock"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$sock"
  chmod 700 "$sock"
  touch "$log"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$log"
  local runner=()
  [ "$(id -u)" -eq 0 ] && runner=(runuser -u postgres --)
  # setsid: Ctrl-C in the terminal reaches the server and this script, not the database.
  setsid -w "${runner[@]}" "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $sock -c fsync=${PG_FSYNC:-on} -c max_connections=200 ${PG_OPTIONS:-}" start >/dev/null ||
    { echo "pg_start: PostgreSQL did not start on port $port; the end of $log:" >&2; tail -n 20 "$log" >&2; return 1; }
}

pg_stop() {
  local data="$1"
  [ -f "$data/postmaster.pid" ] || return 0
  pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null || true
}

# pg_psql SOCKET_DIR PORT DB SQL — as the superuser over the private socket.
pg_psql() {
  local sock="$1" port="$2" db="$3"
  shift 3
  pg_as_owner psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d "$db" "$@"
}
