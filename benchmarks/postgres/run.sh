#!/usr/bin/env bash
# py_db on PostgreSQL against plain pgjdbc, and 1 -> 2 -> 3 py_db nodes (issue 12).
#
#   benchmarks/postgres/run.sh                       # 10 s per phase, 16 clients, mix 80/15/5
#   SECONDS_PER_PHASE=30 CLIENTS=32 benchmarks/postgres/run.sh
#   benchmarks/postgres/run.sh --mix 90,10,0         # GET,PUT,FIND percentages
#   benchmarks/postgres/run.sh --jdbc-url jdbc:postgresql://db:5432/pydb --user pydb --password …
#
# Without --jdbc-url it starts its own PostgreSQL 15 (Debian's binaries, as the postgres user:
# needs root) on 127.0.0.1 and a free port; the py_db nodes are started from the unpacked
# distribution (distribution/target/pydb-<version>/), built first when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
module=benchmarks/postgres
if [[ ! -f "$module/target/classpath.txt" || ! -d distribution/target ]] || [[ -n "$(find pom.xml api engine storage-postgres \
        clients/java distribution "$module" \( -name pom.xml -o -path '*/src/main/*' \) -type f \
        -newer "$module/target/classpath.txt" -print -quit)" ]]; then
    echo "run.sh: building the distribution and $module" >&2
    mvn -B -q -pl "$module" -am -DskipTests package dependency:build-classpath \
        -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi
java_major() {
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p'
}
java=""
for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    if [[ -n "$candidate" && -x "$candidate" ]] && (( $(java_major "$candidate") >= 21 )); then
        java="$candidate"
        break
    fi
done
[[ -n "$java" ]] || { echo "run.sh: no Java 21+ found (set JAVA_HOME)" >&2; exit 1; }
classpath="$module/target/classes:$(cat "$module/target/classpath.txt")"
exec "$java" -cp "$classpath" dev.pydb.benchmarks.postgres.ScaleOutBenchmark \
    --distribution "$(ls -d distribution/target/pydb-*/ | head -n 1)" \
    --seconds "${SECONDS_PER_PHASE:-10}" --clients "${CLIENTS:-16}" "$@"
