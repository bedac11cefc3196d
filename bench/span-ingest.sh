#!/usr/bin/env bash
# Span ingestion, end to end into EMP's windows, side by side with a real Zipkin server ingesting the same kind of
# spans, over HTTP and over Kafka. Prints figures only.
#
# Set-up: a Kafka broker (the test harness's emp.testsupport.KafkaBroker, run by bench/spans BenchBroker with
# full-speed JVM options), an account with five apps at "replicas": 0 (aggregator, users, songs, playlists, auth), so
# their service names `bench/APP` are known, and a load generator (bench/spans SpanLoad) that builds songs-shaped
# traces (11 spans each) and encodes them with zipkin2's SpanBytesEncoder. Spans are authenticated: each app's
# credential is fetched from GET /v1/apps/APP/span-credential, and each batch of traces goes as one body or message
# per app, holding that app's spans only, with its credential (HTTP: EMP's URL with ?emp_token=; Kafka: header
# emp-span-token). Zipkin gets the same bodies and messages (over HTTP without the token).
#
#   http phase:  `emp server` (tracing-http, the default) and a Zipkin server (the distribution's zipkin-server.jar,
#                in-memory storage, -Xmx512m as `emp server --zipkin` runs it) side by side; the generator posts
#                batches to EMP's POST /api/v2/spans and to Zipkin's, HTTP_CONNECTIONS connections each, each target
#                at its own pace. EMP's forwarding to Zipkin is off: Zipkin gets its spans straight from the
#                generator, so neither target's speed limits the other's.
#   kafka phase: `emp server --tracing kafka` and the Zipkin server (KAFKA_BOOTSTRAP_SERVERS) reading topic `zipkin`
#                in their own consumer groups; the generator produces span-list messages at KAFKA_RATE spans/s.
#                EMP's memory is sampled every SAMPLE_EVERY s: RSS (ps) and, with HEAP_AFTER_GC=1, the heap used
#                right after a forced full GC (jcmd GC.run, then GC.heap_info).
#
# Each phase: WARMUP s of load whose figures are discarded, then the measured interval. Rates are counter deltas over
# the measured interval: "offered" from the generator (spans the target answered 2xx for / the broker acknowledged),
# "EMP" from GET /healthz checks.aggregation (spans_received: spans that reached the trace aggregator, of which
# spans_ignored were from unknown services), "Zipkin" from its /metrics (zipkin_collector spans minus spans_dropped).
# Correctness at each sample: every app's window (GET /v1/apps/APP/tracing) against what the traces EMP took in over
# the same 10 s imply (EMP's spans_received every second; bench/spans Expectation: each app's requests per trace and the p95 of their durations, from
# traces made the same way): rate_err% and p95_err% are the worst app's relative errors, sampling the share of
# traces EMP read (1 while it keeps up; the window's figures are then scaled back), offered_err% the worst app's rate
# against what the generator offered over the same 10 s (spans are timed when made, so a reader that lags behind
# the load, or windows that are stale, read low there). The control API's latency (200
# sequential GET /v1/apps, p50 and p99) is taken before the load and at the end of each phase, under it.
#
# Knobs (environment): PATHS ("http kafka"), WARMUP (20), HTTP_SECONDS (60), KAFKA_SECONDS (600: the long run),
# KAFKA_RATE (120000 spans/s; 0 = as fast as the producer goes), KAFKA_ZIPKIN (1; 0: EMP reads alone), DRAIN_SPANS
# (2000000), DRAIN_ZIPKIN (1; 0: EMP drains alone), HTTP_RATE (0 = as fast as each target answers),
# ENCODING (json or proto3), HTTP_CONNECTIONS (4 per target), TRACES_PER_BATCH (10 = 110 spans a batch, sent as 5 posts or messages, one per app),
# PRODUCER_THREADS (2), COMPRESSION (lz4; none, gzip, snappy, zstd), PARTITIONS (1), SAMPLE_EVERY (10),
# HEAP_AFTER_GC (1), EMP_JAVA_OPTS (extra JVM options of the server, as EMP_SERVER_JAVA_OPTS of bin/emp, which runs
# the server with the full JIT),
# EMP_DIST (the distribution measured: dist/target/emp; another build's, e.g. of an earlier commit in a git worktree,
# to compare in one session), ZIPKIN_JAVA_OPTS (-Xmx512m, as `emp server --zipkin`), BROKER_JVM_OPTS ("-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20"), EMP_SERVER_ARGS (extra `emp server` args).
# Needs the distribution (dist/target/emp with zipkin/zipkin-server.jar), the test harness installed
# (mvn -q -B install -f test-support/pom.xml), io.zipkin.zipkin2:zipkin:3.5.1 in the local Maven repository, and
# curl, python3, java, javac, jcmd.
set -euo pipefail

BENCH_NAME=span-ingest
# shellcheck source=lib/server.sh
source "$(dirname "$0")/lib/server.sh"

PATHS=${PATHS:-http kafka}
WARMUP=${WARMUP:-20}
HTTP_SECONDS=${HTTP_SECONDS:-60}
KAFKA_SECONDS=${KAFKA_SECONDS:-600}
KAFKA_RATE=${KAFKA_RATE:-120000}
HTTP_RATE=${HTTP_RATE:-0}
ENCODING=${ENCODING:-json}
HTTP_CONNECTIONS=${HTTP_CONNECTIONS:-4}
TRACES_PER_BATCH=${TRACES_PER_BATCH:-10}
PRODUCER_THREADS=${PRODUCER_THREADS:-2}
COMPRESSION=${COMPRESSION:-lz4}
PARTITIONS=${PARTITIONS:-1}
SAMPLE_EVERY=${SAMPLE_EVERY:-10}
HEAP_AFTER_GC=${HEAP_AFTER_GC:-1}
BROKER_JVM_OPTS=${BROKER_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20}
read -r -a SERVER_EXTRA <<<"${EMP_SERVER_ARGS:-}"

ZIPKIN_JAR=$EMP_DIST/zipkin/zipkin-server.jar
M2=${MAVEN_REPO:-$HOME/.m2/repository}
HARNESS_JAR=$M2/emp/emp-test-support/0.1.0-SNAPSHOT/emp-test-support-0.1.0-SNAPSHOT.jar
ZIPKIN2_JAR=$M2/io/zipkin/zipkin2/zipkin/3.5.1/zipkin-3.5.1.jar
APPS=(aggregator users songs playlists auth)

bench_require javac jcmd
[[ -f $ZIPKIN_JAR ]] || bench_die "the Zipkin server jar $ZIPKIN_JAR is missing; build the distribution (mvn -B -q package -DskipTests)"
[[ -f $HARNESS_JAR ]] || bench_die "the test harness $HARNESS_JAR is missing; install it with: mvn -q -B install -f test-support/pom.xml"
[[ -f $ZIPKIN2_JAR ]] || bench_die "$ZIPKIN2_JAR is missing; fetch it with: mvn -q dependency:get -Dartifact=io.zipkin.zipkin2:zipkin:3.5.1"
case " $PATHS " in *" http "* | *" kafka "* | *" drain "*) ;; *) bench_die "PATHS='$PATHS' names none of http, kafka, drain" ;; esac
[[ $ENCODING == json || $ENCODING == proto3 ]] || bench_die "ENCODING='$ENCODING' is neither json nor proto3"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/emp-span-ingest.XXXXXX")
BROKER_PID=
ZIPKIN_PID=
LOAD_PID=
EMP_PID=
WATCH_PID=

stop_pid() { # stop_pid PID NAME: SIGTERM, SIGKILL after 30 s
    local pid=$1 name=$2 i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$BENCH_NAME: $name (pid $pid) did not stop within 30 s of SIGTERM; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    stop_pid "$WATCH_PID" "the counter watch"
    stop_pid "$LOAD_PID" "the load generator"
    stop_pid "$EMP_PID" "the EMP server"
    stop_pid "$ZIPKIN_PID" "the Zipkin server"
    stop_pid "$BROKER_PID" "the Kafka broker"
    if [[ $status -ne 0 ]]; then
        local log
        for log in "$WORK"/*.log; do
            [[ -f $log ]] || continue
            echo "$BENCH_NAME: failed; the last lines of $(basename "$log"):" >&2
            tail -8 "$log" >&2 || true
        done
    fi
    rm -rf "$WORK"
    return "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The generator and the broker launcher: bench/spans/src compiled into the work folder, never into the tree.
KAFKA_CP=$(python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("emp/testsupport/kafka.classpath").decode().strip())' "$HARNESS_JAR") ||
    bench_die "cannot read the broker's classpath from $HARNESS_JAR; reinstall it with: mvn -q -B install -f test-support/pom.xml"
CP=$WORK/classes:$HARNESS_JAR:$KAFKA_CP:$ZIPKIN2_JAR
# (DecodeBench, span-decode.sh's, needs EMP's own jars and is left out.)
javac -d "$WORK/classes" -cp "$CP" $(ls "$BENCH_ROOT"/bench/spans/src/emp/bench/spans/*.java | grep -v /DecodeBench.java)
# What each app's window should say per trace taken in: "expect APP per_trace=K p50_ms=X p95_ms=Y" a line.
java -cp "$CP" emp.bench.spans.Expectation bench >"$WORK/expect"

echo "span-ingest: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "span-ingest: paths '$PATHS', warm-up ${WARMUP}s, http ${HTTP_SECONDS}s, kafka ${KAFKA_SECONDS}s at ${KAFKA_RATE} spans/s offered," \
    "$ENCODING, $TRACES_PER_BATCH traces (=$((TRACES_PER_BATCH * 11)) spans of 5 apps) per batch, one post/message per app, EMP_JAVA_OPTS='${EMP_JAVA_OPTS:-}'"

start_broker() {
    local options
    read -r -a options <<<"$BROKER_JVM_OPTS"
    (cd "$WORK" && exec java -cp "$CP" emp.bench.spans.BenchBroker zipkin "$PARTITIONS" "${options[@]}") \
        >"$WORK/broker.log" 2>&1 </dev/null &
    BROKER_PID=$!
    local i
    for i in $(seq 1 1800); do
        BOOTSTRAP=$(sed -n 's/^BOOTSTRAP //p' "$WORK/broker.log")
        [[ -n $BOOTSTRAP ]] && return 0
        kill -0 "$BROKER_PID" 2>/dev/null || bench_die "the Kafka broker exited before it was ready"
        sleep 0.1
    done
    bench_die "the Kafka broker was not ready within 180 s"
}

# start_zipkin [BOOTSTRAP]: a Zipkin server on a free port (reading topic zipkin when BOOTSTRAP is given).
start_zipkin() {
    ZIPKIN_PORT=$(bench_free_port)
    ZIPKIN=http://127.0.0.1:$ZIPKIN_PORT
    (
        export STORAGE_TYPE=mem QUERY_PORT=$ZIPKIN_PORT COLLECTOR_HTTP_ENABLED=true
        [[ -n ${1:-} ]] && export KAFKA_BOOTSTRAP_SERVERS=$1
        # shellcheck disable=SC2086
        exec java ${ZIPKIN_JAVA_OPTS:--Xmx512m} -jar "$ZIPKIN_JAR"
    ) >"$WORK/zipkin.log" 2>&1 </dev/null &
    ZIPKIN_PID=$!
    local i
    for i in $(seq 1 1800); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "$ZIPKIN/health" || true) == 200 ]] && return 0
        kill -0 "$ZIPKIN_PID" 2>/dev/null || bench_die "the Zipkin server exited before it answered /health"
        sleep 0.1
    done
    bench_die "the Zipkin server did not answer $ZIPKIN/health within 180 s"
}

# start_emp ARGS...: `emp server` on free ports, an account and the five apps at 0 replicas. With RESTART=1, the server
# of the last start_emp again, on its data folder (same account, apps and span credentials).
start_emp() {
    BENCH_WORK=$WORK/emp
    if [[ ${RESTART:-0} != 1 ]]; then
        rm -rf "$BENCH_WORK"
        mkdir -p "$BENCH_WORK"
    fi
    API_PORT=$(bench_free_port)
    GATEWAY_PORT=$(bench_free_port)
    API=http://127.0.0.1:$API_PORT
    EMP_HOME=$BENCH_WORK/home EMP_SERVER_JAVA_OPTS=${EMP_JAVA_OPTS:-} "$EMP_BIN" server --api-port "$API_PORT" \
        --gateway-port "$GATEWAY_PORT" --data-dir "$BENCH_WORK/data" "$@" ${SERVER_EXTRA[@]+"${SERVER_EXTRA[@]}"} \
        >"$WORK/emp.log" 2>&1 </dev/null &
    EMP_PID=$!
    local i status
    for i in $(seq 1 1200); do
        status=$(curl -s -o /dev/null -w '%{http_code}' "$API/healthz" || true)
        [[ $status == 200 ]] && break
        kill -0 "$EMP_PID" 2>/dev/null || bench_die "the EMP server exited before answering GET /healthz"
        sleep 0.1
    done
    [[ $status == 200 ]] || bench_die "GET $API/healthz did not answer 200 within 120 s (last: '$status')"
    [[ ${RESTART:-0} == 1 ]] && return 0
    TOKEN=
    bench_login
    local app
    for app in "${APPS[@]}"; do
        bench_call POST /v1/apps "$(bench_hello_spec "$app")" >/dev/null
    done
    # "owner/name CREDENTIAL" a line, for SpanLoad (SPAN_CREDENTIALS).
    : >"$WORK/credentials"
    for app in "${APPS[@]}"; do
        bench_call GET "/v1/apps/$app/span-credential" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(d["app"], d["environment"]["EMP_SPAN_TOKEN"])' >>"$WORK/credentials" ||
            bench_die "GET /v1/apps/$app/span-credential gave no EMP_SPAN_TOKEN"
    done
}

stop_phase() {
    stop_pid "$LOAD_PID" "the load generator"
    LOAD_PID=
    stop_pid "$EMP_PID" "the EMP server"
    EMP_PID=
    stop_pid "$ZIPKIN_PID" "the Zipkin server"
    ZIPKIN_PID=
}

# Prints "emp_received emp_ignored zipkin_spans zipkin_dropped" for transport $1 (http or kafka).
counters() {
    local emp zipkin
    emp=$(curl -s --max-time 10 "$API/healthz" || true)
    zipkin=$(curl -s --max-time 10 "$ZIPKIN/metrics" || true)
    python3 - "$1" "$emp" "$zipkin" <<'PY'
import json, re, sys
transport, emp, zipkin = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    checks = json.loads(emp)["checks"]
    if "aggregation" in checks:
        detail = checks["aggregation"]["detail"]
        received = int(re.search(r"spans_received=(\d+)", detail).group(1))
        ignored = int(re.search(r"spans_ignored=(\d+)", detail).group(1))
    else:
        # A server without the aggregator's counters: the source's count of spans it handed to the aggregator
        # (tracing-http "N delivered", tracing-kafka "N spans from"), counted after the aggregator took them.
        detail = checks["tracing"]["detail"]
        received = int(re.search(r"(\d+) delivered" if transport == "http" else r"(\d+) spans from", detail).group(1))
        ignored = -1
except Exception:
    received = ignored = -1
try:
    metrics = json.loads(zipkin)
    spans = int(metrics.get("counter.zipkin_collector.spans." + transport, 0))
    dropped = int(metrics.get("counter.zipkin_collector.spans_dropped." + transport, 0))
except Exception:
    spans = dropped = -1
print(received, ignored, spans, dropped)
PY
}

# The generator's cumulative count for NAME at its last report line.
offered() {
    awk -v name="$1" '$1 == "load" { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) v = kv[2] } }
        $1 == "load-total" && $2 == name { split($3, kv, "="); v = kv[2] } END { print (v == "" ? 0 : v) }' "$WORK/load.log"
}

# Memory of the EMP server now: "rss_mb heap_used_mb" (heap after a forced full GC when HEAP_AFTER_GC=1).
memory() {
    local rss heap
    rss=$(ps -o rss= -p "$EMP_PID" | tr -d ' ')
    if [[ $HEAP_AFTER_GC == 1 ]]; then
        jcmd "$EMP_PID" GC.run >/dev/null 2>&1 || true
    fi
    heap=$(jcmd "$EMP_PID" GC.heap_info 2>/dev/null | awk '/total/ && /used/ {
            for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); print int(v / 1024); exit } }')
    echo "$((rss / 1024)) ${heap:-?}"
}

# api_p99 [N]: the p50 and p99 in ms of N (200) sequential GET /v1/apps, the control API a user and the CLI call.
api_p99() {
    local n=${1:-200} i
    for i in $(seq 1 "$n"); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$API/v1/apps"
    done | python3 -c 'import sys
t = sorted(float(x) * 1000 for x in sys.stdin if x.strip())
print("p50 %.1f ms, p99 %.1f ms" % (t[len(t) // 2], t[min(len(t) - 1, int(len(t) * 0.99))]))'
}

# scaling_ticks: what /healthz says of the scaling loop's last ticks (check scaling).
scaling_ticks() {
    curl -s --max-time 10 "$API/healthz" | python3 -c 'import json, sys
print(json.load(sys.stdin)["checks"].get("scaling", {}).get("detail", "(not timed in this server)"))' || true
}

# watch_received: every second, "EPOCH_SECONDS SPANS_RECEIVED SPANS_OFFERED" (EMP's aggregator, and the generator's
# count of spans sent to EMP) into $WORK/received (background).
watch_received() {
    while true; do
        echo "$(date +%s.%N) $(curl -s --max-time 2 "$API/healthz" | grep -o 'spans_received=[0-9]*' | cut -d= -f2)" \
            "$(offered "$OFFER_EMP")"
        sleep 1
    done >"$WORK/received" 2>/dev/null &
    WATCH_PID=$!
}

# windows_check: each app's window (GET /v1/apps/APP/tracing: 10 whole seconds ending before the traces still
# awaited, settle + a settling period = 2.5 s before it is read)
# against what the traces EMP took in over those same 10 s imply (from $WORK/received): its rate against the spans
# received / 11 x the app's requests per trace, its p95 against the traces' p95; and its rate against what the
# generator offered over those 10 s (spans are timed when made, so a reader that lags reads low here). Prints
# "worst_rate_err% worst_p95_err% sampling worst_offered_err% detail", the detail "app=rate/expected p95/expected" per
# app.
windows_check() {
    local app tracing=""
    for app in "${APPS[@]}"; do
        tracing+="$(date +%s.%N) $(bench_call GET "/v1/apps/$app/tracing" | tr -d '\n')"$'\n'
    done
    python3 - "$WORK/expect" "$WORK/received" "$tracing" <<'PY'
import bisect, json, sys
expect_file, received_file, tracing = sys.argv[1], sys.argv[2], sys.argv[3]
expect = {}
for line in open(expect_file):
    parts = line.split()
    expect[parts[1]] = {k: float(v) for k, v in (kv.split("=") for kv in parts[2:])}
points = []
for line in open(received_file):
    parts = line.split()
    if len(parts) == 3:
        points.append((float(parts[0]), int(parts[1]), int(parts[2])))
times = [p[0] for p in points]

def count_at(t, column=1):
    i = bisect.bisect_left(times, t)
    if i == 0 or i >= len(points):
        return None
    t0, r0, t1, r1 = points[i - 1][0], points[i - 1][column], points[i][0], points[i][column]
    return r0 + (r1 - r0) * (t - t0) / (t1 - t0) if t1 > t0 else r0

received_at = count_at
worst_rate = worst_p95 = worst_offered = 0.0
sampling = 1.0
detail = []
for line in tracing.strip().splitlines():
    at, body = line.split(" ", 1)
    d = json.loads(body)
    app = d["app"].split("/", 1)[1]
    e = expect[app]
    rate, p95 = d.get("rate") or 0.0, d.get("p95_ms") or 0.0
    sampling = min(sampling, d.get("sampling", 1.0))
    window = d.get("window_seconds") or 10.0
    # The window ends with the last whole second before the traces still awaited: settle (2 s) plus a settling
    # period (0.5 s) before the read.
    end = float(int(float(at) - 2.5))
    a, b = received_at(end - window), received_at(end)
    if a is None or b is None:
        detail.append("%s=?" % app)
        continue
    want_rate = (b - a) / window / 11 * e["per_trace"]
    rate_err = abs(rate - want_rate) / want_rate * 100 if want_rate > 0 else 0.0
    oa, ob = count_at(end - window, 2), count_at(end, 2)
    offered_rate = (ob - oa) / window / 11 * e["per_trace"] if oa is not None and ob is not None else 0.0
    if offered_rate > 0:
        worst_offered = max(worst_offered, abs(rate - offered_rate) / offered_rate * 100)
    p95_err = abs(p95 - e["p95_ms"]) / e["p95_ms"] * 100
    worst_rate, worst_p95 = max(worst_rate, rate_err), max(worst_p95, p95_err)
    detail.append("%s=%.0f/%.0f %.2f/%.2fms" % (app, rate, want_rate, p95, e["p95_ms"]))
print("%.1f %.1f %g %.1f %s" % (worst_rate, worst_p95, sampling, worst_offered, " ".join(detail)))
PY
}

# measure TRANSPORT SECONDS: the load runs already; waits WARMUP, then samples every SAMPLE_EVERY s for SECONDS.
measure() {
    local transport=$1 seconds=$2
    sleep "$WARMUP"
    local t0 c0 o0 oz0 t c o oz elapsed mem check
    LAST_CHECK="- - - - (no sample)"
    watch_received
    t0=$(date +%s.%N)
    read -r -a c0 <<<"$(counters "$transport")"
    o0=$(offered "$OFFER_EMP")
    oz0=$(offered "$OFFER_ZIPKIN")
    printf '  %6s %12s %12s %12s %12s %8s %8s %10s %10s %9s %11s\n' t_s offered/s EMP/s Zipkin/s EMP_ignored rss_MB \
        heap_MB rate_err% p95_err% sampling offered_err%
    local last_t=$t0 last_c=("${c0[@]}") last_o=$o0 end=$(($(date +%s) + seconds))
    while (($(date +%s) < end)); do
        sleep "$SAMPLE_EVERY"
        kill -0 "$LOAD_PID" 2>/dev/null || bench_die "the load generator stopped early; see above"
        t=$(date +%s.%N)
        read -r -a c <<<"$(counters "$transport")"
        o=$(offered "$OFFER_EMP")
        mem=$(memory)
        check=$(windows_check)
        python3 -c 'import sys
t, lt, t0, c, lc, o, lo = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4].split(), sys.argv[5].split(), int(sys.argv[6]), int(sys.argv[7])
dt = t - lt
check = sys.argv[9].split()
print("  %6.0f %12.0f %12.0f %12.0f %12d %8s %8s %10s %10s %9s %11s" % (t - t0, (o - lo) / dt, (int(c[0]) - int(lc[0])) / dt,
      ((int(c[2]) - int(c[3])) - (int(lc[2]) - int(lc[3]))) / dt, int(c[1]), *sys.argv[8].split(), *check[0:4]))' \
            "$t" "$last_t" "$t0" "${c[*]}" "${last_c[*]}" "$o" "$last_o" "$mem" "$check"
        LAST_CHECK=$check
        last_t=$t
        last_c=("${c[@]}")
        last_o=$o
    done
    t=$(date +%s.%N)
    read -r -a c <<<"$(counters "$transport")"
    o=$(offered "$OFFER_EMP")
    oz=$(offered "$OFFER_ZIPKIN")
    python3 -c 'import sys
t, t0, c, c0 = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
o, o0, oz, oz0, transport = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), sys.argv[9]
dt = t - t0
emp = (int(c[0]) - int(c0[0])) / dt
zipkin = ((int(c[2]) - int(c[3])) - (int(c0[2]) - int(c0[3]))) / dt
print("  %s over %.0f s: offered to EMP %.0f spans/s%s; EMP ingested %.0f spans/s (ignored as unknown: %d);"
      " Zipkin ingested %.0f spans/s (dropped by its storage: %d); EMP/Zipkin %.2f" % (
      transport, dt, (o - o0) / dt, "" if transport == "kafka" else ", to Zipkin %.0f spans/s" % ((oz - oz0) / dt),
      emp, int(c[1]) - int(c0[1]), zipkin, int(c[3]) - int(c0[3]), emp / zipkin if zipkin > 0 else float("nan")))' \
        "$t" "$t0" "${c[*]}" "${c0[*]}" "$o" "$o0" "$oz" "$oz0" "$transport"
    echo "  $transport EMP health: $(curl -s "$API/healthz" | python3 -c 'import json, sys; c = json.load(sys.stdin)["checks"]; print(c["tracing"]["detail"], "|", c.get("aggregation", {}).get("detail", "(no aggregation counters in this server)"))')"
    stop_pid "$WATCH_PID" "the counter watch"
    echo "  $transport GET /v1/apps during the load: $(api_p99) (before it: $API_BEFORE)"
    echo "  $transport scaling loop during the load: $(scaling_ticks) (before it: $SCALING_BEFORE)"
    echo "  $transport windows at the last sample, rate/expected p95/expected (worst errors ${LAST_CHECK%% *}% rate, then p95, sampling, and rate against what was offered): ${LAST_CHECK}"
    echo "  load generator: $(grep '^load-total' "$WORK/load.log" | tr '\n' ' ' || true)"
}

if [[ " $PATHS " == *" http "* ]]; then
    echo "== http: POST /api/v2/spans to EMP (tracing-http) and to Zipkin, $HTTP_CONNECTIONS connections each"
    start_zipkin
    start_emp
    API_BEFORE=$(api_p99)
    SCALING_BEFORE=$(scaling_ticks)
    OFFER_EMP=emp OFFER_ZIPKIN=zipkin
    SPAN_CREDENTIALS=$WORK/credentials java -cp "$CP" emp.bench.spans.SpanLoad http bench \
        $((WARMUP + HTTP_SECONDS + SAMPLE_EVERY + 5)) "$HTTP_RATE" "$ENCODING" "$TRACES_PER_BATCH" "$HTTP_CONNECTIONS" \
        "emp=$API/api/v2/spans?emp_token={token}" "zipkin=$ZIPKIN/api/v2/spans" \
        >"$WORK/load.log" 2>&1 </dev/null &
    LOAD_PID=$!
    echo "  load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
    measure http "$HTTP_SECONDS"
    echo "  load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
    stop_phase
fi

if [[ " $PATHS " == *" kafka "* ]]; then
    echo "== kafka: topic zipkin ($PARTITIONS partition(s), $COMPRESSION), read by EMP (tracing-kafka) and Zipkin"
    start_broker
    echo "  broker $BOOTSTRAP (JVM: $BROKER_JVM_OPTS)"
    if [[ ${KAFKA_ZIPKIN:-1} == 0 ]]; then
        echo "  Zipkin: not run (KAFKA_ZIPKIN=0)"
        ZIPKIN=http://127.0.0.1:1
    else
        start_zipkin "$BOOTSTRAP"
    fi
    start_emp --tracing kafka --set "tracing.kafka.bootstrap-servers=$BOOTSTRAP"
    API_BEFORE=$(api_p99)
    SCALING_BEFORE=$(scaling_ticks)
    OFFER_EMP=kafka OFFER_ZIPKIN=kafka
    SPAN_CREDENTIALS=$WORK/credentials java -cp "$CP" emp.bench.spans.SpanLoad kafka bench \
        $((WARMUP + KAFKA_SECONDS + SAMPLE_EVERY + 5)) "$KAFKA_RATE" \
        "$ENCODING" "$TRACES_PER_BATCH" "$PRODUCER_THREADS" "$BOOTSTRAP" zipkin "$COMPRESSION" \
        >"$WORK/load.log" 2>&1 </dev/null &
    LOAD_PID=$!
    echo "  load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
    measure kafka "$KAFKA_SECONDS"
    echo "  load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
    stop_phase
fi

# drain_wait FIELD PID NAME: waits until field FIELD of `counters kafka` (0 EMP, 2 Zipkin) reaches $produced, or
# DRAIN_TIMEOUT s pass, and prints the rate from the reader's first span to its last (and from its start).
drain_wait() {
    local field=$1 pid=$2 name=$3 started first="" last count=0 c
    started=$(date +%s.%N)
    while true; do
        read -r -a c <<<"$(counters kafka)"
        count=${c[$field]}
        if ((count > 0)) && [[ -z $first ]]; then
            first=$(date +%s.%N)
        fi
        ((count >= produced)) && break
        if ! kill -0 "$pid" 2>/dev/null || (($(date +%s) - ${started%.*} > DRAIN_TIMEOUT)); then
            echo "  $name: stopped or timed out after $(($(date +%s) - ${started%.*})) s with $count of $produced spans"
            return 0
        fi
        sleep 0.5
    done
    last=$(date +%s.%N)
    python3 -c 'import sys
name, n, started, first, last = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
print("  %s: %d spans, %.0f spans/s from its first span (%.1f s), %.0f spans/s from its start (%.1f s)" % (
    name, n, n / (last - first), last - first, n / (last - started), last - started))' \
        "$name" "$count" "$started" "${first:-$started}" "$last"
}

# drain: how fast each reader empties a full topic, alone on the machine: DRAIN_SPANS spans produced while neither
# runs, then EMP (its consumer group resumes where it was) and afterwards Zipkin (a group of its own, from the
# earliest offset), each timed from its start until it has counted them all.
if [[ " $PATHS " == *" drain "* ]]; then
    DRAIN_SPANS=${DRAIN_SPANS:-2000000}
    DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-300}
    echo "== drain: $DRAIN_SPANS spans in topic zipkin ($PARTITIONS partition(s), $COMPRESSION), read by EMP, then by Zipkin, each alone"
    start_broker
    ZIPKIN=${ZIPKIN:-http://127.0.0.1:1}
    start_emp --tracing kafka --set "tracing.kafka.bootstrap-servers=$BOOTSTRAP"
    # Subscribed (offsets at the end of the empty topic committed), then stopped: it resumes from there.
    sleep 5
    stop_pid "$EMP_PID" "the EMP server"
    EMP_PID=
    produced_at=$(date +%s)
    SPAN_CREDENTIALS=$WORK/credentials java -cp "$CP" emp.bench.spans.SpanLoad kafka bench 3600 0 \
        "$ENCODING" "$TRACES_PER_BATCH" "$PRODUCER_THREADS" "$BOOTSTRAP" zipkin "$COMPRESSION" \
        >"$WORK/load.log" 2>&1 </dev/null &
    LOAD_PID=$!
    while (($(offered kafka) < DRAIN_SPANS)); do
        kill -0 "$LOAD_PID" 2>/dev/null || bench_die "the load generator stopped early"
        sleep 1
    done
    stop_pid "$LOAD_PID" "the load generator"
    LOAD_PID=
    produced=$(offered kafka)
    echo "  produced $produced spans in $(($(date +%s) - produced_at)) s"
    RESTART=1 start_emp --tracing kafka --set "tracing.kafka.bootstrap-servers=$BOOTSTRAP"
    drain_wait 0 "$EMP_PID" EMP
    echo "  EMP health: $(curl -s "$API/healthz" | python3 -c 'import json, sys; c = json.load(sys.stdin)["checks"]; print(c.get("aggregation", {}).get("detail", "?"))')"
    stop_pid "$EMP_PID" "the EMP server"
    EMP_PID=
    if [[ ${DRAIN_ZIPKIN:-1} == 0 ]]; then
        echo "  Zipkin: not run (DRAIN_ZIPKIN=0)"
    else
    # Zipkin's group is new: it starts from the earliest offset when told to.
    ZIPKIN_JAVA_OPTS="${ZIPKIN_JAVA_OPTS:--Xmx512m} -Dzipkin.collector.kafka.overrides.auto.offset.reset=earliest" \
        start_zipkin "$BOOTSTRAP"
    drain_wait 2 "$ZIPKIN_PID" Zipkin
    stop_pid "$ZIPKIN_PID" "the Zipkin server"
    ZIPKIN_PID=
    fi
fi
