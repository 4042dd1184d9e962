#!/usr/bin/env python3
"""The alert rules and dashboards against a real Prometheus scraping a real server (issue 18, §4).

  VERTICE_BIN=build/ci/vertice tests/ops/alerts/alerts_e2e_test.py

A throwaway PostgreSQL cluster (scripts/lib/pg.sh), `vertice migrate up`, `vertice serve` with a
metrics token, and Debian's `prometheus` scraping it every second with deploy/prometheus/rules
loaded (a copy whose `for:` durations are 2 s, so an alert can go pending and fire within the
test). Through Prometheus' HTTP API:
  - /metrics passes `promtool check metrics`; the vertice target is up and the token was accepted;
  - every recording and alerting rule has been evaluated without error, and each rule's query and
    every panel query of deploy/grafana/*.json evaluates without error (an empty result is fine:
    node_exporter and the backups' textfile are not running here);
  - the series the alerts read exist (vertice_ready, pool size, WAL archiver);
then the database is stopped and VerticeNotReady's expression must hold and the alert go pending
or firing within a bounded wait, while the target stays up. Python's standard library only.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BIN = os.environ.get("VERTICE_BIN") or str(ROOT / "build" / "ci" / "vertice")
PG_SH = ROOT / "scripts" / "lib" / "pg.sh"
TOKEN = "alerts-e2e-scrape-token"

tmp = Path(tempfile.mkdtemp(prefix="vertice-alerts-test."))
os.chmod(tmp, 0o755)  # the cluster's OS user (postgres) must reach its directories
procs = []  # started processes, stopped on exit (newest first)
cluster_up = False


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def fail(msg):
    raise AssertionError(msg)


def pg(*args, timeout=120):
    """Runs a function of scripts/lib/pg.sh (pg_init, pg_start, pg_stop, pg_psql…)."""
    cmd = ["bash", "-c", f'set -euo pipefail; . "{PG_SH}"; "$@"', "pg.sh", *map(str, args)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/")
    if p.returncode != 0:
        fail(f"{' '.join(map(str, args))} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p.stdout


def free_port(start):
    for p in range(start, start + 1000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
                return p
            except OSError:
                continue
    fail(f"no free port from {start}")


def wait_for(what, check, timeout, every=0.25):
    """Polls check() until it returns something truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (OSError, urllib.error.URLError, ValueError) as e:
            last = e
        time.sleep(every)
    fail(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


def get(url, headers=None, timeout=5):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def start(cmd, env, log_name):
    out = open(tmp / log_name, "w")
    p = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd="/", start_new_session=True)
    procs.append(p)
    return p


class Prometheus:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def api(self, path, **params):
        data = urllib.parse.urlencode(params).encode() if params else None
        with urllib.request.urlopen(self.base + path, data=data, timeout=10) as r:
            body = json.load(r)
        if body.get("status") != "success":
            fail(f"{path} {params}: {body}")
        return body["data"]

    def query(self, expr):
        """Evaluates expr now; returns (error or None, result)."""
        try:
            return None, self.api("/api/v1/query", query=expr)["result"]
        except urllib.error.HTTPError as e:
            return e.read().decode(), None

    def rules(self):
        return [r for g in self.api("/api/v1/rules")["groups"] for r in g["rules"]]


def dashboard_queries():
    queries = []
    for f in sorted((ROOT / "deploy" / "grafana").glob("*.json")):
        for panel in json.loads(f.read_text())["panels"]:
            for t in panel.get("targets", []):
                queries.append((f"{f.name}: {panel['title']}", t["expr"]))
    if len(queries) < 40:
        fail(f"only {len(queries)} dashboard queries found")
    return queries


def main():
    global cluster_up
    # The database: roles and database as in docs/operations.md, the schema by migrate up.
    pg_port = free_port(21000 + os.getpid() % 10000)
    data, sock = tmp / "pg", tmp / "run"
    pg("pg_init", data, "trust")
    pg("pg_start", data, sock, pg_port, tmp / "postgres.log")
    cluster_up = True
    pg("pg_psql", sock, pg_port, "postgres", "-c", "CREATE ROLE vertice_owner LOGIN", "-c",
       "CREATE ROLE vertice_app LOGIN", "-c", "CREATE DATABASE vertice OWNER vertice_owner")
    env = dict(os.environ,
               DATABASE_URL=f"postgresql://vertice_app@127.0.0.1:{pg_port}/vertice",
               VERTICE_ADMIN_DATABASE_URL=f"postgresql://vertice_owner@127.0.0.1:{pg_port}/vertice")
    p = subprocess.run([BIN, "migrate", "up"], env=env, capture_output=True, text=True, timeout=180, cwd="/")
    if p.returncode != 0:
        fail(f"migrate up exited {p.returncode}\n{p.stdout}\n{p.stderr}")

    # The server, with a metrics token.
    port = free_port(pg_port + 1)
    env.update(VERTICE_LISTEN=f"127.0.0.1:{port}", VERTICE_METRICS_TOKEN=TOKEN, VERTICE_LOG_LEVEL="warn",
               VERTICE_THREADS="2", VERTICE_POOL_SIZE="4")
    server = start([BIN, "serve"], env, "server.log")
    base = f"http://127.0.0.1:{port}"
    wait_for("/readyz", lambda: server.poll() is None and get(base + "/readyz")[0] == 200, 60)
    status, body = get(base + "/metrics", {"Authorization": f"Bearer {TOKEN}"})
    if status != 200 or "\nvertice_ready 1\n" not in body:
        fail(f"/metrics with the token: {status}\n{body[-2000:]}")
    lint = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, text=True, timeout=30)
    if lint.returncode != 0:
        fail(f"promtool check metrics on /metrics:\n{lint.stdout}{lint.stderr}")

    # Prometheus: the rules of deploy/prometheus with every `for:` cut to 2 s.
    (tmp / "token").write_text(TOKEN)
    rules_dir = tmp / "rules"
    rules_dir.mkdir()
    for f in (ROOT / "deploy" / "prometheus" / "rules").glob("*.yml"):
        (rules_dir / f.name).write_text(re.sub(r"(?m)^(\s+for: )\S+$", r"\g<1>2s", f.read_text()))
    prom_port = free_port(port + 1)
    (tmp / "prometheus.yml").write_text(f"""
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - {rules_dir}/recording.yml
  - {rules_dir}/alerts.yml
scrape_configs:
  - job_name: vertice
    authorization:
      type: Bearer
      credentials_file: {tmp}/token
    static_configs:
      - targets: ["127.0.0.1:{port}"]
""")
    prom = start(["prometheus", f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/tsdb",
                  f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"], os.environ.copy(),
                 "prometheus.log")
    P = Prometheus(prom_port)
    wait_for("Prometheus ready", lambda: prom.poll() is None and get(P.base + "/-/ready")[0] == 200, 60)

    # The target is up (the token was accepted) and the rules have been evaluated a few times.
    wait_for("up{job=vertice} == 1", lambda: P.query('up{job="vertice"} == 1')[1], 30)
    rules = P.rules()
    alerts = {r["name"] for r in rules if r["type"] == "alerting"}
    wanted = {"VerticeDown", "VerticeNotReady", "VerticeHigh5xxRatio", "VerticeLatencyP99OverBudget",
              "VerticeDbPoolSaturated", "VerticeRequestTimeouts", "VerticeUnifiedViewStale",
              "VerticeRefreshFailures", "VerticeNoSchedulerLeader", "VerticeBackupTooOld",
              "VerticeWalArchivingFailing", "VerticeDiskFilling"}
    if alerts != wanted:
        fail(f"alert names: missing {sorted(wanted - alerts)}, unexpected {sorted(alerts - wanted)}")
    wait_for("every rule evaluated", lambda: all(r["health"] != "unknown" for r in P.rules()), 30)
    time.sleep(3)  # a few more evaluations with the first samples in
    bad = [f"{r['name']}: {r.get('lastError')}" for r in P.rules() if r["health"] != "ok"]
    if bad:
        fail("rules evaluated with errors:\n" + "\n".join(bad))

    # Each rule's query and each dashboard panel's query, evaluated now.
    checked = [(f"rule {r['name']}", r["query"]) for r in rules] + dashboard_queries()
    errors = []
    for what, expr in checked:
        err, _ = P.query(expr)
        if err is not None:
            errors.append(f"{what}: {expr}\n  {err}")
    if errors:
        fail(f"{len(errors)} of {len(checked)} queries failed:\n" + "\n".join(errors))
    log(f"{len(rules)} rules and {len(checked) - len(rules)} dashboard queries evaluate without error")

    # The series the alerts read arrive in Prometheus.
    for series in ("vertice_ready", "vertice_db_pool_max_connections", "vertice_pg_archiver_failed_total",
                   "vertice_pg_archiver_last_archived_timestamp_seconds", "vertice_scheduler_leader",
                   'vertice_mv_status{status="critical"}', "instance:vertice_db_pool_utilisation:ratio"):
        wait_for(f"series {series}", lambda s=series: P.query(s)[1], 15)
    not_ready = next(r for r in rules if r["name"] == "VerticeNotReady")
    err, result = P.query(not_ready["query"])
    if err is not None or result:
        fail(f"VerticeNotReady's expression holds with the database up: {err or result}")

    # Stop the database: readiness fails, the alert's expression holds, the alert goes pending/firing.
    t0 = time.monotonic()
    pg("pg_stop", data)
    cluster_up = False
    wait_for("VerticeNotReady's expression to hold", lambda: P.query(not_ready["query"])[1], 30)
    log(f"vertice_ready == 0 in Prometheus {time.monotonic() - t0:.1f} s after the database stopped")

    def not_ready_alert():
        return [a["state"] for a in P.api("/api/v1/alerts")["alerts"]
                if a["labels"]["alertname"] == "VerticeNotReady" and a["state"] in ("pending", "firing")]
    wait_for("VerticeNotReady pending or firing", not_ready_alert, 30)
    wait_for("VerticeNotReady firing", lambda: "firing" in not_ready_alert(), 30)
    log(f"VerticeNotReady firing {time.monotonic() - t0:.1f} s after the database stopped")
    if not P.query('up{job="vertice"} == 1')[1]:
        fail("the target stopped answering /metrics when the database stopped")
    down = next(r for r in rules if r["name"] == "VerticeDown")
    if P.query(down["query"])[1]:
        fail("VerticeDown's expression holds although the instance still answers")
    if server.poll() is not None:
        fail(f"the server exited ({server.returncode}) when the database stopped")
    log("ok")


def cleanup():
    for p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
    if cluster_up:
        try:
            pg("pg_stop", tmp / "pg")
        except Exception as e:  # noqa: BLE001 - cleanup goes on
            print(f"pg_stop: {e}", file=sys.stderr)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # ctest's timeout: clean up all the same
    code = 0
    try:
        main()
    except BaseException as e:  # noqa: BLE001 - report, clean up, exit non-zero
        code = 1
        print(f"FAILED: {e}", file=sys.stderr)
        for name in ("server.log", "prometheus.log"):
            f = tmp / name
            if f.exists():
                print(f"--- {name} (tail) ---\n" + "\n".join(f.read_text().splitlines()[-30:]), file=sys.stderr)
    finally:
        cleanup()
        if code == 0 or not os.environ.get("KEEP_TEST_DIR"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}", file=sys.stderr)
    sys.exit(code)
