#!/usr/bin/env bash
# Prints stack.json with the absolute path of a songs jar in place of ${EMP_SPEC_DIR}/target/songs.jar:
#   examples/songs/stack.sh > /tmp/stack.json && emp deploy /tmp/stack.json
# The jar is $SONGS_JAR when set (e.g. the distribution's examples/songs.jar), else this folder's target/songs.jar.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="${SONGS_JAR:-$here/target/songs.jar}"
if [[ ! -f "$jar" ]]; then
    echo "stack.sh: no jar at '$jar'; build it with 'mvn -q -B install -f $here/pom.xml', or set SONGS_JAR to its path" >&2
    exit 1
fi
jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
# A JSON string: backslashes and quotes escaped.
jar="${jar//\\/\\\\}"
jar="${jar//\"/\\\"}"
# Bash 5.2 would otherwise read '&' in the replacement as the matched text.
shopt -u patsub_replacement 2>/dev/null || true
stack="$(<"$here/stack.json")"
placeholder='${EMP_SPEC_DIR}/target/songs.jar'
printf '%s\n' "${stack//"$placeholder"/$jar}"
