#!/usr/bin/env bash
# Runs the storage benchmarks (JMH) and writes JSON results to target/benchmark-results/
# (outside the tracked tree; PYDB_RESULTS_DIR overrides).
#
#   benchmarks/run.sh                      # the mapdb backend
#   PROVIDERS=json,mapdb,lmdb benchmarks/run.sh
#   benchmarks/run.sh -e 'get|scan'        # extra arguments go to JMH (here: only the puts)
#   ITERATIONS=5 ITERATION_TIME=10s benchmarks/run.sh
#   BENCHMARKS='durablePut1Writer$' benchmarks/run.sh   # a JMH regexp (default: all of StorageBenchmark)
#
# Builds benchmarks/jmh/target/benchmarks.jar first when it is missing or older than the sources.
# Settings are short but honest: one fork, 2 warm-up iterations of 2 s, 3 measured ones of 5 s.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jar=benchmarks/jmh/target/benchmarks.jar
providers="${PROVIDERS:-mapdb}"
warmups="${WARMUP_ITERATIONS:-2}"
iterations="${ITERATIONS:-3}"
iteration_time="${ITERATION_TIME:-5s}"
benchmarks="${BENCHMARKS:-StorageBenchmark}"

java_major() {
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p'
}

find_java() {
    local candidate
    for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
        if [[ -n "$candidate" && -x "$candidate" ]] && (( $(java_major "$candidate") >= 21 )); then
            echo "$candidate"
            return
        fi
    done
    echo "run.sh: no Java 21+ found (set JAVA_HOME)" >&2
    exit 1
}

if [[ ! -f "$jar" ]] || [[ -n "$(find pom.xml api benchmarks/jmh storage-toolkit storage-json storage-mapdb storage-lmdb \
        \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$jar" -print -quit)" ]]; then
    echo "run.sh: building $jar" >&2
    mvn -B -q -pl benchmarks/jmh -am -DskipTests package
fi

java="$(find_java)"
results_dir="${PYDB_RESULTS_DIR:-$root/target/benchmark-results}"
mkdir -p "$results_dir"
results="$results_dir/jmh-${providers//,/-}-$(date -u +%Y%m%dT%H%M%SZ).json"
echo "run.sh: $java, providers $providers, results in $results" >&2
"$java" -jar "$jar" "$benchmarks" \
    -p provider="$providers" \
    -f 1 -wi "$warmups" -w 2s -i "$iterations" -r "$iteration_time" \
    -rf json -rff "$results" \
    "$@"
