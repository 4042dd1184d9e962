"""The HA cluster under faults: drives `scripts/cluster` (3 etcd, 3 Patroni PostgreSQL nodes,
HAProxy, PgBouncer, N `vertice serve`), writes the way users do through HAProxy's HTTP port, and
checks what a CFO cares about afterwards. Used by tests/ops/ha/failover_test.py (CI) and
bench/ha/run (every fault, repeated). Python's standard library only.

Every wait is bounded; every HTTP request has a client timeout longer than the server's own
request deadline, so a request that neither answers nor fails within it counts as a hang.
"""
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
IS_ROOT = os.geteuid() == 0
AS_PG = ["runuser", "-u", "postgres", "--"] if IS_ROOT else []
PASSWORD = "cluster-rehearsal-1"
CLIENT_TIMEOUT = 45  # the server's request deadline is 30 s


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def fail(msg):
    raise AssertionError(msg)


def wait_until(what, predicate, timeout, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value is not None and value is not False:  # node 0 is an answer
                return value
        except Exception:  # noqa: BLE001 — a probe failing is "not yet"
            pass
        time.sleep(every)
    fail(f"{what}: not within {timeout} s")


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def pick_base(candidates=(29000, 30000, 31000, 28000)):
    offsets = [101, 102, 103, 111, 112, 113, 201, 202, 203, 211, 212, 213, 300, 301, 380, 390, 400] + \
        list(range(501, 511))
    for base in candidates:
        if all(port_free(base + o) for o in offsets):
            return base
    fail("no free port range for the cluster")


def http(method, url, body=None, headers=None, timeout=CLIENT_TIMEOUT):
    """(status, parsed body or text); status 0 and the reason when the connection failed."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode(errors="replace")
    except (TimeoutError, socket.timeout):
        return -1, "timeout"
    except (urllib.error.URLError, ConnectionError, OSError) as e:
        return 0, str(e)
    try:
        return status, json.loads(text) if text else {}
    except ValueError:
        return status, text


def get(url, headers):
    """GET → (status, parsed body, response headers)."""
    req = urllib.request.Request(url, headers=dict(headers))
    try:
        with urllib.request.urlopen(req, timeout=CLIENT_TIMEOUT) as r:
            return r.status, json.loads(r.read().decode() or "{}"), r.headers  # case-insensitive
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), e.headers


def replica_reads(cluster, company):
    """Which stale-tolerant reads a replica answered: {path: lag seconds or None}."""
    out = {}
    for path in ("/api/v1/dashboard", "/api/v1/transactions?limit=5",
                 "/api/v1/reports/revenue?from=2026-01-01&to=2026-12-31"):
        st, body, headers = get(cluster.http_base + path, company.headers)
        if st != 200:
            fail(f"GET {path}: {st} {body}")
        lag = headers.get("X-Replica-Lag-Seconds")
        if path == "/api/v1/dashboard" and (lag is not None) != (body["freshness"].get("source") == "replica"):
            fail(f"the dashboard's freshness does not say where it was read: {body['freshness']}, header {lag}")
        out[path] = None if lag is None else float(lag)
    return out


class Cluster:
    def __init__(self, directory, servers=2, base=None, binary=None):
        self.dir = Path(directory)
        self.servers = servers
        self.base = base or pick_base()
        self.env = dict(os.environ, CLUSTER_DIR=str(self.dir), CLUSTER_PORT_BASE=str(self.base))
        if binary:
            self.env["VERTICE_BIN"] = binary
        self.vars = {}

    def script(self, *args, timeout=300):
        p = subprocess.run([str(ROOT / "scripts" / "cluster"), *args], env=self.env, capture_output=True,
                           text=True, timeout=timeout)
        if p.returncode != 0:
            fail(f"scripts/cluster {' '.join(args)} exited {p.returncode}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
        return p.stdout

    def up(self):
        started = time.monotonic()
        self.script("up", "--servers", str(self.servers))
        for line in self.script("env").splitlines():
            k, _, v = line.partition("=")
            self.vars[k] = v.strip('"')
        self.dir = Path(self.vars["CLUSTER_DIR"])  # the real directory (CLUSTER_DIR may be a link to it)
        self.http_base = self.vars["CLUSTER_HTTP"]
        self.rest_ports = [int(p) for p in self.vars["CLUSTER_REST_PORTS"].split()]
        self.pg_ports = [int(p) for p in self.vars["CLUSTER_PG_PORTS"].split()]
        self.server_ports = [int(p) for p in self.vars["CLUSTER_SERVER_PORTS"].split()]
        self.admin_url = self.vars["VERTICE_ADMIN_DATABASE_URL"]
        log(f"cluster up in {time.monotonic() - started:.1f} s on ports {self.base}+ ({self.dir})")

    def dump_logs(self, lines=15):
        """The last warnings and errors of every component, for a failed run's output."""
        for f in sorted((self.dir / "log").glob("*.log")):
            text = [ln for ln in f.read_text(errors="replace").splitlines()
                    if any(w in ln for w in ("error", "ERROR", "FATAL", "warn", "WARNING", "critical"))]
            if text:
                print(f"--- {f.name} (last {lines} warnings/errors)\n" + "\n".join(text[-lines:]), flush=True)

    def superuser_sql(self, i, query):
        """As postgres over node i's own socket (pg_hba trusts local connections)."""
        p = subprocess.run(AS_PG + ["psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-h", str(self.node_dir(i) / "run"),
                                    "-p", str(self.pg_ports[i]), "-U", "postgres", "-d", "vertice", "-c", query],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            fail(f"psql on pg{i + 1}: {p.stderr.strip()}\n{query}")
        return p.stdout.strip()

    def down(self):
        try:
            subprocess.run([str(ROOT / "scripts" / "cluster"), "down", "--purge"], env=self.env,
                           capture_output=True, text=True, timeout=240)
        except subprocess.TimeoutExpired:
            log("scripts/cluster down timed out")

    # --- PostgreSQL -------------------------------------------------------------------------
    def role(self, i):
        """'primary', 'replica', 'sync' or None for node i (0-based), from Patroni's REST API."""
        st, body = http("GET", f"http://127.0.0.1:{self.rest_ports[i]}/patroni", timeout=2)
        if st != 200 or not isinstance(body, dict):
            return None
        if body.get("role") in ("master", "primary") and body.get("state") == "running":
            return "primary"
        st, _ = http("GET", f"http://127.0.0.1:{self.rest_ports[i]}/sync", timeout=2)
        return "sync" if st == 200 else "replica"

    def primary(self):
        for i in range(3):
            st, _ = http("GET", f"http://127.0.0.1:{self.rest_ports[i]}/primary", timeout=2)
            if st == 200:
                return i
        return None

    def sync_standby(self):
        for i in range(3):
            st, _ = http("GET", f"http://127.0.0.1:{self.rest_ports[i]}/sync", timeout=2)
            if st == 200:
                return i
        return None

    def node_dir(self, i):
        return self.dir / f"pg{i + 1}"

    def postmaster_pid(self, i):
        return int((self.node_dir(i) / "data" / "postmaster.pid").read_text().split()[0])

    def pidfile(self, name):
        return int((self.dir / "run" / f"{name}.pid").read_text())

    def sql(self, query, url=None):
        p = subprocess.run(["psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1", url or self.admin_url, "-c", query],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            fail(f"psql: {p.stderr.strip()}\n{query}")
        return p.stdout.strip()

    def cli(self, *args):
        env = dict(self.env, VERTICE_ADMIN_DATABASE_URL=self.admin_url, DATABASE_URL=self.admin_url,
                   VERTICE_PASSWORD=PASSWORD)
        binary = self.env.get("VERTICE_BIN") or str(ROOT / "build" / "release" / "vertice")
        p = subprocess.run([binary, *args], env=env, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            fail(f"vertice {' '.join(args)}: {p.stderr.strip()}")
        return p.stdout

    def timeline(self):
        return int(self.sql("SELECT timeline_id FROM pg_control_checkpoint()"))

    # --- faults ----------------------------------------------------------------------------
    def kill_postmaster(self, i):
        os.kill(self.postmaster_pid(i), signal.SIGKILL)

    def kill_node(self, i):
        """The whole node at once: its Patroni and its PostgreSQL, as if the host died."""
        pid = self.postmaster_pid(i)
        os.kill(self.pidfile(f"patroni-pg{i + 1}"), signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)

    def restart_node(self, i):
        """Brings a killed node back (Patroni rejoins it as a replica, rewinding if needed)."""
        self.script("up", "--servers", str(self.servers))

    def patronictl(self, *args):
        p = subprocess.run(["patronictl", "-c", str(self.node_dir(0) / "patroni.yml"), *args],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            fail(f"patronictl {' '.join(args)}: {p.stdout}\n{p.stderr}")
        return p.stdout


class Company:
    """A tenant with one company, its owner, the CPG vertical on, one product and one POS."""

    def __init__(self, cluster, name):
        self.cluster, self.name = cluster, name
        cluster.cli("tenant", "create", "--id", f"t-{name}", "--name", f"Grupo {name}")
        cluster.cli("company", "create", "--tenant", f"t-{name}", "--id", name, "--name", f"{name.title()} SA de CV",
                    "--rfc", "EKU9003173C9")
        cluster.cli("user", "create", "--email", f"owner@{name}.mx", "--company", name, "--role", "owner")
        base = cluster.http_base
        st, body = http("POST", f"{base}/api/v1/auth/login", {"email": f"owner@{name}.mx", "password": PASSWORD})
        if st != 200:
            fail(f"login as owner@{name}.mx: {st} {body}")
        self.headers = {"Authorization": f"Bearer {body['token']}", "X-Company-Id": name}
        for method, path, payload in (
                ("PUT", "/api/v1/verticals/cpg", {"enabled": True}),
                ("POST", "/api/v1/verticals/cpg/products",
                 {"sku": "CAFE", "name": "Café de olla", "unit_price": "37.50", "iva_rate": "0.16"})):
            st, body = http(method, base + path, payload, self.headers)
            if st not in (200, 201):
                fail(f"{method} {path}: {st} {body}")
        st, body = http("POST", f"{base}/api/v1/verticals/cpg/pos",
                        {"code": "P1", "name": "Tienda centro", "retailer_rfc": "XAXX010101000"}, self.headers)
        if st not in (200, 201):
            fail(f"POST pos: {st} {body}")
        self.pos = body["pos_id"]


class Load:
    """Writers at a steady rate through HAProxy: POS sales and consignments (about 4:1). Every
    request is recorded: (kind, key, start, end, status)."""

    def __init__(self, cluster, company, writers=4, pause=0.02):
        self.cluster, self.company, self.writers, self.pause = cluster, company, writers, pause
        self.results = []
        self.lock = threading.Lock()
        self.stop_flag = threading.Event()
        self.threads = []
        self.seq = 0
        self.prefix = f"{int(time.time() * 1000) % 10**9:x}"  # tickets and folios unique across loads

    def _next(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def _writer(self, w):
        base, h = self.cluster.http_base, self.company.headers
        while not self.stop_flag.is_set():
            n = self._next()
            start = time.monotonic()
            if n % 5:
                key = f"T{self.prefix}-{w}-{n}"
                st, body = http("POST", f"{base}/api/v1/verticals/cpg/pos/{self.company.pos}/sales",
                                {"ticket": key, "payment_method": "card" if n % 3 else "cash",
                                 "lines": [{"sku": "CAFE", "quantity": str(1 + n % 4)}]}, h)
                kind = "sale"
            else:
                key = f"C{self.prefix}-{w}-{n}"
                st, body = http("POST", f"{base}/api/v1/verticals/cpg/consignment",
                                {"pos_id": str(self.company.pos), "folio": key, "consigned_on": "2026-12-01",
                                 "lines": [{"sku": "CAFE", "quantity": str(10 + n % 7)}]}, h)
                kind = "consignment"
            end = time.monotonic()
            code = body.get("error", {}).get("code") if isinstance(body, dict) and "error" in body else None
            with self.lock:
                self.results.append((kind, key, start, end, st, code))
            time.sleep(self.pause)

    def start(self):
        for w in range(self.writers):
            t = threading.Thread(target=self._writer, args=(w,), daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(CLIENT_TIMEOUT + 5)
            if t.is_alive():
                fail("a writer is still waiting on a request past the client timeout")

    def ok_since(self, t):
        with self.lock:
            return sum(1 for r in self.results if r[2] >= t and 200 <= r[4] < 300)

    def summary(self, fault_at):
        """Counts by status, and the window of failed requests around the fault."""
        by_status = {}
        for r in self.results:
            by_status[r[4]] = by_status.get(r[4], 0) + 1
        failed = [r for r in self.results if not 200 <= r[4] < 300]
        codes = {}
        for r in failed:
            codes[r[5] or str(r[4])] = codes.get(r[5] or str(r[4]), 0) + 1
        window = (max(r[3] for r in failed) - min(r[2] for r in failed)) if failed else 0.0
        return {"requests": len(self.results), "by_status": by_status, "failed": len(failed), "codes": codes,
                "failed_window_s": round(window, 2),
                "first_failure_after_fault_s": round(min(r[2] for r in failed) - fault_at, 2) if failed else None}


def check_after(cluster, company, load, allow_502=False):
    """0 acknowledged writes lost, nothing half-written, the unified view equal to its definition.
    Failures must be 503 (502 too when an instance was killed with requests inside it).
    Returns the number of acknowledged writes checked."""
    clean = (502, 503) if allow_502 else (503,)
    bad = [r for r in load.results if (r[4] >= 500 and r[4] not in clean) or r[4] in (-1, 0)]
    if bad:
        fail(f"{len(bad)} request(s) failed other than with 503 (500, hang or reset): {bad[:5]}")
    acked_sales = {r[1] for r in load.results if r[0] == "sale" and 200 <= r[4] < 300}
    acked_consignments = {r[1] for r in load.results if r[0] == "consignment" and 200 <= r[4] < 300}
    c = company.name
    sales = set(cluster.sql(f"SELECT ticket FROM cpg_sales WHERE company_id = '{c}'").split())
    consignments = set(cluster.sql(f"SELECT folio FROM cpg_consignments WHERE company_id = '{c}'").split())
    lost = (acked_sales - sales) | (acked_consignments - consignments)
    if lost:
        fail(f"{len(lost)} acknowledged write(s) missing on the new primary: {sorted(lost)[:10]}")
    half = cluster.sql(
        f"SELECT (SELECT count(*) FROM cpg_sales s WHERE company_id = '{c}' AND NOT EXISTS "
        f"(SELECT FROM cpg_sale_lines l WHERE l.sale_id = s.sale_id)) + "
        f"(SELECT count(*) FROM cpg_sales s WHERE company_id = '{c}' AND s.total <> "
        f"(SELECT sum(l.subtotal + l.iva) FROM cpg_sale_lines l WHERE l.sale_id = s.sale_id))")
    if half != "0":
        fail(f"{half} sale(s) without their lines or with totals that differ from them")
    rows = cluster.sql(
        "SELECT (SELECT count(*) FROM universal_transactions_mv), (SELECT count(*) FROM universal_transactions_source),"
        " (SELECT md5(string_agg(r::text, ',' ORDER BY r::text)) FROM universal_transactions_mv r) ="
        " (SELECT md5(string_agg(r::text, ',' ORDER BY r::text)) FROM universal_transactions_source r)")
    mv, source, same = rows.split("|")
    if mv != source or same != "t":
        fail(f"unified view ({mv} rows) differs from its definition ({source} rows)")
    return len(acked_sales) + len(acked_consignments)
