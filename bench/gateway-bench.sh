#!/usr/bin/env bash
# What the gateway costs: wrk against one hello replica directly, then through the gateway, in one run on one
# machine, printing requests/s and p99 latency for both and their ratio.
#
# Builds nothing. Expects:
#   gateway/target/emp-gateway-0.1.0-SNAPSHOT.jar and gateway/target/test-classes  (mvn -q -B install -f gateway/pom.xml)
#   examples/hello/target/hello-0.1.0-SNAPSHOT.jar                                  (mvn -q -B install -f examples/hello/pom.xml)
#   wrk (installed with apt-get when missing and running as root)
#
# Knobs (environment): DURATION (default 10s), WARMUP (5s), CONNECTIONS (32), THREADS (2).
# Everything listens on 127.0.0.1 only; wrk runs for a bounded time and both servers are stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GATEWAY_JAR=$ROOT/gateway/target/emp-gateway-0.1.0-SNAPSHOT.jar
TEST_CLASSES=$ROOT/gateway/target/test-classes
HELLO_JAR=$ROOT/examples/hello/target/hello-0.1.0-SNAPSHOT.jar
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}

if [[ ! -f $GATEWAY_JAR || ! -f $TEST_CLASSES/emp/gateway/bench/GatewayBenchMain.class ]]; then
    echo "gateway-bench: $GATEWAY_JAR or its test classes are missing; build them with: mvn -q -B install -f gateway/pom.xml" >&2
    exit 1
fi
if [[ ! -f $HELLO_JAR ]]; then
    echo "gateway-bench: skipped: $HELLO_JAR is missing; build it with: mvn -q -B install -f examples/hello/pom.xml"
    exit 0
fi
if ! command -v wrk >/dev/null; then
    if [[ $(id -u) -eq 0 ]]; then
        apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else
        echo "gateway-bench: wrk is missing; install it with: sudo apt-get install -y wrk" >&2
        exit 1
    fi
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# The classpath of the gateway's tests (Netty, SLF4J, logback): resolving it reads ~/.m2 and builds nothing.
if ! mvn -q -B -f "$ROOT/gateway/pom.xml" dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$WORK/classpath.txt" >"$WORK/mvn.log" 2>&1; then
    echo "gateway-bench: could not resolve the gateway's classpath:" >&2
    cat "$WORK/mvn.log" >&2
    exit 1
fi
CLASSPATH_GATEWAY=$GATEWAY_JAR:$TEST_CLASSES:$(cat "$WORK/classpath.txt")

# Prints the first URL matching $3 that a server announced in its output, waiting up to 30 s.
announced_url() {
    local log=$1 pid=$2 pattern=$3
    for _ in $(seq 1 300); do
        if grep -qo "$pattern" "$log"; then
            grep -o "$pattern" "$log" | head -1
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "gateway-bench: a server exited before listening; its output:" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "gateway-bench: no server address in $log after 30 s" >&2
    return 1
}

JAVA_OPTS=(-Xms256m -Xmx256m)

PORT=0 EMP_SERVICE_NAME=bench/hello java "${JAVA_OPTS[@]}" -jar "$HELLO_JAR" >"$WORK/hello.log" 2>&1 &
PIDS+=($!)
REPLICA_URL=$(announced_url "$WORK/hello.log" "${PIDS[-1]}" 'http://127\.0\.0\.1:[0-9]*')
REPLICA_ADDRESS=${REPLICA_URL#http://}

java "${JAVA_OPTS[@]}" -cp "$CLASSPATH_GATEWAY" emp.gateway.bench.GatewayBenchMain "$REPLICA_ADDRESS" \
    >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
GATEWAY_URL=$(announced_url "$WORK/gateway.log" "${PIDS[-1]}" 'http://127\.0\.0\.1:[0-9]*/bench/hello/')

DIRECT=http://$REPLICA_ADDRESS/hi
THROUGH=${GATEWAY_URL}hi
for url in "$DIRECT" "$THROUGH"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
    if [[ $status != 200 ]]; then
        echo "gateway-bench: $url answered '$status', not 200" >&2
        exit 1
    fi
done

# Prints "requests/s p99_ms" from wrk --latency output.
summarize() {
    awk '
        /Requests\/sec:/ { rps = $2 }
        $1 == "99%" {
            v = $2
            if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 }
            else if (v ~ /ms$/) { sub(/ms$/, "", v) }
            else if (v ~ /m$/) { sub(/m$/, "", v); v = v * 60000 }
            else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
            p99 = v
        }
        END { printf "%.0f %.2f\n", rps, p99 }' "$1"
}

run_wrk() {
    local name=$1 url=$2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url" >"$WORK/$name.txt"
    if grep -q 'Non-2xx' "$WORK/$name.txt"; then
        echo "gateway-bench: some answers from $url were not 2xx:" >&2
        cat "$WORK/$name.txt" >&2
        exit 1
    fi
}

run_wrk direct "$DIRECT"
run_wrk gateway "$THROUGH"
read -r DIRECT_RPS DIRECT_P99 < <(summarize "$WORK/direct.txt")
read -r GATEWAY_RPS GATEWAY_P99 < <(summarize "$WORK/gateway.txt")

echo "gateway-bench: $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after $WARMUP warm-up), GET of hello's JSON answer"
printf '%-16s %12s %10s\n' "target" "requests/s" "p99 ms"
printf '%-16s %12s %10s\n' "replica direct" "$DIRECT_RPS" "$DIRECT_P99"
printf '%-16s %12s %10s\n' "via gateway" "$GATEWAY_RPS" "$GATEWAY_P99"
awk -v dr="$DIRECT_RPS" -v gr="$GATEWAY_RPS" -v dp="$DIRECT_P99" -v gp="$GATEWAY_P99" 'BEGIN {
    printf "gateway/direct: throughput %.2f, p99 %.2f\n", gr / dr, (dp > 0 ? gp / dp : 0)
}'
