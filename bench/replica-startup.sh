#!/usr/bin/env bash
# Replica start-to-ready time of examples/hello on the local cluster: a private `emp server` on free ports, an
# account, hello deployed with 0 replicas, then RUNS times: PUT /v1/apps/hello/replicas {"replicas":1}, wait until
# GET /v1/apps/hello shows replicas.ready == 1, scale back to 0 and wait until `instances` is empty.
#
# Two figures per run:
#   server  ready.time - scale.time, from the app's event log (the server's own timestamps);
#   wall    from just before the PUT is sent until a poll of GET /v1/apps/hello (every POLL_MS) shows ready == 1.
# And a breakdown from the server's clock: scale -> replica process spawned (the "--- emp: ... starting replica"
# line in the replica's log), spawned -> ready (JVM start of hello plus the health probe's period).
#
# Prints min / median / p90 / max in ms (p90 interpolated linearly between closest ranks). Prints figures only.
#
# Knobs (environment): RUNS (default 20), POLL_MS (10), SETTLE_S (0.5, pause between runs),
# EMP_SERVER_ARGS (extra `emp server` arguments, e.g. "--set cluster.local.health-interval=50ms"),
# API_PORT / GATEWAY_PORT (default: free ports).
# Needs the distribution (dist/target/emp), curl, python3 (standard library only) and java.
set -euo pipefail

BENCH_NAME=replica-startup
# shellcheck source=lib/server.sh
source "$(dirname "$0")/lib/server.sh"

RUNS=${RUNS:-20}
POLL_MS=${POLL_MS:-10}
SETTLE_S=${SETTLE_S:-0.5}
read -r -a EXTRA_ARGS <<<"${EMP_SERVER_ARGS:-}"

bench_require
bench_start_server "${EXTRA_ARGS[@]}"
bench_login
bench_call POST /v1/apps "$(bench_hello_spec hello)" >/dev/null

echo "replica-startup: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start;" \
    "server $API (pid $SERVER_PID)${EXTRA_ARGS[*]:+ with ${EXTRA_ARGS[*]}}"
echo "replica-startup: $RUNS runs of scale 0 -> 1 of examples/hello ($HELLO_JAR), polling every $POLL_MS ms"

# In the background and waited for, so that a SIGTERM to this script is handled at once (bench_cleanup ends it).
python3 - "$API_PORT" "$TOKEN" "$RUNS" "$POLL_MS" "$SETTLE_S" "$BENCH_WORK/replica-pids" <<'PY' &
import calendar
import http.client
import json
import re
import sys
import time

port, token, runs, poll_ms, settle_s, pids_file = (
    int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
APP = "/v1/apps/hello"
TIMEOUT_S = 60


def fail(message):
    sys.stderr.write("replica-startup: " + message + "\n")
    sys.exit(1)


conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def call(method, path, body=None):
    """One request on a kept-alive connection; the JSON answer, or exit with the server's problem."""
    global conn
    headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    for attempt in (1, 2):
        try:
            conn.request(method, path, body=data, headers=headers)
            answer = conn.getresponse()
            raw = answer.read()
            break
        except (http.client.HTTPException, OSError) as e:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            if attempt == 2:
                fail(f"{method} {path}: {e}")
    if answer.status // 100 != 2:
        fail(f"{method} {path} answered {answer.status}: {raw.decode(errors='replace')}")
    return json.loads(raw) if raw else None


ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d+))?(Z|[+-]\d\d:?\d\d)$")
fraction_digits = []


def instant_ns(text):
    """Nanoseconds since the epoch of an ISO-8601 instant with any number of fractional digits."""
    m = ISO.match(text)
    if not m:
        fail(f"cannot parse the timestamp '{text}'")
    seconds = calendar.timegm(tuple(int(g) for g in m.groups()[:6]))
    fraction = m.group(7) or ""
    fraction_digits.append(len(fraction))
    zone = m.group(8)
    offset = 0
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return (seconds - offset) * 10**9 + int(fraction[:9].ljust(9, "0"))


def poll_until(predicate, what):
    """Polls GET /v1/apps/hello every poll_ms (on a fixed schedule) until predicate(app); returns (app, ns)."""
    start = time.perf_counter()
    tick = 0
    while True:
        app = call("GET", APP)
        if predicate(app):
            return app, time.perf_counter_ns()
        if time.perf_counter() - start > TIMEOUT_S:
            fail(f"{what} not reached within {TIMEOUT_S} s; last answer: {json.dumps(app)}")
        tick += 1
        delay = start + tick * poll_ms / 1000 - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


def percentile(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


STARTING = re.compile(r"^--- emp: (\S+) starting replica (\S+) on port")
READY = re.compile(r"replica (\S+) is ready")
rows = []
for run in range(1, runs + 1):
    before = call("GET", APP + "/events?limit=1000")
    last_seq = max((e["seq"] for e in before), default=0)

    t0 = time.perf_counter_ns()
    call("PUT", APP + "/replicas", {"replicas": 1})
    app, t1 = poll_until(lambda a: a["replicas"]["ready"] == 1, "replicas.ready == 1")
    with open(pids_file, "a") as f:
        for instance in app["instances"]:
            if instance.get("pid"):
                f.write(f"{instance['pid']}\n")

    # The ready event is appended to the app's log asynchronously: it may land a moment after the app shows
    # ready == 1. Its timestamp is the server's either way.
    deadline = time.perf_counter() + 10
    while True:
        events = [e for e in call("GET", APP + "/events?limit=1000") if e["seq"] > last_seq]
        scale = next((e for e in events if e["type"] == "scale"), None)
        ready = next((e for e in events if e["type"] == "ready" and scale and e["seq"] > scale["seq"]), None)
        if scale is not None and ready is not None:
            break
        if time.perf_counter() > deadline:
            fail(f"run {run}: no scale event followed by a ready event after seq {last_seq} within 10 s"
                 f" of ready == 1: {json.dumps(events)}")
        time.sleep(0.01)
    scale_ns, ready_ns = instant_ns(scale["time"]), instant_ns(ready["time"])
    replica = READY.search(ready["message"])
    spawn_ns = None
    if replica:
        for line in call("GET", APP + "/logs?tail=10000"):
            m = STARTING.match(line.get("line", ""))
            if m and m.group(2) == replica.group(1) and line.get("instance") == replica.group(1):
                spawn_ns = instant_ns(m.group(1))

    t2 = time.perf_counter_ns()
    call("PUT", APP + "/replicas", {"replicas": 0})
    _, t3 = poll_until(lambda a: not a["instances"], "instances == []")

    row = {
        "server": (ready_ns - scale_ns) / 1e6,
        "wall": (t1 - t0) / 1e6,
        "spawn": (spawn_ns - scale_ns) / 1e6 if spawn_ns is not None else None,
        "after_spawn": (ready_ns - spawn_ns) / 1e6 if spawn_ns is not None else None,
        "stop": (t3 - t2) / 1e6,
    }
    rows.append(row)
    fmt = lambda v: f"{v:9.1f}" if v is not None else f"{'n/a':>9}"
    if run == 1:
        print(f"{'run':>4} {'server':>9} {'wall':>9} {'->spawn':>9} {'spawn->rdy':>10} {'stop wall':>9}   (ms)")
    print(f"{run:>4} {fmt(row['server'])} {fmt(row['wall'])} {fmt(row['spawn'])} {fmt(row['after_spawn']):>10}"
          f" {fmt(row['stop'])}", flush=True)
    time.sleep(settle_s)

print()
print(f"server timestamps: {min(fraction_digits)} to {max(fraction_digits)} fractional digits")
print(f"{'figure (ms)':<44} {'min':>8} {'median':>8} {'p90':>8} {'max':>8}")
labels = [
    ("server", "start-to-ready, server events (ready-scale)"),
    ("wall", "start-to-ready, wall clock (poll " + f"{poll_ms:g} ms)"),
    ("spawn", "  scale event -> process spawned"),
    ("after_spawn", "  process spawned -> ready event"),
    ("stop", "scale 1 -> 0 until no instances, wall clock"),
]
for key, label in labels:
    values = [r[key] for r in rows if r[key] is not None]
    if not values:
        print(f"{label:<44} {'n/a':>8}")
        continue
    print(f"{label:<44} {min(values):8.1f} {percentile(values, 50):8.1f} {percentile(values, 90):8.1f}"
          f" {max(values):8.1f}")
PY
BENCH_CHILD_PIDS+=($!)
wait "${BENCH_CHILD_PIDS[-1]}"

echo "replica-startup: load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
