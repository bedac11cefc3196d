#!/usr/bin/env bash
# store-redis against store-file, in one run (issue 6): state store operations per second, and the control API's
# latency at CLIENTS concurrent clients on a server using each store.
#
# 1. Store operations: bench/store (a load driver, built here with Maven and run with the distribution's lib/ folder as
#    its classpath) loads plugins/store-file.jar and plugins/store-redis.jar through PF4J as the server does and drives
#    each store with CLIENTS threads, one call at a time each: get of an existing key; get + one compare-and-set commit
#    (each thread its own entry); a commit of 3 writes; a log append. Per row a STORE_WARMUP-second warm-up whose
#    figures are discarded, then STORE_SECONDS measured; ops/s and p50/p90/p99/max latency (HdrHistogram). The stores,
#    each in the server's default configuration: file (SQLite in a temporary folder, synchronous=FULL), redis (the
#    Redis at REDIS_URL, under a prefix of this run's own) and, unless REDIS_AOF=0, redis-aof: a private redis-server
#    on a free port with appendonly yes and appendfsync always, so its commits reach the disk before they return as
#    the file store's do (the shared Redis may persist nothing; the script prints its settings).
# 2. Control API: two `emp server`s on free ports (bench/lib/server.sh), one with the default store (file) and one
#    with --store redis --set store.redis.url=REDIS_URL --set store.redis.prefix=<this run's own>, each with one
#    account holding APPS apps at "replicas": 0, measured in turn with the workload of bench/api-latency.sh:
#      wrk -t$WRK_THREADS -c$CLIENTS -d$DURATION --latency [-H "Authorization: Bearer TOKEN"] URL
#    for GET /v1/apps and GET /healthz, each after a WARMUP run whose figures are discarded, then (unless SINGLE=0)
#    the same with one client. The runs alternate between the two servers, target by target.
# Prints figures only. Leaves nothing behind: the servers, the private Redis and the driver are stopped by pid, the
# Redis keys under this run's prefixes deleted (SCAN + UNLINK), the temporary folders removed.
#
# Knobs (environment): CLIENTS (50), STORE_SECONDS (10), STORE_WARMUP (3), STORE_OPS (get,cas,tx3,append),
# REDIS_URL (redis://127.0.0.1:6379), REDIS_AOF (1), REDIS_POOL_SIZE (store.redis.pool-size of the driver's Redis
# stores and of the redis server; unset: the plugin's default), DRIVER_JAVA_OPTS (the driver's JVM options, e.g.
# -Xlog:gc:file=/tmp/gc.log), APPS (5), WRK_THREADS (2), DURATION (15s), WARMUP (5s), SINGLE (1), SKIP_STORE=1 /
# SKIP_API=1.
# Needs java, mvn, curl, python3, redis-cli (and redis-server for REDIS_AOF=1), wrk (installed with apt-get when
# missing and running as root), and the distribution (dist/target/emp, built here with
# `mvn -q -B install -DskipTests` when it is missing).
set -euo pipefail

BENCH_NAME=store-bench
# shellcheck source=lib/server.sh
source "$(dirname "$0")/lib/server.sh"
# shellcheck source=lib/wrk.sh
source "$(dirname "$0")/lib/wrk.sh"

CLIENTS=${CLIENTS:-50}
STORE_SECONDS=${STORE_SECONDS:-10}
STORE_WARMUP=${STORE_WARMUP:-3}
STORE_OPS=${STORE_OPS:-get,cas,tx3,append}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
REDIS_AOF=${REDIS_AOF:-1}
REDIS_POOL_SIZE=${REDIS_POOL_SIZE:-}
read -r -a DRIVER_JAVA_OPTS <<<"${DRIVER_JAVA_OPTS:-}"
APPS=${APPS:-5}
WRK_THREADS=${WRK_THREADS:-2}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
SINGLE=${SINGLE:-1}
SKIP_STORE=${SKIP_STORE:-0}
SKIP_API=${SKIP_API:-0}
unset API_PORT GATEWAY_PORT  # two servers: each gets free ports of its own

RUN_ID=$(date +%s)-$$-$RANDOM
STORE_PREFIX="emp-bench:$RUN_ID:store:"
API_PREFIX="emp-bench:$RUN_ID:api:"
WORK=
AOF_PID=
AOF_URL=
declare -A SERVER_PIDS SERVER_WORKS SERVER_APIS SERVER_TOKENS

# Stops one server (lib/server.sh's cleanup, run with the exit status to report) and removes its folder.
eval "$(declare -f bench_cleanup | sed '1s/^bench_cleanup/bench_server_cleanup/')"
bench_status() { return "$1"; }

# Everything this script started, by pid, then its Redis keys and folders; the trap lib/server.sh sets calls this.
bench_cleanup() {
    local status=$?
    set +e
    local child name current=$SERVER_PID
    for child in "${BENCH_CHILD_PIDS[@]}"; do
        kill -TERM "$child" 2>/dev/null && wait "$child" 2>/dev/null
    done
    BENCH_CHILD_PIDS=()
    if [[ -n $current ]]; then
        bench_status "$status"
        bench_server_cleanup
    fi
    for name in "${!SERVER_PIDS[@]}"; do
        [[ ${SERVER_PIDS[$name]} == "$current" ]] && continue
        SERVER_PID=${SERVER_PIDS[$name]} BENCH_WORK=${SERVER_WORKS[$name]}
        bench_status "$status"
        bench_server_cleanup
    done
    if [[ -n $AOF_PID ]]; then
        kill -TERM "$AOF_PID" 2>/dev/null && wait "$AOF_PID" 2>/dev/null
    fi
    delete_keys "$REDIS_URL" "$STORE_PREFIX"
    delete_keys "$REDIS_URL" "$API_PREFIX"
    [[ -n $WORK ]] && rm -rf "$WORK"
    return "$status"
}

# delete_keys URL PREFIX: unlinks every key under PREFIX (SCAN, so Redis is never blocked), and says if any remain.
delete_keys() {
    local url=$1 prefix=$2 left
    redis-cli -u "$url" --scan --pattern "$prefix*" 2>/dev/null |
        xargs -r -n 500 redis-cli -u "$url" unlink >/dev/null 2>&1
    left=$(redis-cli -u "$url" --scan --pattern "$prefix*" 2>/dev/null | wc -l)
    [[ $left == 0 ]] || echo "$BENCH_NAME: $left keys under '$prefix' are still in $url; delete them with:" \
        "redis-cli -u $url --scan --pattern '$prefix*' | xargs redis-cli -u $url unlink" >&2
}

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
WORK=$(mktemp -d "${TMPDIR:-/tmp}/emp-store-bench.XXXXXX")

# --- requirements -----------------------------------------------------------------------------------------------
if [[ ! -x $EMP_BIN || ! -f $HELLO_JAR ]]; then
    echo "$BENCH_NAME: the distribution is missing; building it: mvn -q -B install -DskipTests" >&2
    (cd "$BENCH_ROOT" && mvn -q -B install -DskipTests) || bench_die "the build failed; see the output above"
fi
if ! command -v wrk >/dev/null && [[ $(id -u) -eq 0 && $SKIP_API != 1 ]]; then
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
tools=(mvn redis-cli)
[[ $SKIP_API == 1 ]] || tools+=(wrk)
[[ $REDIS_AOF == 1 && $SKIP_STORE != 1 ]] && tools+=(redis-server)
bench_require "${tools[@]}"
[[ $(redis-cli -u "$REDIS_URL" ping 2>&1) == PONG ]] ||
    bench_die "no Redis answers PING at $REDIS_URL; start one (redis-server) or set REDIS_URL to one this run may use"

redis_setting() { redis-cli -u "$1" config get "$2" 2>/dev/null | sed -n 2p; }
echo "$BENCH_NAME: $(date); $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB;" \
    "$(java -version 2>&1 | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
redis_version=$(redis-cli -u "$REDIS_URL" info server | tr -d '\r' | sed -n 's/^redis_version://p')
echo "$BENCH_NAME: Redis at $REDIS_URL: $redis_version," \
    "appendonly '$(redis_setting "$REDIS_URL" appendonly)', appendfsync '$(redis_setting "$REDIS_URL" appendfsync)'," \
    "save '$(redis_setting "$REDIS_URL" save)'; $(redis-cli -u "$REDIS_URL" dbsize) keys before this run"

# --- 1. store operations ----------------------------------------------------------------------------------------
if [[ $SKIP_STORE != 1 ]]; then
    mvn -q -B -f "$BENCH_ROOT/bench/store/pom.xml" package -DskipTests >"$WORK/driver-build.log" 2>&1 || {
        cat "$WORK/driver-build.log" >&2
        bench_die "cannot build bench/store; is the project installed (mvn -q -B install -DskipTests at the root)?"
    }
    # Only the two store plugins, from the distribution, as the server would find them.
    mkdir -p "$WORK/plugins"
    ln -s "$EMP_DIST/plugins/store-file.jar" "$EMP_DIST/plugins/store-redis.jar" "$WORK/plugins/"
    stores=file,redis
    driver_args=()
    if [[ $REDIS_AOF == 1 ]]; then
        aof_port=$(bench_free_port)
        mkdir -p "$WORK/redis-aof"
        redis-server --port "$aof_port" --bind 127.0.0.1 --dir "$WORK/redis-aof" --appendonly yes \
            --appendfsync always --save '' --daemonize no --logfile "$WORK/redis-aof.log" </dev/null &
        AOF_PID=$!
        AOF_URL=redis://127.0.0.1:$aof_port
        for _ in $(seq 1 100); do
            [[ $(redis-cli -u "$AOF_URL" ping 2>/dev/null) == PONG ]] && break
            kill -0 "$AOF_PID" 2>/dev/null ||
                bench_die "the private redis-server exited: $(tail -3 "$WORK/redis-aof.log")"
            sleep 0.1
        done
        [[ $(redis-cli -u "$AOF_URL" ping 2>/dev/null) == PONG ]] ||
            bench_die "the private redis-server at $AOF_URL did not answer PING within 10 s"
        echo "$BENCH_NAME: redis-aof: a private redis-server at $AOF_URL," \
            "appendonly '$(redis_setting "$AOF_URL" appendonly)'," \
            "appendfsync '$(redis_setting "$AOF_URL" appendfsync)', in $WORK/redis-aof"
        stores+=,redis-aof
        driver_args+=(--redis-aof-url "$AOF_URL")
    fi
    [[ -n $REDIS_POOL_SIZE ]] && driver_args+=(--redis-set "pool-size=$REDIS_POOL_SIZE")
    java "${DRIVER_JAVA_OPTS[@]}" -cp "$BENCH_ROOT/bench/store/target/store-bench.jar:$EMP_DIST/lib/*" \
        emp.bench.store.StoreBench \
        --plugins "$WORK/plugins" --data "$WORK/store-data" --redis-url "$REDIS_URL" --redis-prefix "$STORE_PREFIX" \
        --threads "$CLIENTS" --warmup "$STORE_WARMUP" --seconds "$STORE_SECONDS" --stores "$stores" --ops "$STORE_OPS" \
        "${driver_args[@]}" >"$WORK/store.txt" 2>"$WORK/store.log" </dev/null &
    BENCH_CHILD_PIDS+=($!)
    wait "${BENCH_CHILD_PIDS[-1]}" || {
        cat "$WORK/store.txt"
        tail -30 "$WORK/store.log" >&2
        bench_die "the store load driver failed"
    }
    BENCH_CHILD_PIDS=()
    if [[ -n $AOF_PID ]]; then
        kill -TERM "$AOF_PID" 2>/dev/null && wait "$AOF_PID" 2>/dev/null || true
        AOF_PID=
    fi
    delete_keys "$REDIS_URL" "$STORE_PREFIX"
    echo
    echo "$BENCH_NAME: store operations (stores loaded from their plugin jars through PF4J, in one JVM)"
    cat "$WORK/store.txt"
    grep -E 'WARN|ERROR' "$WORK/store.log" | sed "s/^/$BENCH_NAME: driver log: /" || true
fi

# --- 2. control API -------------------------------------------------------------------------------------------
# start_emp NAME [emp server arguments]: a server with one account holding APPS apps at 0 replicas.
start_emp() {
    local name=$1 count
    shift
    SERVER_PID= BENCH_WORK= API= TOKEN=
    unset API_PORT GATEWAY_PORT
    bench_start_server "$@"
    SERVER_PIDS[$name]=$SERVER_PID
    SERVER_WORKS[$name]=$BENCH_WORK
    SERVER_APIS[$name]=$API
    bench_login
    SERVER_TOKENS[$name]=$TOKEN
    for i in $(seq 1 "$APPS"); do
        bench_call POST /v1/apps "$(bench_hello_spec "hello-$i")" >/dev/null
    done
    count=$(bench_call GET /v1/apps | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
    [[ $count == "$APPS" ]] || bench_die "GET /v1/apps on the $name server lists $count apps, expected $APPS"
    echo "$BENCH_NAME: $name server $API (pid $SERVER_PID), store check: $(curl -s "$API/healthz" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["checks"]["store"]["detail"])')"
}

# run_wrk RUN THREADS CONNECTIONS URL [wrk options]: a warm-up run, then the measured one into $WORK/RUN.txt.
declare -A LOADAVG
run_wrk() {
    local run=$1 threads=$2 connections=$3 url=$4
    shift 4
    wrk -t"$threads" -c"$connections" -d"$WARMUP" "$@" "$url" >/dev/null
    LOADAVG[$run]=$(cut -d' ' -f1-3 /proc/loadavg)
    wrk -t"$threads" -c"$connections" -d"$DURATION" --latency "$@" "$url" >"$WORK/$run.txt"
}

if [[ $SKIP_API != 1 ]]; then
    echo
    start_emp file
    redis_args=(--store redis --set "store.redis.url=$REDIS_URL" --set "store.redis.prefix=$API_PREFIX")
    [[ -n $REDIS_POOL_SIZE ]] && redis_args+=(--set "store.redis.pool-size=$REDIS_POOL_SIZE")
    start_emp redis "${redis_args[@]}"
    keys=$(redis-cli -u "$REDIS_URL" --scan --pattern "$API_PREFIX*" | wc -l)
    [[ $keys -gt 0 ]] ||
        bench_die "the redis server wrote no keys under '$API_PREFIX' in $REDIS_URL; is it using Redis?"

    TARGETS=("apps c$CLIENTS" "healthz c$CLIENTS")
    [[ $SINGLE != 0 ]] && TARGETS+=("apps c1" "healthz c1")
    for target in "${TARGETS[@]}"; do
        read -r what clients <<<"$target"
        connections=${clients#c}
        threads=$((connections < WRK_THREADS ? connections : WRK_THREADS))
        for name in file redis; do
            api=${SERVER_APIS[$name]}
            if [[ $what == apps ]]; then
                run_wrk "$name-$what-$clients" "$threads" "$connections" "$api/v1/apps" \
                    -H "Authorization: Bearer ${SERVER_TOKENS[$name]}"
            else
                run_wrk "$name-$what-$clients" "$threads" "$connections" "$api/healthz"
            fi
        done
    done

    echo "$BENCH_NAME: control API, one account with $APPS apps at 0 replicas on each server; wrk -t$WRK_THREADS" \
        "-c$CLIENTS -d$DURATION --latency after a $WARMUP warm-up run of the same; c1 rows: wrk -t1 -c1;" \
        "the two servers measured in turn"
    printf '%-18s %-6s %11s %8s %8s %8s %9s %7s  %-14s %s\n' \
        "target" "store" "requests/s" "p50 ms" "p90 ms" "p99 ms" "max ms" "non-2xx" "socket errors" "loadavg before"
    for target in "${TARGETS[@]}"; do
        read -r what clients <<<"$target"
        for name in file redis; do
            run=$name-$what-$clients
            read -r rps p50 p90 p99 max non2xx errors < <(wrk_summary "$WORK/$run.txt")
            label="GET /v1/apps $clients"
            [[ $what == healthz ]] && label="GET /healthz $clients"
            printf '%-18s %-6s %11s %8s %8s %8s %9s %7s  %-14s %s\n' \
                "$label" "$name" "$rps" "$p50" "$p90" "$p99" "$max" "$non2xx" "$errors" "${LOADAVG[$run]}"
        done
    done
fi
echo "$BENCH_NAME: load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
