# Shared by bench/replica-startup.sh and bench/api-latency.sh (sourced, not run): a private EMP server on free
# ports with its own data directory and EMP_HOME, an account and a session through the REST API, and a cleanup
# that stops the server with SIGTERM (SIGKILL after 30 s) and any replica it left behind, by pid.
#
# The sourcing script must `set -euo pipefail` and set BENCH_NAME before sourcing this file.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EMP_DIST=${EMP_DIST:-$BENCH_ROOT/dist/target/emp}
EMP_BIN=$EMP_DIST/bin/emp
HELLO_JAR=$EMP_DIST/examples/hello.jar

bench_die() {
    echo "$BENCH_NAME: $*" >&2
    exit 1
}

bench_require() {
    if [[ ! -x $EMP_BIN || ! -f $HELLO_JAR ]]; then
        bench_die "the distribution is missing ($EMP_BIN or $HELLO_JAR);" \
            "build it at the repository root with: mvn -B -q package -DskipTests"
    fi
    local tool
    for tool in curl python3 java "$@"; do
        command -v "$tool" >/dev/null || bench_die "'$tool' is not installed"
    done
}

# A TCP port nobody listens on right now (the kernel's choice; released before the server binds it).
bench_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

BENCH_WORK=
SERVER_PID=
API=
TOKEN=
BENCH_CHILD_PIDS=()  # background helpers of the sourcing script, ended first on exit

bench_cleanup() {
    local status=$?
    local child
    for child in "${BENCH_CHILD_PIDS[@]}"; do
        kill -TERM "$child" 2>/dev/null || true
    done
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        local i
        for i in $(seq 1 300); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "$BENCH_NAME: the server did not stop within 30 s of SIGTERM; killing it" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    # Replicas the server may have left running (it stops them on SIGTERM, not on SIGKILL): their pids were
    # recorded from the API as the benchmark saw them.
    if [[ -n $BENCH_WORK && -f $BENCH_WORK/replica-pids ]]; then
        local pid
        while read -r pid; do
            [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true
        done <"$BENCH_WORK/replica-pids"
    fi
    if [[ $status -ne 0 && -n $BENCH_WORK && -f $BENCH_WORK/server.log ]]; then
        echo "$BENCH_NAME: ended with status $status; the last lines of the server's output:" >&2
        tail -20 "$BENCH_WORK/server.log" >&2 || true
    fi
    [[ -n $BENCH_WORK ]] && rm -rf "$BENCH_WORK"
    return "$status"
}

# Starts `emp server` on free ports and waits (up to 60 s) for GET /healthz to answer 200. Sets API, API_PORT,
# GATEWAY_PORT, SERVER_PID, BENCH_WORK. Extra arguments go to `emp server` (e.g. --set KEY=VALUE).
bench_start_server() {
    BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/emp-bench.XXXXXX")
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    API_PORT=${API_PORT:-$(bench_free_port)}
    GATEWAY_PORT=${GATEWAY_PORT:-$(bench_free_port)}
    while [[ $GATEWAY_PORT == "$API_PORT" ]]; do GATEWAY_PORT=$(bench_free_port); done
    API=http://127.0.0.1:$API_PORT
    EMP_HOME=$BENCH_WORK/home "$EMP_BIN" server --api-port "$API_PORT" --gateway-port "$GATEWAY_PORT" \
        --data-dir "$BENCH_WORK/data" "$@" >"$BENCH_WORK/server.log" 2>&1 </dev/null &
    SERVER_PID=$!
    local i status
    for i in $(seq 1 600); do
        status=$(curl -s -o /dev/null -w '%{http_code}' "$API/healthz" || true)
        [[ $status == 200 ]] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || bench_die "the server exited before answering GET /healthz"
        sleep 0.1
    done
    bench_die "GET $API/healthz did not answer 200 within 60 s (last: '$status')"
}

# bench_call METHOD PATH [JSON]: prints the answer's body; fails with the server's problem on a non-2xx answer.
bench_call() {
    local method=$1 path=$2 body=${3:-} out status
    local args=(-sS -o "$BENCH_WORK/answer" -w '%{http_code}' -X "$method" -H 'Accept: application/json')
    [[ -n $TOKEN ]] && args+=(-H "Authorization: Bearer $TOKEN")
    [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    status=$(curl "${args[@]}" "$API$path") || bench_die "$method $path: curl failed"
    if [[ $status != 2* ]]; then
        bench_die "$method $path answered $status: $(cat "$BENCH_WORK/answer")"
    fi
    cat "$BENCH_WORK/answer"
}

# Creates an account and logs in; sets TOKEN.
bench_login() {
    local username=${1:-bench} password=${2:-bench-password-1}
    local credentials
    credentials=$(printf '{"username":"%s","password":"%s"}' "$username" "$password")
    bench_call POST /v1/accounts "$credentials" >/dev/null
    TOKEN=$(bench_call POST /v1/sessions "$credentials" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
    [[ -n $TOKEN ]] || bench_die "POST /v1/sessions gave no token"
}

# The spec of examples/hello under NAME with no replicas.
bench_hello_spec() {
    python3 - "$1" "$HELLO_JAR" <<'PY'
import json, sys
print(json.dumps({"name": sys.argv[1], "command": ["java", "-jar", sys.argv[2]], "replicas": 0,
                  "health": {"path": "/health"}}))
PY
}
