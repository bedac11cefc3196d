#!/usr/bin/env bash
# Control API latency under concurrency: a private `emp server` on free ports, one account with APPS apps deployed
# with "replicas": 0 (so no replica processes), then wrk against GET /v1/apps (authenticated) and, for comparison,
# GET /healthz. Each target gets a WARMUP run whose figures are discarded, then a measured run:
#   wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency [-H "Authorization: Bearer TOKEN"] URL
# Prints requests/s and p50 / p90 / p99 / max from wrk's latency distribution, and any socket errors or non-2xx
# answers. For reference it then measures each target the same way with one client (wrk -t1 -c1): the service
# time of one request without queueing. Prints figures only.
#
# Knobs (environment): APPS (default 5), THREADS (2), CONNECTIONS (50), DURATION (15s), WARMUP (5s),
# SINGLE (1; 0 skips the one-client runs),
# API_PORT / GATEWAY_PORT (default: free ports).
# Needs the distribution (dist/target/emp), curl, python3, java and wrk (installed with apt-get when missing and
# running as root).
set -euo pipefail

BENCH_NAME=api-latency
# shellcheck source=lib/server.sh
source "$(dirname "$0")/lib/server.sh"
# shellcheck source=lib/wrk.sh
source "$(dirname "$0")/lib/wrk.sh"

APPS=${APPS:-5}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}

if ! command -v wrk >/dev/null && [[ $(id -u) -eq 0 ]]; then
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
bench_require wrk
bench_start_server
bench_login
for i in $(seq 1 "$APPS"); do
    bench_call POST /v1/apps "$(bench_hello_spec "hello-$i")" >/dev/null
done
count=$(bench_call GET /v1/apps | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
[[ $count == "$APPS" ]] || bench_die "GET /v1/apps lists $count apps, expected $APPS"

# run_wrk NAME THREADS CONNECTIONS URL [wrk options]: a warm-up run, then the measured one into $BENCH_WORK/NAME.txt.
run_wrk() {
    local name=$1 threads=$2 connections=$3 url=$4
    shift 4
    wrk -t"$threads" -c"$connections" -d"$WARMUP" "$@" "$url" >/dev/null
    LOADAVG[$name]=$(cut -d' ' -f1-3 /proc/loadavg)
    wrk -t"$threads" -c"$connections" -d"$DURATION" --latency "$@" "$url" >"$BENCH_WORK/$name.txt"
}

declare -A LOADAVG LABEL
RUNS=(apps healthz)
LABEL[apps]="GET /v1/apps c$CONNECTIONS"
LABEL[healthz]="GET /healthz c$CONNECTIONS"
run_wrk apps "$THREADS" "$CONNECTIONS" "$API/v1/apps" -H "Authorization: Bearer $TOKEN"
run_wrk healthz "$THREADS" "$CONNECTIONS" "$API/healthz"
if [[ ${SINGLE:-1} != 0 ]]; then
    RUNS+=(apps1 healthz1)
    LABEL[apps1]="GET /v1/apps c1"
    LABEL[healthz1]="GET /healthz c1"
    run_wrk apps1 1 1 "$API/v1/apps" -H "Authorization: Bearer $TOKEN"
    run_wrk healthz1 1 1 "$API/healthz"
fi

echo "api-latency: $(nproc) cores; server $API (pid $SERVER_PID); one account with $APPS apps at 0 replicas"
echo "api-latency: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up run of the same);" \
    "c1 rows: wrk -t1 -c1, same durations"
printf '%-20s %11s %8s %8s %8s %9s %7s  %-16s %s\n' \
    "target" "requests/s" "p50 ms" "p90 ms" "p99 ms" "max ms" "non-2xx" "socket errors" "loadavg before"
for name in "${RUNS[@]}"; do
    read -r rps p50 p90 p99 max non2xx errors < <(wrk_summary "$BENCH_WORK/$name.txt")
    printf '%-20s %11s %8s %8s %8s %9s %7s  %-16s %s\n' \
        "${LABEL[$name]}" "$rps" "$p50" "$p90" "$p99" "$max" "$non2xx" "$errors" "${LOADAVG[$name]}"
done
echo "api-latency: load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
