#!/usr/bin/env bash
# Issue 16, "the gateway at least as fast as nginx": one hello replica, nginx as a reverse proxy in front of it and
# the EMP gateway in front of the same replica, all on 127.0.0.1; wrk with the same threads, connections and
# duration against the replica directly, through nginx and through the gateway, the targets taken in turn
# (direct, nginx, gateway, direct, nginx, gateway, ...) after a discarded warm-up of each. Prints one table:
# requests/s, p50, p90, p99 and max of each target in each round and over all rounds, the CPU time per request
# of the proxy, the replica and wrk (read from /proc, robust on a shared machine where requests/s is not), and the
# gateway/nginx ratios.
#
# Needs: examples/hello/target/hello-0.1.0-SNAPSHOT.jar, gateway/target/emp-gateway-0.1.0-SNAPSHOT.jar and the
# gateway's test classes (each built with `mvn -B -o -q install -DskipTests -pl ...` when missing), wrk and nginx
# (installed with apt-get when missing and running as root). Run it under `flock /tmp/emp-bench.lock` on a shared
# machine.
#
# Knobs (environment):
#   DURATION (10s)       each measured wrk run          WARMUP (15s)     each discarded warm-up run
#   CONNECTIONS (50)     wrk -c                          THREADS (2)      wrk -t
#   ROUNDS (2)           measured runs per target, taken in turn
#   PATH_ASKED (/hi)     the replica's path asked (the gateway is asked /bench/hello$PATH_ASKED)
#   NGINX_WORKERS (auto) nginx's worker_processes        NGINX_KEEPALIVE (64) idle upstream connections per worker
#   JAVA_OPTS (-Xms256m -Xmx256m)  for the replica and the gateway
#   GATEWAY_JAVA_OPTS ('')         more for the gateway alone, e.g. -XX:StartFlightRecording=filename=/tmp/g.jfr
#   GATEWAY_CONCURRENCY (learned)  a fixed concurrency limit for the replica, as an app's spec may set it; by default
#                                  the gateway learns it, and requests beyond it wait in the gateway's line
#   TARGETS (direct nginx gateway) which targets to measure, in this order each round
#   GATEWAY_JAR (gateway/target/emp-gateway-0.1.0-SNAPSHOT.jar) another build of the gateway to measure
#   KEEP_LOGS (unset)    a folder to copy the servers' logs and wrk's outputs to on exit
# Everything listens on 127.0.0.1 only; every process it started is stopped on exit.
set -euo pipefail
TICK=$(getconf CLK_TCK)

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GATEWAY_JAR=${GATEWAY_JAR:-$ROOT/gateway/target/emp-gateway-0.1.0-SNAPSHOT.jar}
TEST_CLASSES=$ROOT/gateway/target/test-classes
HELLO_JAR=$ROOT/examples/hello/target/hello-0.1.0-SNAPSHOT.jar
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-15s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
PATH_ASKED=${PATH_ASKED:-/hi}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
NGINX_KEEPALIVE=${NGINX_KEEPALIVE:-64}
read -r -a JAVA_OPTS <<<"${JAVA_OPTS:--Xms256m -Xmx256m}"
read -r -a GATEWAY_EXTRA <<<"${GATEWAY_JAVA_OPTS:-}"
if [[ -n ${GATEWAY_CONCURRENCY:-} ]]; then
    GATEWAY_EXTRA+=("-Demp.bench.concurrency=$GATEWAY_CONCURRENCY")
fi
read -r -a TARGET_LIST <<<"${TARGETS:-direct nginx gateway}"

# shellcheck source=lib/wrk.sh
source "$ROOT/bench/lib/wrk.sh"

say() { echo "gateway-vs-nginx: $*" >&2; }

install_missing() {
    local command=$1 package=$2
    command -v "$command" >/dev/null && return 0
    if [[ $(id -u) -ne 0 ]]; then
        say "$command is missing; install it with: sudo apt-get install -y $package"
        exit 1
    fi
    say "installing $package"
    apt-get install -y "$package" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$package" >/dev/null; }
}
install_missing wrk wrk
if ! command -v nginx >/dev/null && [[ -x /usr/sbin/nginx ]]; then
    PATH=$PATH:/usr/sbin
fi
install_missing nginx nginx

if [[ ! -f $HELLO_JAR ]]; then
    say "building examples/hello (its jar is missing)"
    (cd "$ROOT" && mvn -B -o -q install -DskipTests -pl examples/hello)
fi
if [[ ! -f $GATEWAY_JAR || ! -f $TEST_CLASSES/emp/gateway/bench/GatewayBenchMain.class ]]; then
    say "building gateway (its jar or test classes are missing)"
    (cd "$ROOT" && mvn -B -o -q install -DskipTests -pl gateway)
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n ${KEEP_LOGS:-} ]]; then
        mkdir -p "$KEEP_LOGS" && cp -r "$WORK"/. "$KEEP_LOGS"/ 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Prints the first match of $3 in the log $1 of process $2, waiting up to 30 s.
announced() {
    local log=$1 pid=$2 pattern=$3
    for _ in $(seq 1 300); do
        if grep -qo "$pattern" "$log"; then
            grep -o "$pattern" "$log" | head -1
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            say "a server exited before listening; its output:"
            cat "$log" >&2
            return 1
        fi
        sleep 0.1
    done
    say "no address in $log after 30 s"
    return 1
}

# Waits up to 30 s for $1 to answer 200.
await_200() {
    local url=$1 status
    for _ in $(seq 1 300); do
        status=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
        [[ $status == 200 ]] && return 0
        sleep 0.1
    done
    say "$url answered '$status', not 200, for 30 s"
    return 1
}

# The gateway's test classpath (Netty, SLF4J, logback): reads ~/.m2 and builds nothing.
if ! (cd "$ROOT" && mvn -o -q -B -pl gateway dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$WORK/classpath.txt") >"$WORK/mvn.log" 2>&1; then
    say "could not resolve the gateway's classpath:"
    cat "$WORK/mvn.log" >&2
    exit 1
fi
GATEWAY_CLASSPATH=$GATEWAY_JAR:$TEST_CLASSES:$(cat "$WORK/classpath.txt")

# The replica. hello sets sun.net.httpserver.nodelay itself; it is given here too, so that it holds whatever the jar.
PORT=0 EMP_SERVICE_NAME=bench/hello java "${JAVA_OPTS[@]}" -Dsun.net.httpserver.nodelay=true -jar "$HELLO_JAR" \
    >"$WORK/hello.log" 2>&1 &
PIDS+=($!)
REPLICA_PID=$!
REPLICA_URL=$(announced "$WORK/hello.log" "${PIDS[-1]}" 'http://127\.0\.0\.1:[0-9]*')
REPLICA_ADDRESS=${REPLICA_URL#http://}

# nginx, unprivileged (as nobody when this runs as root), in the foreground, everything in its own folder.
NGINX_DIR=$WORK/nginx
mkdir -p "$NGINX_DIR/tmp" "$NGINX_DIR/logs"
NGINX_PORT=$(free_port)
cat >"$NGINX_DIR/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $NGINX_WORKERS;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/logs/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    client_body_temp_path $NGINX_DIR/tmp/body;
    proxy_temp_path $NGINX_DIR/tmp/proxy;
    fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
    scgi_temp_path $NGINX_DIR/tmp/scgi;
    upstream hello {
        server $REPLICA_ADDRESS;
        keepalive $NGINX_KEEPALIVE;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://hello;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
NGINX_RUN=(nginx -p "$NGINX_DIR" -e "$NGINX_DIR/logs/error.log" -c "$NGINX_DIR/nginx.conf")
if [[ $(id -u) -eq 0 ]]; then
    chown -R nobody "$NGINX_DIR"
    chmod 755 "$WORK"
    NGINX_RUN=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "${NGINX_RUN[@]}")
fi
"${NGINX_RUN[@]}" >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
NGINX_PID=$!

# The gateway, as bench/gateway-bench.sh starts it.
java "${JAVA_OPTS[@]}" "${GATEWAY_EXTRA[@]}" -cp "$GATEWAY_CLASSPATH" emp.gateway.bench.GatewayBenchMain \
    "$REPLICA_ADDRESS" >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
GATEWAY_PID=$!
GATEWAY_URL=$(announced "$WORK/gateway.log" "$GATEWAY_PID" 'http://127\.0\.0\.1:[0-9]*/bench/hello/')

declare -A URL=(
    [direct]=http://$REPLICA_ADDRESS$PATH_ASKED
    [nginx]=http://127.0.0.1:$NGINX_PORT$PATH_ASKED
    [gateway]=${GATEWAY_URL%/}$PATH_ASKED
)
for target in "${TARGET_LIST[@]}"; do
    [[ -n ${URL[$target]:-} ]] || { say "unknown target '$target'; use direct, nginx and gateway"; exit 2; }
    if ! await_200 "${URL[$target]}"; then
        [[ $target == nginx ]] && cat "$WORK/nginx.log" "$NGINX_DIR/logs/error.log" >&2
        exit 1
    fi
done

# The CPU time "user system" (in clock ticks) the processes $@ and their child processes (nginx's workers) used so far.
cpu_ticks() {
    local pids=("$@") pid user=0 system=0 fields
    for pid in "${@}"; do
        pids+=($(pgrep -P "$pid" || true))
    done
    for pid in "${pids[@]}"; do
        if fields=$(cut -d')' -f2- "/proc/$pid/stat" 2>/dev/null); then
            # After "pid (comm)": field 12 is utime and 13 stime (fields 14 and 15 of the whole line).
            read -r u s < <(awk '{ print $12, $13 }' <<<"$fields")
            user=$((user + u))
            system=$((system + s))
        fi
    done
    echo "$user $system"
}

# One wrk run of $1 for $2; wrk's output goes to $WORK/$3.txt and the CPU each side used to $WORK/$3.cpu as
# "proxy_user proxy_system backend_user backend_system" (clock ticks) and "wrk_seconds".
run_wrk() {
    local target=$1 duration=$2 name=$3 proxy_before backend_before proxy_after backend_after
    local proxy_pids=()
    [[ $target == nginx ]] && proxy_pids=("$NGINX_PID")
    [[ $target == gateway ]] && proxy_pids=("$GATEWAY_PID")
    proxy_before=$(cpu_ticks "${proxy_pids[@]}")
    backend_before=$(cpu_ticks "$REPLICA_PID")
    local TIMEFORMAT='%U %S'
    { time wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency "${URL[$target]}" >"$WORK/$name.txt"; } \
        2>"$WORK/$name.wrktime"
    proxy_after=$(cpu_ticks "${proxy_pids[@]}")
    backend_after=$(cpu_ticks "$REPLICA_PID")
    echo "$proxy_before $proxy_after $backend_before $backend_after" | awk '{ print $3 - $1, $4 - $2, $7 - $5, $8 - $6 }' \
        | tr '\n' ' ' >"$WORK/$name.cpu"
    awk '{ print $1 + $2 }' "$WORK/$name.wrktime" >>"$WORK/$name.cpu"
    if grep -q 'Non-2xx' "$WORK/$name.txt"; then
        say "some answers of $target (${URL[$target]}) were not 2xx:"
        cat "$WORK/$name.txt" >&2
        exit 1
    fi
}

# Prints "requests/s p50 p90 p99 max proxy_us backend_us wrk_us proxy_sys_us errors" for the run $1: the CPU time
# per request of the proxy (0 for direct), of the replica and of wrk, and the proxy's system time, in microseconds.
run_summary() {
    local name=$1 rps p50 p90 p99 max errors proxy_user proxy_system backend_user backend_system wrk_s requests
    read -r rps p50 p90 p99 max _ errors < <(wrk_summary "$WORK/$name.txt")
    read -r proxy_user proxy_system backend_user backend_system wrk_s <"$WORK/$name.cpu"
    requests=$(awk '/requests in/ { print $1 }' "$WORK/$name.txt")
    awk -v rps="$rps" -v p50="$p50" -v p90="$p90" -v p99="$p99" -v max="$max" -v errors="$errors" \
        -v proxy="$((proxy_user + proxy_system))" -v proxy_system="$proxy_system" \
        -v backend="$((backend_user + backend_system))" -v wrk_s="$wrk_s" -v requests="$requests" -v tick="$TICK" 'BEGIN {
        us = 1e6 / (requests > 0 ? requests : 1)
        printf "%s %s %s %s %s %.1f %.1f %.1f %.1f %s\n", rps, p50, p90, p99, max, proxy / tick * us,
            backend / tick * us, wrk_s * us, proxy_system / tick * us, errors }'
}

# epoll when the gateway's JVM loaded Netty's native epoll library, else NIO.
gateway_transport() {
    if grep -q netty_transport_native_epoll "/proc/$GATEWAY_PID/maps" 2>/dev/null; then echo epoll; else echo nio; fi
}

say "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); warming up each target for $WARMUP"
for target in "${TARGET_LIST[@]}"; do
    run_wrk "$target" "$WARMUP" "warmup-$target"
done
for round in $(seq 1 "$ROUNDS"); do
    for target in "${TARGET_LIST[@]}"; do
        say "round $round: $target"
        run_wrk "$target" "$DURATION" "$round-$target"
    done
done

echo "gateway-vs-nginx: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) at end; wrk -t$THREADS -c$CONNECTIONS -d$DURATION" \
    "$ROUNDS rounds after a $WARMUP warm-up of each; GET $PATH_ASKED of one hello replica;" \
    "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') workers $NGINX_WORKERS;" \
    "gateway's limit per replica ${GATEWAY_CONCURRENCY:-learned}, transport $(gateway_transport)"
printf '%-6s %-8s %11s %7s %7s %7s %7s %9s %9s %9s %9s  %s\n' round target requests/s p50_ms p90_ms p99_ms max_ms \
    proxy_us '(sys)' backend_us wrk_us socket_errors
for round in $(seq 1 "$ROUNDS") all; do
    for target in "${TARGET_LIST[@]}"; do
        if [[ $round == all ]]; then
            # Over all rounds: the mean of the rounds' figures, but the largest max.
            for r in $(seq 1 "$ROUNDS"); do cat "$WORK/$r-$target.sum"; done | awk '
                { for (i = 1; i <= 9; i++) sum[i] += $i; if ($5 > max) max = $5; if ($10 != "none") err = err $10 " " }
                END { printf "%.0f %.2f %.2f %.2f %.2f %.1f %.1f %.1f %.1f %s\n", sum[1] / NR, sum[2] / NR, sum[3] / NR,
                      sum[4] / NR, max, sum[6] / NR, sum[7] / NR, sum[8] / NR, sum[9] / NR,
                      (err == "" ? "none" : err) }' \
                >"$WORK/all-$target.sum"
        else
            run_summary "$round-$target" >"$WORK/$round-$target.sum"
        fi
        read -r rps p50 p90 p99 max proxy backend wrk_us proxy_sys errors <"$WORK/$round-$target.sum"
        printf '%-6s %-8s %11s %7s %7s %7s %7s %9s %9s %9s %9s  %s\n' "$round" "$target" "$rps" "$p50" "$p90" "$p99" \
            "$max" "$proxy" "($proxy_sys)" "$backend" "$wrk_us" "$errors"
    done
done
echo "(proxy_us, backend_us, wrk_us: CPU time, user + system, of each process per request served, in microseconds;"
echo " (sys): the proxy's system time alone)"
if [[ -f $WORK/all-nginx.sum && -f $WORK/all-gateway.sum ]]; then
    for round in $(seq 1 "$ROUNDS") all; do
        read -r nr n50 _ n99 nmax ncpu _ <"$WORK/$round-nginx.sum"
        read -r gr g50 _ g99 gmax gcpu _ <"$WORK/$round-gateway.sum"
        awk -v round="$round" -v nr="$nr" -v gr="$gr" -v n50="$n50" -v g50="$g50" -v n99="$n99" -v g99="$g99" \
            -v nmax="$nmax" -v gmax="$gmax" -v ncpu="$ncpu" -v gcpu="$gcpu" '
            function ratio(g, n) { return n > 0 ? sprintf("%.2f", g / n) : "-" }
            BEGIN { printf "gateway/nginx %-4s requests/s %s  p50 %s  p99 %s  max %s  proxy CPU per request %s\n", round,
                    ratio(gr, nr), ratio(g50, n50), ratio(g99, n99), ratio(gmax, nmax), ratio(gcpu, ncpu) }'
    done
fi
