#!/usr/bin/env python3
"""Drives bench/dashboard.sh: USERS accounts with APPS_PER_USER apps each on the simulated cluster, then for each
number of streams in STREAMS (spread over the users, at most 8 a user), opens that many GET /v1/stream?app=... with
each user's dashboard cookie, reads them for SECONDS, and measures the server's CPU time from /proc/PID/stat over the
same seconds. Prints one line per count: streams, server CPU ms per second, and per stream, events and bytes a second.

usage: streams.py API SERVER_PID USERS APPS_PER_USER SECONDS STREAMS...
Standard library only.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

api, pid, users, per_user, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
counts = [int(c) for c in sys.argv[6:]]
address = urllib.parse.urlparse(api)
TICKS = os.sysconf("SC_CLK_TCK")


def call(method, path, token=None, body=None, headers=None):
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
    sent = {"Accept": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    connection.request(method, path, body=data, headers=sent)
    answer = connection.getresponse()
    text = answer.read()
    connection.close()
    if answer.status >= 300:
        raise SystemExit(f"streams.py: {method} {path} answered {answer.status}: {text[:300]!r}")
    return answer, (json.loads(text) if text else None)


def cpu_seconds():
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


sessions = []
for u in range(users):
    credentials = {"username": f"dash{u:03d}", "password": "bench-password-1"}
    call("POST", "/v1/accounts", body=credentials)
    _, session = call("POST", "/v1/sessions", body=credentials)
    token = session["token"]
    apps = [{"name": f"app{a:03d}", "command": ["sleep", "infinity"], "replicas": 1} for a in range(per_user)]
    call("PUT", "/v1/apps", token, apps)
    answer, _ = call("POST", "/ui/session", body=credentials)
    cookie = answer.getheader("Set-Cookie").split(";", 1)[0]
    sessions.append((cookie, [f"app{a:03d}" for a in range(per_user)]))
time.sleep(5)  # every app running on the simulated cluster


def read(cookie, app, stop, totals):
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request("GET", "/v1/stream?app=" + app, headers={"Cookie": cookie, "Accept": "text/event-stream"})
    answer = connection.getresponse()
    if answer.status != 200:
        raise SystemExit(f"streams.py: stream of {app} answered {answer.status}")
    events = data = 0
    while not stop.is_set():
        line = answer.fp.readline()
        if not line:
            break
        data += len(line)
        if line.startswith(b"event:"):
            events += 1
    connection.close()
    totals.append((events, data))


print("streams  server_cpu_ms_per_s  events_per_stream_s  bytes_per_stream_s")
idle_before = cpu_seconds()
time.sleep(seconds)
idle = (cpu_seconds() - idle_before) / seconds * 1000
print(f"{0:>7}  {idle:>19.1f}  {'-':>19}  {'-':>18}")
for count in counts:
    stop = threading.Event()
    totals = []
    threads = []
    for i in range(count):
        cookie, apps = sessions[i % len(sessions)]
        thread = threading.Thread(target=read, args=(cookie, apps[(i // len(sessions)) % len(apps)], stop, totals))
        thread.start()
        threads.append(thread)
    time.sleep(3)  # past the first events of every stream
    before = cpu_seconds()
    began = time.perf_counter()
    time.sleep(seconds)
    cpu = (cpu_seconds() - before) / (time.perf_counter() - began) * 1000
    stop.set()
    for thread in threads:
        thread.join()
    events = sum(t[0] for t in totals) / count / (seconds + 3)
    data = sum(t[1] for t in totals) / count / (seconds + 3)
    print(f"{count:>7}  {cpu:>19.1f}  {events:>19.2f}  {data:>18.0f}")
    time.sleep(3)  # the streams closed are noticed at their next look
