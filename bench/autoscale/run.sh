#!/usr/bin/env bash
# The autoscaling experiment of issues 4 and 10: every policy (none, threshold, hpa, kpa, tracegraph) in every scenario
# (leaf-cost, load-step, spike, serial-leaf; wave too in the full run) on a private EMP server each, then the table and
# the plots.
#
#   bench/autoscale/run.sh [--quick] [--no-record] [--policies none,kpa (or --policy NAME)] [--scenarios serial-leaf] [--report-only]
#   bench/autoscale/run.sh --quick --plugin examples/scheduler-plugin/target/queue-scheduler-1.0.0.jar \
#       --policies none,threshold,queue
#
# --quick      15 s warm-up and 150 s measured per run (change at 20 s, drop at 60 s; about an hour for the 20 runs);
#              without it 30 s and 330 s (change at 60 s, drop at 180 s), and the wave scenario too (about 2 h 45)
# --no-record  do not append the section to bench/RESULTS.md (it is always in bench/autoscale/results/summary.md)
# --plugin F   a plugin jar every run's server loads too (repeatable); a --policies name that is not a built-in
#              policy is then the name of a scheduler it provides, run as the server's --scheduler
# Other arguments go to the harness (see AutoscaleExperiment). Needs the distribution (dist/target/emp) built.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RECORD=1
ARGS=()
for arg in "$@"; do
    if [[ $arg == --no-record ]]; then
        RECORD=0
    else
        ARGS+=("$arg")
    fi
done

if [[ ! -x $ROOT/dist/target/emp/bin/emp ]]; then
    echo "run.sh: the distribution is missing (dist/target/emp); build it at the repository root with:" \
        "mvn -B -q package -DskipTests" >&2
    exit 1
fi

mvn -q -B -f "$ROOT/bench/autoscale/pom.xml" package -DskipTests
SUMMARY=$ROOT/bench/autoscale/results/summary.md
java -Xmx512m -jar "$ROOT/bench/autoscale/target/autoscale-bench.jar" --repo "$ROOT" --summary "$SUMMARY" \
    --command "bench/autoscale/run.sh $*" "${ARGS[@]}"

if [[ $RECORD == 1 ]]; then
    { echo; cat "$SUMMARY"; } >>"$ROOT/bench/RESULTS.md"
    echo "run.sh: the section was appended to bench/RESULTS.md" >&2
fi
