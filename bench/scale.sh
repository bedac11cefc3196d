#!/usr/bin/env bash
# The control plane against the number of apps: for each number of simulated nodes (NODES, default "400 4000") and of
# apps (APPS, default "100 1000 10000"), a private `emp server --cluster sim` (plugins/cluster-sim: hollow nodes,
# nothing runs), APPS/10 users (bench/scale/drive.py: accounts, then each user's 10 apps in one PUT /v1/apps, then a
# wait until every app runs), then, at CONNECTIONS clients with wrk:
#   GET /v1/apps       as a random user (10 apps each)      wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency
#   GET /v1/apps/{id}  of a random user's app               (bench/scale/targets.lua)
# then the reconciler's last pass over every app, its pass after one change (one app scaled), the scaling loop's
# median tick (from GET /healthz), and the server's heap after a full GC (jcmd GC.run, then GC.heap_info).
# Prints one table, writes it as CSV to bench/scale/results.csv and plots each figure against the number of apps in
# bench/scale/scale.png (Debian's python3-matplotlib, installed when missing and running as root).
#
# Knobs (environment): NODES, APPS, THREADS (2), CONNECTIONS (50), DURATION (10s), WARMUP (3s), CLIENTS (8, the
# driver's requests in flight), SIM (extra --set flags for the simulated cluster, default start latency 50ms).
# Needs the distribution (dist/target/emp), curl, python3, java with jcmd, and wrk.
set -euo pipefail

BENCH_NAME=scale
# shellcheck source=lib/server.sh
source "$(dirname "$0")/lib/server.sh"
# shellcheck source=lib/wrk.sh
source "$(dirname "$0")/lib/wrk.sh"

NODES=${NODES:-400 4000}
APPS=${APPS:-100 1000 10000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CLIENTS=${CLIENTS:-8}
SIM=${SIM:---set cluster.sim.start-latency=50ms --set cluster.sim.start-jitter=25ms}
HERE=$(cd "$(dirname "$0")" && pwd)
RESULTS=$HERE/scale/results.csv

if ! command -v wrk >/dev/null && [[ $(id -u) -eq 0 ]]; then
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
bench_require wrk jcmd

# health CHECK: the detail of one check of GET /healthz.
health() {
    curl -s "$API/healthz" | python3 -c 'import json, sys; print(json.load(sys.stdin)["checks"][sys.argv[1]]["detail"])' "$1"
}

# heap_after_gc: MiB of heap in use after a full collection.
heap_after_gc() {
    jcmd "$SERVER_PID" GC.run >/dev/null
    jcmd "$SERVER_PID" GC.heap_info | python3 -c '
import re, sys
text = sys.stdin.read()
used = [int(k) for k in re.findall(r"used (\d+)K", text)]
print(round(used[0] / 1024, 1) if used else "?")'
}

one_run() {
    local nodes=$1 apps=$2 users=$(( $2 / 10 ))
    # shellcheck disable=SC2086
    bench_start_server --cluster sim --set cluster.sim.nodes="$nodes" --set auth.bcrypt-cost=4 \
        --set accounts.signup=open --set quota.apps-per-user=10 $SIM
    local targets=$BENCH_WORK/targets
    local driven
    driven=$(python3 "$HERE/scale/drive.py" "$API" "$users" 10 "$CLIENTS" "$targets")
    local operator
    operator=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["operator_token"])' "$driven")

    local list one
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$HERE/scale/targets.lua" "$API" -- "$targets" list >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$HERE/scale/targets.lua" "$API" -- "$targets" list \
        >"$BENCH_WORK/list.txt"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$HERE/scale/targets.lua" "$API" -- "$targets" one \
        >"$BENCH_WORK/one.txt"
    list=$(wrk_summary "$BENCH_WORK/list.txt")
    one=$(wrk_summary "$BENCH_WORK/one.txt")

    local every tick changed i
    # A pass over every app comes every 10 reconcile intervals: wait for one over all of them.
    for i in $(seq 1 120); do
        every=$(health reconcile | sed -n "s/.*last pass over every app: \([0-9.]*\) ms for $apps apps.*/\1/p")
        [[ -n $every ]] && break
        sleep 0.5
    done
    tick=$(health scaling | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
    # One change: the operator's first app scaled; the next pass looks at that app only.
    local first_app
    first_app=$(head -1 "$targets" | cut -d' ' -f2)
    curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $operator" -H 'Content-Type: application/json' \
        --data '{"replicas": 2, "reason": "bench/scale.sh: one change"}' "$API/v1/apps/$first_app/replicas"
    sleep 3
    changed=$(health reconcile | sed -n 's/.*last pass over changed apps: \([0-9.]*\) ms.*/\1/p')
    local heap
    heap=$(heap_after_gc)

    python3 - "$nodes" "$driven" "$list" "$one" "${every:-?}" "${changed:-?}" "${tick:-?}" "$heap" >>"$RESULTS" <<'PY'
import json, sys
nodes, driven, list_, one, every, changed, tick, heap = sys.argv[1:]
d = json.loads(driven)
l, o = list_.split(), one.split()
per_app_kib = round(float(heap) * 1024 / d["apps"], 1) if heap != "?" else "?"
print(",".join(str(v) for v in [
    nodes, d["apps"], d["users"], d["deploy_ms_per_app"], d["deploy_put_p99_ms"], d["all_running_after_s"],
    l[0], l[1], l[3], l[5], o[0], o[1], o[3], o[5], every, changed, tick, heap, per_app_kib]))
PY
    bench_cleanup
    trap - EXIT
    BENCH_WORK= SERVER_PID=
}

mkdir -p "$HERE/scale"
echo "nodes,apps,users,deploy_ms_per_app,deploy_put_p99_ms,all_running_s,list_rps,list_p50_ms,list_p99_ms,list_non2xx,one_rps,one_p50_ms,one_p99_ms,one_non2xx,reconcile_every_ms,reconcile_changed_ms,tick_median_ms,heap_mib,heap_kib_per_app" >"$RESULTS"
echo "scale: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; $(date -u +%FT%TZ)"
for nodes in $NODES; do
    for apps in $APPS; do
        echo "scale: $apps apps on $nodes nodes..." >&2
        one_run "$nodes" "$apps"
    done
done
column -s, -t "$RESULTS"

PLOT_PYTHON=/usr/bin/python3
if ! "$PLOT_PYTHON" -c 'import matplotlib' 2>/dev/null && [[ $(id -u) -eq 0 ]]; then
    apt-get install -y python3-matplotlib >/dev/null 2>&1 \
        || { apt-get update >/dev/null && apt-get install -y python3-matplotlib >/dev/null; } || true
fi
if "$PLOT_PYTHON" -c 'import matplotlib' 2>/dev/null; then
    "$PLOT_PYTHON" "$HERE/scale/plot.py" "$RESULTS" "$HERE/scale/scale.png"
    echo "scale: plot in $HERE/scale/scale.png"
else
    echo "scale: no plot (python3-matplotlib is not installed)"
fi
