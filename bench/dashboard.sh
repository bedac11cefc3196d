#!/usr/bin/env bash
# What the dashboard's live streams cost the server: a private `emp server --cluster sim`, USERS users with APPS apps
# each (nothing runs: plugins/cluster-sim), then for each count of STREAMS, that many `GET /v1/stream?app=...`
# (each user's cookie session, at most 8 streams a user) read for DURATION seconds, with the server's CPU time read from
# /proc/PID/stat over the same seconds (bench/dashboard/streams.py). Prints the server's CPU ms per second idle and
# with each count of streams, and what each stream receives.
#
# Knobs (environment): USERS (8), APPS (20), DURATION (20, seconds per count), STREAMS ("1 8 32 64").
# Needs the distribution (dist/target/emp), curl and python3.
set -euo pipefail

BENCH_NAME=dashboard
# shellcheck source=lib/server.sh
source "$(dirname "$0")/lib/server.sh"

USERS=${USERS:-8}
APPS=${APPS:-20}
SECONDS_EACH=${DURATION:-20}
STREAMS=${STREAMS:-1 8 32 64}
HERE=$(cd "$(dirname "$0")" && pwd)

bench_start_server --cluster sim --set auth.bcrypt-cost=4 --set accounts.signup=open \
    --set quota.apps-per-user="$APPS" --set cluster.sim.start-latency=50ms
echo "dashboard streams: $USERS users x $APPS apps on the simulated cluster, ${SECONDS_EACH}s per count; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
python3 "$HERE/dashboard/streams.py" "$API" "$SERVER_PID" "$USERS" "$APPS" "$SECONDS_EACH" $STREAMS
