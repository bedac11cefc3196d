#!/usr/bin/env bash
# Span decoding on one thread: zipkin2's JSON v2 codec (then the conversion to EMP's spans, as the trace sources did)
# against EMP's JsonSpanDecoder, on the same bodies in turns (bench/spans DecodeBench; the bodies are checked to
# decode alike first). Prints ns and bytes allocated a span per decoder and round; the last rounds are the warm ones.
#
# Knobs (environment): BODIES (20000, one JSON list of 22 spans each on average), ROUNDS (8).
# Needs the reactor installed (mvn -q -B install -DskipTests), java and javac.
set -euo pipefail
cd "$(dirname "$0")/.."
M2=${MAVEN_REPO:-$HOME/.m2/repository}
VERSION=0.1.0-SNAPSHOT
CP=$M2/emp/emp-zipkin-support/$VERSION/emp-zipkin-support-$VERSION.jar:$M2/emp/emp-spi/$VERSION/emp-spi-$VERSION.jar
CP=$CP:$M2/io/zipkin/zipkin2/zipkin/3.5.1/zipkin-3.5.1.jar
for jar in ${CP//:/ }; do
    [[ -f $jar ]] || { echo "span-decode: $jar is missing; install the reactor: mvn -q -B install -DskipTests" >&2; exit 1; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/emp-span-decode.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
javac -d "$WORK" -cp "$CP" bench/spans/src/emp/bench/spans/TraceFactory.java bench/spans/src/emp/bench/spans/DecodeBench.java
echo "span-decode: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx1g -cp "$WORK:$CP" emp.bench.spans.DecodeBench "${BODIES:-20000}" "${ROUNDS:-8}"
