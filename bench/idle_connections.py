#!/usr/bin/env python3
"""Opens N keep-alive connections to the server, sends one request on each, then holds them
idle and prints the server's resident memory. Usage: idle_connections.py PORT PID N"""
import socket
import sys
import time

port, pid, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])


def rss_mib(p):
    with open(f"/proc/{p}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return -1


before = rss_mib(pid)
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
    socks.append(s)
ok = 0
for s in socks:
    data = s.recv(4096)
    if b" 200 " in data:
        ok += 1
time.sleep(2)
held = sum(1 for s in socks if s.fileno() >= 0)
print(f"idle keep-alive connections answered: {ok}/{n}, held open: {held}")
print(f"server RSS: {before:.1f} MiB before, {rss_mib(pid):.1f} MiB with {n} idle connections")
for s in socks:
    s.close()
