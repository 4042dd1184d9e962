#!/usr/bin/env python3
"""Rehearses backup and point-in-time restore end to end (issue 18, section 2).

  VERTICE_BIN=build/ci/vertice tests/ops/backup/backup_restore_test.py

A throwaway cluster archives its WAL into a private pgBackRest repository; `vertice serve` takes POS
sales and CFDI imports over HTTP for two companies. scripts/backup takes a full backup (and its
metric), more writes, a differential backup, more writes; then writes pause and T = the database's
clock, a named restore point is made, and every table of the public schema is fingerprinted (row
count and md5 of its rows ordered by their text). More writes follow, the WAL is switched and
archived. scripts/restore then brings back, each into a fresh data directory started on another port:
  - the cluster as of T: exactly the fingerprints taken at T (none of the later rows);
  - the cluster at the restore point: the same;
  - the differential backup set by its label: exactly the fingerprints taken when it ran;
and in the one restored to T the unified view equals its definition recomputed from the sources
(universal_transactions_source, and the daily totals re-aggregated), and `vertice refresh --full`
repairs nothing. Every wait is bounded; the clusters and the server are stopped on exit.
Python's standard library only (urllib, json, subprocess): nothing to install.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BIN = os.environ.get("VERTICE_BIN") or str(ROOT / "build" / "ci" / "vertice")
PG_BIN = "/usr/lib/postgresql/15/bin"
IS_ROOT = os.geteuid() == 0
AS_PG = ["runuser", "-u", "postgres", "--"] if IS_ROOT else []
INVOICE_TEMPLATE = ROOT / "tests" / "fixtures" / "cfdi" / "cfdi40_i_valid.xml"
INVOICE_UUID = "6F35D3B5-3651-5370-BC2C-14CDBE384CD7"
# The fixture's emisor and receptor: acme issues the invoices, beta receives them.
COMPANIES = {"acme": "EKU9003173C9", "beta": "MCI7306249Y1"}
PASSWORD = "backup-rehearsal-1"

tmp = Path(tempfile.mkdtemp(prefix="vertice-backup-test."))
os.chmod(tmp, 0o755)
clusters = []  # data directories to stop on exit
server = None


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def fail(msg):
    raise AssertionError(msg)


def run(cmd, env=None, check=True, timeout=240, quiet=False):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd="/")
    if check and p.returncode != 0:
        fail(f"{' '.join(map(str, cmd))} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    if not quiet and p.stdout.strip():
        print(p.stdout.rstrip(), flush=True)
    return p


def owned_dir(path):
    path.mkdir(parents=True, exist_ok=True)
    if IS_ROOT:
        shutil.chown(path, "postgres", "postgres")
    return path


def free_port(start):
    import socket
    for p in range(start, start + 500):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
                return p
            except OSError:
                continue
    fail("no free port")


class Cluster:
    def __init__(self, data, port):
        self.data, self.port = data, port
        self.sock = owned_dir(tmp / f"run-{port}")
        os.chmod(self.sock, 0o700)

    def start(self, options=""):
        logf = tmp / f"postgres-{self.port}.log"
        logf.touch()
        if IS_ROOT:
            shutil.chown(logf, "postgres", "postgres")
        clusters.append(self)
        p = run(AS_PG + [f"{PG_BIN}/pg_ctl", "-D", str(self.data), "-l", str(logf), "-w", "-t", "120", "-o",
                         f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sock} -c fsync=off {options}",
                         "start"], check=False, quiet=True)
        if p.returncode != 0:
            fail(f"PostgreSQL did not start on port {self.port}; the end of its log:\n"
                 + "\n".join(logf.read_text().splitlines()[-20:]))

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            run(AS_PG + [f"{PG_BIN}/pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop"],
                check=False, quiet=True)

    def sql(self, query, db="vertice"):
        p = run(AS_PG + ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", str(self.sock), "-p",
                         str(self.port), "-U", "postgres", "-d", db, "-c", query], quiet=True)
        return p.stdout.strip()

    def wait_promoted(self, timeout=120):
        # pg_ctl -w returns once it accepts (read-only) connections; recovery may still be replaying.
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.sql("SELECT pg_is_in_recovery()") == "f":
                return
            time.sleep(0.2)
        fail(f"restored cluster on {self.port} still in recovery after {timeout} s")

    def fingerprint(self):
        """{table: (row count, md5 of its rows ordered by their text)} for every permanent table of
        public (unlogged tables — the view's change notices — are not in the WAL by design)."""
        tables = self.sql("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                          "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relpersistence = 'p' "
                          "ORDER BY 1").split()
        if len(tables) < 20:
            fail(f"only {len(tables)} tables in public: {tables}")
        query = " UNION ALL ".join(
            f"SELECT '{t}', count(*), coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '') FROM \"{t}\" r"
            for t in tables)
        out = {}
        for line in self.sql(query).splitlines():
            name, count, digest = line.split("|")
            out[name] = (int(count), digest)
        return out

    def unified_matches_definition(self):
        # The view's rows against its definition, and the daily totals (deltas, merged or not)
        # against the same rows re-aggregated.
        rows = self.sql(
            "SELECT (SELECT count(*) FROM universal_transactions_mv), (SELECT count(*) FROM universal_transactions_source),"
            " (SELECT md5(string_agg(r::text, ',' ORDER BY r::text)) FROM universal_transactions_mv r) ="
            " (SELECT md5(string_agg(r::text, ',' ORDER BY r::text)) FROM universal_transactions_source r)")
        mv, source, same = rows.split("|")
        if mv != source or same != "t" or int(mv) == 0:
            fail(f"unified view ({mv} rows) differs from its definition ({source} rows)")
        keys = "company_id, tenant_id, fecha, transaction_type, vertical, source_table, status"
        totals = self.sql(
            f"WITH a AS (SELECT {keys}, sum(total) AS total, sum(count) AS count FROM universal_daily_totals"
            f"           GROUP BY {keys} HAVING sum(count) <> 0 OR sum(total) <> 0),"
            f" b AS (SELECT {keys}, sum(monto_total) AS total, count(*) AS count FROM universal_transactions_source"
            f"       GROUP BY {keys})"
            " SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM (SELECT * FROM a EXCEPT SELECT * FROM b) x)"
            " + (SELECT count(*) FROM (SELECT * FROM b EXCEPT SELECT * FROM a) y)")
        groups, differing = totals.split("|")
        if differing != "0":
            fail(f"daily totals: {differing} of {groups} groups differ from the view's rows re-aggregated")
        return int(mv)


def http(method, url, body=None, headers=None, expect=(200, 201)):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if body is not None and "Content-Type" not in (headers or {}):
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    if status not in expect:
        fail(f"{method} {url} -> {status}: {text[:500]}")
    return json.loads(text) if text else {}


class Writer:
    """Writes the way users do: POS sales and CFDI imports through the HTTP API."""

    def __init__(self, base):
        self.base, self.n = base, 0
        self.sessions = {}
        for company, rfc in COMPANIES.items():
            token = http("POST", f"{base}/api/v1/auth/login",
                         {"email": f"owner@{company}.mx", "password": PASSWORD})["token"]
            h = {"Authorization": f"Bearer {token}", "X-Company-Id": company}
            http("PUT", f"{base}/api/v1/verticals/cpg", {"enabled": True}, h)
            http("POST", f"{base}/api/v1/verticals/cpg/products",
                 {"sku": "CAFE", "name": "Café de olla", "unit_price": "37.50", "iva_rate": "0.16"}, h)
            pos = http("POST", f"{base}/api/v1/verticals/cpg/pos",
                       {"code": "P1", "name": "Tienda centro", "retailer_rfc": "XAXX010101000"}, h)
            self.sessions[company] = (h, pos["pos_id"])
        self.xml = INVOICE_TEMPLATE.read_text()

    def write(self, sales, invoices):
        for company, (h, pos) in self.sessions.items():
            for _ in range(sales):
                self.n += 1
                http("POST", f"{self.base}/api/v1/verticals/cpg/pos/{pos}/sales",
                     {"ticket": f"T-{self.n}", "payment_method": "card" if self.n % 3 else "cash",
                      "lines": [{"sku": "CAFE", "quantity": str(1 + self.n % 4)}]}, h)
        for _ in range(invoices):
            # One invoice per UUID, imported by its emisor (issued) and its receptor (received).
            xml = self.xml.replace(INVOICE_UUID, str(uuid.uuid4()).upper()).encode()
            for company, (h, _) in self.sessions.items():
                # 201: accepted and stored (200 would be a duplicate).
                http("POST", f"{self.base}/api/v1/invoices", xml, dict(h, **{"Content-Type": "application/xml"}),
                     expect=(201,))


def backup(cfg, kind, textfiles):
    env = dict(os.environ, VERTICE_TEXTFILE_DIR=str(textfiles))
    out = run([str(ROOT / "scripts" / "backup"), "--type", kind, "--config", str(cfg)], env=env, quiet=True).stdout
    m = re.search(r"==> backup (\S+) \((\w+)\) done", out)
    if not m or m.group(2) != kind:
        fail(f"scripts/backup did not report a {kind} backup:\n{out}")
    prom = (textfiles / f"vertice_backup_vertice_{kind}.prom").read_text()
    stamp = re.search(r'^vertice_backup_last_success_timestamp_seconds\{stanza="vertice",type="%s"\} (\d+)$' % kind,
                      prom, re.M)
    if not stamp or abs(time.time() - int(stamp.group(1))) > 120:
        fail(f"backup metric missing or not fresh:\n{prom}")
    if not re.search(r'^vertice_backup_duration_seconds\{stanza="vertice",type="%s"\} [0-9.]+$' % kind, prom, re.M):
        fail(f"backup duration metric missing:\n{prom}")
    log(f"{kind} backup {m.group(1)}; metric written")
    return m.group(1)


def restore(cfg, to, name):
    data = tmp / name
    run([str(ROOT / "scripts" / "restore"), "--to", to, "--data", str(data), "--config", str(cfg), "--no-archive"])
    c = Cluster(data, free_port(27260))
    c.start()
    c.wait_promoted()
    return c


def compare(expected, got, what):
    if expected != got:
        diff = [f"  {t}: expected {expected.get(t)}, got {got.get(t)}"
                for t in sorted(set(expected) | set(got)) if expected.get(t) != got.get(t)]
        fail(f"{what}: {len(diff)} table(s) differ\n" + "\n".join(diff))
    log(f"{what}: all {len(got)} tables equal (counts and checksums)")


def main():
    global server
    if not Path(BIN).exists():
        fail(f"VERTICE_BIN {BIN} does not exist")
    for d in ("repo", "log", "lock", "spool"):
        owned_dir(tmp / d)
    textfiles = tmp / "textfiles"
    textfiles.mkdir()
    primary = Cluster(tmp / "pg", free_port(27230))
    cfg = tmp / "pgbackrest.conf"
    cfg.write_text(f"""[global]
repo1-path={tmp}/repo
repo1-retention-full=2
compress-type=zst
start-fast=y
log-path={tmp}/log
lock-path={tmp}/lock
spool-path={tmp}/spool
log-level-console=warn
log-level-file=info

[vertice]
pg1-path={primary.data}
pg1-port={primary.port}
pg1-socket-path={primary.sock}
""")
    os.chmod(cfg, 0o644)

    log("initdb; archiving into a private pgBackRest repository")
    owned_dir(primary.data)
    os.chmod(primary.data, 0o700)
    run(AS_PG + [f"{PG_BIN}/initdb", "-D", str(primary.data), "-U", "postgres", "--auth-local=trust",
                 "--auth-host=trust", "-E", "UTF8", "--locale=C.UTF-8"], quiet=True)
    primary.start("-c wal_level=replica -c archive_mode=on "
                  f"-c archive_command='pgbackrest --config={cfg} --stanza=vertice archive-push %p'")
    primary.sql("CREATE ROLE vertice_owner LOGIN CREATEDB", db="postgres")
    primary.sql("CREATE ROLE vertice_app LOGIN", db="postgres")
    primary.sql("CREATE DATABASE vertice OWNER vertice_owner", db="postgres")
    env = dict(os.environ,
               VERTICE_ADMIN_DATABASE_URL=f"postgresql://vertice_owner@127.0.0.1:{primary.port}/vertice",
               DATABASE_URL=f"postgresql://vertice_app@127.0.0.1:{primary.port}/vertice",
               VERTICE_PASSWORD=PASSWORD)
    run([BIN, "migrate", "up"], env=env, quiet=True)
    run([BIN, "tenant", "create", "--id", "respaldo", "--name", "Ensayo de respaldo"], env=env, quiet=True)
    for company, rfc in COMPANIES.items():
        run([BIN, "company", "create", "--tenant", "respaldo", "--id", company, "--name", company.title() + " SA de CV",
             "--rfc", rfc], env=env, quiet=True)
        run([BIN, "user", "create", "--email", f"owner@{company}.mx", "--company", company, "--role", "owner"],
            env=env, quiet=True)

    http_port = free_port(18600)
    base = f"http://127.0.0.1:{http_port}"
    server = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{http_port}", "--run-jobs", "false"], env=env,
                              stdout=subprocess.DEVNULL, stderr=open(tmp / "server.log", "w"))
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
            break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                fail("vertice serve did not become healthy in 60 s:\n" + (tmp / "server.log").read_text()[-2000:])
            time.sleep(0.2)
    writer = Writer(base)

    writer.write(sales=15, invoices=2)
    backup(cfg, "full", textfiles)
    writer.write(sales=15, invoices=2)
    # The server runs no jobs: with the writer idle nothing changes (checked: the same before and
    # after), so this is the state at the differential backup's consistent end.
    at_diff = primary.fingerprint()
    diff_label = backup(cfg, "diff", textfiles)
    if primary.fingerprint() != at_diff:
        fail("the database changed during the differential backup with the writer paused")
    writer.write(sales=15, invoices=2)

    # T between two identical fingerprints: exactly what was committed at T.
    at_t = primary.fingerprint()
    t = primary.sql("SELECT clock_timestamp()")
    if primary.fingerprint() != at_t:
        fail("the database changed around T with the writer paused")
    primary.sql("SELECT pg_create_restore_point('before_rehearsal_writes')")
    log(f"T = {t}; {at_t['cpg_sales'][0]} sales, {at_t['sat_invoices'][0]} invoices")
    if at_t == at_diff:
        fail("writes after the differential backup changed nothing")

    writer.write(sales=15, invoices=2)
    final = primary.fingerprint()
    if final["cpg_sales"][0] <= at_t["cpg_sales"][0] or final["sat_invoices"][0] <= at_t["sat_invoices"][0]:
        fail("the writes after T did not land")
    segment = primary.sql("SELECT pg_walfile_name(pg_switch_wal())")
    deadline = time.time() + 60
    while primary.sql("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") < segment:
        if time.time() > deadline:
            fail(f"WAL segment {segment} not archived within 60 s")
        time.sleep(0.2)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)

    log("restore to T")
    r = restore(cfg, t, "restored-time")
    compare(at_t, r.fingerprint(), f"restored to {t}")
    rows = r.unified_matches_definition()
    admin = f"postgresql://vertice_owner@127.0.0.1:{r.port}/vertice"
    out = run([BIN, "refresh", "--full"], env=dict(os.environ, VERTICE_ADMIN_DATABASE_URL=admin,
                                                   DATABASE_URL=admin.replace("vertice_owner", "vertice_app")),
              quiet=True)
    said = out.stdout + out.stderr
    if not re.search(r"\b0 repaired\b", said):
        fail(f"full refresh of the restored database repaired rows:\n{said}")
    log(f"unified view: {rows} rows, equal to its definition; full refresh repaired nothing")
    r.stop()

    log("restore to the named restore point")
    r = restore(cfg, "name:before_rehearsal_writes", "restored-name")
    compare(at_t, r.fingerprint(), "restored to the restore point")
    r.stop()

    log(f"restore the differential backup set {diff_label}")
    r = restore(cfg, diff_label, "restored-set")
    compare(at_diff, r.fingerprint(), f"restored backup set {diff_label}")
    r.stop()

    # A restore never goes over a directory in use.
    p = run([str(ROOT / "scripts" / "restore"), "--to", "latest", "--data", str(primary.data), "--config", str(cfg)],
            check=False, quiet=True)
    if p.returncode == 0 or "running" not in p.stderr:
        fail(f"scripts/restore over the running cluster was not refused: {p.returncode} {p.stderr}")
    log("backup/restore rehearsal passed")


def cleanup():
    if server is not None and server.poll() is None:
        server.kill()
        server.wait(timeout=10)
    for c in reversed(clusters):
        c.stop()
    if os.environ.get("VERTICE_KEEP_TMP"):
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        if (tmp / "server.log").exists():
            print((tmp / "server.log").read_text()[-1500:], file=sys.stderr)
        sys.exit(1)
    finally:
        cleanup()
