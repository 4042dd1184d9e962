#!/usr/bin/env python3
"""Commit-to-dashboard latency: with the company's event stream open, record a POS sale through
the API, wait for the stream's change notice, read the dashboard and check the sale is in
today's revenue. Prints p50/p99/max of POST-answered → notice received → dashboard shows it.
Usage: commit_to_dashboard.py BASE_URL EMAIL PASSWORD COMPANY POS_ID SKU N"""
import json, socket, sys, time, urllib.request
from decimal import Decimal

base, email, password, company, pos_id, sku, n = sys.argv[1:8]
n = int(n)
host, port = base.replace("http://", "").split(":")

def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
        req.add_header("X-Company-Id", company)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())

token = call("POST", "/api/v1/auth/login", {"email": email, "password": password})["token"]
stream = socket.create_connection((host, int(port)))
stream.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
               f"X-Company-Id: {company}\r\n\r\n".encode())
buf = b""
def wait_for(needle, timeout=5.0):
    global buf
    stream.settimeout(timeout)
    while needle not in buf:
        buf += stream.recv(65536)
    buf = buf[buf.index(needle) + len(needle):]

wait_for(b"event: ready")
notice, visible = [], []
for i in range(n):
    before = Decimal(call("GET", "/api/v1/dashboard", token=token)["revenue"]["today"])
    buf = b""
    t0 = time.perf_counter()
    sale = call("POST", f"/api/v1/verticals/cpg/pos/{pos_id}/sales",
                {"ticket": f"L{time.time_ns()}-{i}", "payment_method": "cash",
                 "lines": [{"sku": sku, "quantity": "1"}]}, token)
    wait_for(b"event: change")
    t1 = time.perf_counter()
    today = Decimal(call("GET", "/api/v1/dashboard", token=token)["revenue"]["today"])
    t2 = time.perf_counter()
    assert today == before + Decimal(sale["total"]), (before, today, sale["total"])
    notice.append((t1 - t0) * 1000)
    visible.append((t2 - t0) * 1000)

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
for name, xs in (("POST → change notice", notice), ("POST → dashboard shows the sale", visible)):
    print(f"{name}: p50 {pct(xs, 50):.1f} ms, p99 {pct(xs, 99):.1f} ms, max {max(xs):.1f} ms ({len(xs)} sales)")
