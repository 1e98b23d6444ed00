#!/usr/bin/env bash
# py_db (lmdb) against Redis on this machine, side by side in the same run: several rounds, each
# running every row back to back on py_db and on Redis through the SAME load generator
# (pydb-bench, with --target redis for Redis: same connections, pipelining, keys and value bytes),
# then on Redis through redis-benchmark as a reference. The load generator shares the 2 cores with
# the server, so only the same-harness ratio py_db/Redis (pydb-bench on both) is checked against the
# targets; the ratio against redis-benchmark (a lighter C client, one event-loop thread) is shown
# for information. Rows (50 connections, 100,000 keys, 100-byte values, both servers preloaded):
#   GET without pipelining; GET with pipeline 16; durable PUT (lmdb, fsync per commit) against
#   SET with appendonly yes + appendfsync always; with the p99 latency of each.
#   Through pydb-bench both servers store the same value, py_db's document {"v":"<100 x>"} (108 bytes),
#   under the same keys k0000000000..; redis-benchmark writes its own 100-byte values under key:000000000000...
#
#   benchmarks/compare-redis.sh                  # 3 rounds of 8 s per pydb-bench row
#   ROUNDS=5 DURATION=10s benchmarks/compare-redis.sh
#   benchmarks/compare-redis.sh --memory         # also: py_db RSS with 1,000,000 docs and 1,000 idle connections
#   ROUNDS=0 PYDB_JAVA_OPTS=-Xmx128m benchmarks/compare-redis.sh --memory   # only the memory check, a smaller heap
#   ROUNDS=0 PYDB_JAVA_OPTS=-XX:NativeMemoryTracking=summary benchmarks/compare-redis.sh --memory
#                                                # the breakdown (pydb-memory-breakdown.txt) then has the JVM's own account
#   benchmarks/compare-redis.sh --profile        # also: a JFR profile of py_db under GET load, hot methods printed
#
# The distribution ships this script as bin/pydb-compare-redis: run from there it uses that
# distribution as it is, and writes its results under ./pydb-compare-redis-results/ (or
# $PYDB_RESULTS_DIR). Run from the source tree it builds and unpacks the distribution if needed.
# Installs redis-server and redis-tools with apt-get if missing, runs everything on 127.0.0.1
# (free ports) in a temporary folder, and stops both servers on exit. Results (raw JSON/CSV and
# the table) go to target/benchmark-results/redis-<time>/ (outside the tracked tree):
# pydb-<row>-<round>.json (py_db, pydb-bench), redis-pb-<row>-<round>.json (Redis, pydb-bench),
# redis-<row>-<round>.csv (Redis, redis-benchmark).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
rounds="${ROUNDS:-3}"
duration="${DURATION:-8s}"
connections=50
value_bytes=100
keys=100000
memory=false
profile=false
for arg in "$@"; do
    case "$arg" in
        --memory) memory=true ;;
        --profile) profile=true ;;
        *) echo "usage: $0 [--memory] [--profile]" >&2; exit 2 ;;
    esac
done

log() { echo "compare-redis: $*" >&2; }

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    log "installing redis-server and redis-tools"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
if [[ -d "$here/../lib/bench" ]]; then
    # Shipped in the distribution as bin/pydb-compare-redis: use this distribution as it is.
    dist="$(cd "$here/.." && pwd)"
    bench_jar="$(ls "$dist"/lib/bench/pydb-bench-*.jar | head -n 1)"
    version="$(basename "$bench_jar" .jar)"
    version="${version#pydb-bench-}"
    results="${PYDB_RESULTS_DIR:-$PWD/pydb-compare-redis-results}/redis-$stamp"
else
    # In the source tree (benchmarks/compare-redis.sh): build and unpack the distribution if needed.
    root="$(cd "$here/.." && pwd)"
    cd "$root"
    version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -n 1)"
    dist="$root/distribution/target/pydb-$version"
    bench_jar="$dist/lib/bench/pydb-bench-$version.jar"
    if [[ ! -f "$bench_jar" ]] || [[ -n "$(find pom.xml api engine bench storage-lmdb distribution/src \
            \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$bench_jar" -print -quit 2>/dev/null)" ]]; then
        log "building the distribution"
        mvn -B -q -pl distribution -am -DskipTests package
    fi
    results="${PYDB_RESULTS_DIR:-$root/target/benchmark-results}/redis-$stamp"
fi

work="$(mktemp -d /tmp/compare-redis.XXXXXX)"
mkdir -p "$results"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for_port() {
    local port=$1 i
    for i in $(seq 1 300); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    log "nothing listens on port $port"; exit 1
}

# Redis: one instance without persistence for the GET rows, one with appendfsync always for the durable row.
redis_fast_port="$(free_port)"
mkdir -p "$work/redis-fast" "$work/redis-durable"
redis-server --bind 127.0.0.1 --port "$redis_fast_port" --dir "$work/redis-fast" --save "" --appendonly no \
    --logfile "$work/redis-fast.log" &
pids+=($!)
redis_durable_port="$(free_port)"
redis-server --bind 127.0.0.1 --port "$redis_durable_port" --dir "$work/redis-durable" --save "" --appendonly yes \
    --appendfsync always --logfile "$work/redis-durable.log" &
pids+=($!)
wait_for_port "$redis_fast_port"
wait_for_port "$redis_durable_port"

# py_db with lmdb in the temporary folder; a plain-text password is fine for a throwaway server.
pydb_port="$(free_port)"
export PYDB_PASSWORD="bench-$RANDOM$RANDOM"
cat > "$work/env.json" <<JSON
{
  "server": {"host": "127.0.0.1", "port": $pydb_port, "max_connections": 2000, "max_query_length": 16777216},
  "storage": {"provider": "lmdb", "path": "$work/pydb-data", "options": {"map_size_bytes": 8589934592}},
  "auth": {"token_ttl_seconds": 3600, "users": [{"username": "admin", "password": "$PYDB_PASSWORD", "roles": ["admin"]}]},
  "logging": {"level": "WARN", "console": false, "file": "$work/pydb.log"},
  "plugins": {"dir": "plugins"}
}
JSON
jfr_file="$results/pydb-get.jfr"
"$dist/bin/pydb" -e "$work/env.json" >"$work/pydb.out" 2>&1 &
pydb_pid=$!
pids+=("$pydb_pid")
wait_for_port "$pydb_port"

java_version="$(. "$dist/bin/pydb-java.sh"; pydb_find_java_or_exit compare-redis 1; "$JAVA" -version 2>&1 | head -n 1)"
redis_version="$(redis-server --version)"
log "py_db $version ($java_version) on port $pydb_port; $redis_version on ports $redis_fast_port, $redis_durable_port"

# Preload: py_db and the Redis for the GET rows through pydb-bench (its preload, then a short GET run), the
# same way; both Redis instances also with the keys redis-benchmark uses. The durable rows only write.
log "preloading $keys keys into each server"
"$dist/bin/pydb-bench" -p "$pydb_port" -c "$connections" -d "$value_bytes" -r "$keys" -n 1000 --db get -q --json \
    > "$results/pydb-preload.json"
"$dist/bin/pydb-bench" --target redis -p "$redis_fast_port" -c "$connections" -d "$value_bytes" -r "$keys" -n 1000 -q --json \
    > "$results/redis-pb-preload.json"
python3 - "$keys" "$value_bytes" <<'PY' | redis-cli -p "$redis_fast_port" --pipe >/dev/null
import sys
keys, size = int(sys.argv[1]), int(sys.argv[2])
value = "x" * size
out = sys.stdout
for i in range(keys):
    key = "key:%012d" % i
    out.write("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, size, value))
PY
python3 - "$keys" "$value_bytes" <<'PY' | redis-cli -p "$redis_durable_port" --pipe >/dev/null
import sys
keys, size = int(sys.argv[1]), int(sys.argv[2])
value = "x" * size
for i in range(keys):
    key = "key:%012d" % i
    sys.stdout.write("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, size, value))
PY

pydb_row() { # name pipeline mix db extra-args...
    local name=$1 pipeline=$2 mix=$3 db=$4; shift 4
    "$dist/bin/pydb-bench" -p "$pydb_port" -c "$connections" -P "$pipeline" --mix "$mix" -d "$value_bytes" \
        -r "$keys" --duration "$duration" --db "$db" --no-preload -q --json "$@" > "$results/pydb-$name-$round.json"
}
redis_pb_row() { # name port pipeline mix: the same pydb-bench flags as pydb_row, speaking RESP
    local name=$1 port=$2 pipeline=$3 mix=$4
    "$dist/bin/pydb-bench" --target redis -p "$port" -c "$connections" -P "$pipeline" --mix "$mix" -d "$value_bytes" \
        -r "$keys" --duration "$duration" --no-preload -q --json > "$results/redis-pb-$name-$round.json"
}
redis_row() { # name port pipeline test requests
    local name=$1 port=$2 pipeline=$3 test=$4 requests=$5
    redis-benchmark -h 127.0.0.1 -p "$port" -c "$connections" -P "$pipeline" -d "$value_bytes" -r "$keys" \
        -n "$requests" -t "$test" --csv --precision 3 > "$results/redis-$name-$round.csv"
}

for round in $(seq 1 "$rounds"); do
    log "round $round of $rounds"
    pydb_row get 1 get=100 get
    redis_pb_row get "$redis_fast_port" 1 get=100
    redis_row get "$redis_fast_port" 1 get 400000
    pydb_row get-p16 16 get=100 get
    redis_pb_row get-p16 "$redis_fast_port" 16 get=100
    redis_row get-p16 "$redis_fast_port" 16 get 3000000
    pydb_row durable-put 1 put=100 durable
    redis_pb_row durable-put "$redis_durable_port" 1 put=100
    redis_row durable-put "$redis_durable_port" 1 set 200000
done

if $profile; then
    # The recording covers only the measured part of a GET run: it starts once the load generator's
    # 50 logins (PBKDF2, deliberately slow) are done and its first progress line is out.
    log "profiling py_db under GET load (JFR)"
    jdk_bin="$(dirname "$(. "$dist/bin/pydb-java.sh"; pydb_find_java_or_exit compare-redis 1; echo "$JAVA")")"
    "$dist/bin/pydb-bench" -p "$pydb_port" -c "$connections" -P 1 --mix get=100 -d "$value_bytes" -r "$keys" \
        --duration 15s --db get --no-preload --json > "$results/pydb-get-profile.json" 2> "$work/profile-progress.txt" &
    bench_pid=$!
    until grep -q ' 1 s,' "$work/profile-progress.txt" 2>/dev/null; do sleep 0.2; done
    "$jdk_bin/jcmd" "$pydb_pid" JFR.start name=get settings=profile 'jdk.CPUTimeSample#enabled=true' >/dev/null \
        || "$jdk_bin/jcmd" "$pydb_pid" JFR.start name=get settings=profile >/dev/null
    wait "$bench_pid"
    "$jdk_bin/jcmd" "$pydb_pid" JFR.dump name=get filename="$jfr_file" >/dev/null
    for view in hot-methods cpu-time-hot-methods native-methods thread-cpu-load; do
        "$jdk_bin/jfr" view --width 170 "$view" "$jfr_file" > "$results/pydb-get-$view.txt" 2>&1 || true
    done
    "$jdk_bin/jfr" summary "$jfr_file" > "$results/pydb-get-jfr-summary.txt" || true
fi

rss_line=""
if $memory; then
    log "memory: preloading 1,000,000 small documents, then 1,000 idle connections"
    "$dist/bin/pydb-bench" -p "$pydb_port" -c 8 -d 10 -r 1000000 -n 1 --db memory -q --json > "$results/pydb-memory-preload.json"
    rss_before="$(awk '/VmRSS/ {print $2}' "/proc/$pydb_pid/status")"
    rss_split() { awk '/RssAnon|RssFile/ {printf "%s %d MB ", $1, $2 / 1024}' "/proc/$pydb_pid/status"; }
    split_before="$(rss_split)"
    jcmd_bin="$(dirname "$(. "$dist/bin/pydb-java.sh"; pydb_find_java_or_exit compare-redis 1; echo "$JAVA")")/jcmd"
    rss_kb="$(python3 - "$pydb_port" "$pydb_pid" "$results/pydb-memory-breakdown.txt" "$jcmd_bin" <<'PY'
import socket, subprocess, sys, time
port, pid, breakdown, jcmd = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(1000)]
for s in sockets:  # each connection answered once, so the server holds all 1,000 sessions
    body = b'{"action":"PING"}'
    s.sendall(b"QUERY_LENGTH: %d\r\n\r\n%s" % (len(body), body))
for s in sockets:
    s.recv(4096)
time.sleep(2)
status = open(f"/proc/{pid}/status").read().splitlines()
with open(breakdown, "w") as out:  # while the connections are open: RSS by kind, and the JVM's own account if NMT is on
    out.write("\n".join(l for l in status if l.startswith(("VmRSS", "RssAnon", "RssFile", "RssShmem", "Threads"))) + "\n\n")
    out.flush()
    subprocess.run([jcmd, pid, "VM.native_memory", "summary", "scale=MB"], stdout=out, stderr=subprocess.STDOUT)
print([l.split()[1] for l in status if l.startswith("VmRSS")][0])
for s in sockets:
    s.close()
PY
)"
    du -m --apparent-size "$work/pydb-data"/* >> "$results/pydb-memory-breakdown.txt"
    rss_line="py_db RSS: $((rss_before / 1024)) MB after 1,000,000 docs ($split_before), $((rss_kb / 1024)) MB with 1,000 idle connections (target < 300 MB; PYDB_JAVA_OPTS='${PYDB_JAVA_OPTS:-}')"
    echo "$rss_line" > "$results/pydb-memory.txt"
fi

(( rounds > 0 )) || { [[ -z "$rss_line" ]] || echo "$rss_line"; exit 0; }
python3 - "$results" "$rounds" "$version" "$java_version" "$redis_version" "$rss_line" <<'PY' | tee "$results/table.txt"
import csv, json, statistics, sys
results, rounds, version, java, redis, rss = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
rows = [("get", "GET, no pipelining", 0.8), ("get-p16", "GET, pipeline 16", 0.5),
        ("durable-put", "durable PUT vs SET appendfsync always", 1.0)]
def bench_result(path, who):
    s = json.load(open(path))
    if s["errors"]:
        sys.exit(f"{who} {path} had errors: {s['error_codes']}")
    return s["requests_per_second"], s["latency_ms"]["p99"]
def redis_benchmark_result(path):
    with open(path) as f:
        row = next(r for r in csv.DictReader(f))
    return float(row["rps"]), float(row["p99_latency_ms"])
med = statistics.median
print(f"py_db {version} (lmdb) on {java}; {redis}")
print(f"{rounds} rounds, 50 connections, 100,000 keys, 100-byte values; medians of per-round values")
print("primary: py_db and Redis both loaded by pydb-bench (same client); ratio = py_db / Redis, checked against the target")
print("info:    Redis loaded by redis-benchmark (C, one event-loop thread); ratio = py_db / that")
print(f"{'':38} {'req/s':>10} {'req/s':>10} {'':>6} {'':>6} {'':>7} | {'req/s':>10} {'':>6}"
      f" | {'p99 ms':>10} {'p99 ms':>10} {'':>6} {'':>7} | {'p99 ms':>10}")
print(f"{'row':38} {'py_db':>10} {'Redis':>10} {'ratio':>6} {'target':>6} {'':>7} | {'Redis':>10} {'ratio':>6}"
      f" | {'py_db':>10} {'Redis':>10} {'ratio':>6} {'<= 2x':>7} | {'Redis':>10}")
print(f"{'':38} {'pydb-bench':>10} {'pydb-bench':>10} {'':>6} {'':>6} {'':>7} | {'redis-bm':>10} {'(info)':>6}"
      f" | {'pydb-bench':>10} {'pydb-bench':>10} {'':>6} {'':>7} | {'redis-bm':>10}")
for name, label, target in rows:
    p_rps, p_p99, r_rps, r_p99, b_rps, b_p99, ratios, p99_ratios, b_ratios = ([] for _ in range(9))
    for n in range(1, rounds + 1):
        pr, pp = bench_result(f"{results}/pydb-{name}-{n}.json", "py_db")
        rr, rp = bench_result(f"{results}/redis-pb-{name}-{n}.json", "Redis (pydb-bench)")
        br, bp = redis_benchmark_result(f"{results}/redis-{name}-{n}.csv")
        p_rps.append(pr); p_p99.append(pp); r_rps.append(rr); r_p99.append(rp); b_rps.append(br); b_p99.append(bp)
        ratios.append(pr / rr); p99_ratios.append(pp / rp); b_ratios.append(pr / br)
    ratio, p99_ratio, b_ratio = med(ratios), med(p99_ratios), med(b_ratios)
    print(f"{label:38} {med(p_rps):10.0f} {med(r_rps):10.0f} {ratio:5.2f}x {target:5.1f}x {'met' if ratio >= target else 'NOT met':>7}"
          f" | {med(b_rps):10.0f} {b_ratio:5.2f}x"
          f" | {med(p_p99):10.3f} {med(r_p99):10.3f} {p99_ratio:5.2f}x {'met' if p99_ratio <= 2 else 'NOT met':>7}"
          f" | {med(b_p99):10.3f}")
    print(f"{'':38} per-round ratios: {', '.join(f'{r:.2f}' for r in ratios)}; p99 ratios: {', '.join(f'{r:.2f}' for r in p99_ratios)};"
          f" vs redis-benchmark: {', '.join(f'{r:.2f}' for r in b_ratios)}")
if rss:
    print(rss)
print(f"raw results: {results}")
PY
