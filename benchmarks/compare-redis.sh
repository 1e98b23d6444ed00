#!/usr/bin/env bash
# py_db (lmdb) against Redis on this machine, side by side in the same run (issue 13).
#
# Primary ratio: both servers driven by the SAME light load generator, benchmarks/lightload
# (C, one epoll thread, like redis-benchmark; built here with `cc -O2`), so that its own CPU cost
# on a small machine is small and the same for both servers. Rows (50 connections, 100,000 keys
# k0000000000.., 100-byte values: py_db stores {"v":"<100 x>"}, Redis SETs the same 108 bytes):
#   GET P1      GET without pipelining (py_db and a Redis without persistence, both preloaded)
#   GET P16     GET with 16 requests in flight per connection
#   durable PUT PUT on lmdb (a commit is durable when answered) vs SET on a Redis with
#               appendonly yes + appendfsync always
# with p50/p99/p99.9 of GET P1 for both, per-round ratios, medians over ROUNDS rounds (each round
# runs every row back to back on py_db and on Redis), checked against the issue's targets:
# GET >= 0.8x, GET P16 >= 0.5x, durable PUT >= 1.0x, p99 of GET P1 <= 2x Redis's.
#
# For information (EXTRA=1, the default) each round also runs the same rows through pydb-bench
# (Java, a thread per connection) on both servers and through redis-benchmark on Redis: the
# ratios of 0.1.0 came from pydb-bench, whose own CPU use on two cores hides part of the gap.
#
#   benchmarks/compare-redis.sh                     # 3 rounds of 8 s per row
#   DURATION=2 ROUNDS=1 EXTRA=0 benchmarks/compare-redis.sh   # a short smoke run
#   ROUNDS=5 DURATION=10 benchmarks/compare-redis.sh
#   benchmarks/compare-redis.sh --profile           # also: syscalls per GET (strace -c), run-queue waits
#                                                   # per thread (schedstat) and a JFR recording of GET P1
#   benchmarks/compare-redis.sh --memory            # also: py_db RSS with 1,000,000 docs and 1,000 idle connections
#   ROUNDS=0 PYDB_JAVA_OPTS=-Xmx128m benchmarks/compare-redis.sh --memory   # only the memory check, a smaller heap
#
# Environment: ROUNDS (3), DURATION (seconds per row, 8; "8s" is accepted), EXTRA (1), WARMUP
# (seconds of GET P1 on each server before round 1, 3), PROFILE_SECONDS (10), PYDB_RESULTS_DIR,
# PYDB_HOME (an unpacked distribution to use instead of the source tree's), CC (cc).
#
# The distribution ships this script as bin/pydb-compare-redis (and lightload.c in lib/bench/):
# run from there it uses that distribution as it is and writes its results under
# ./pydb-compare-redis-results/ (or $PYDB_RESULTS_DIR). Run from the source tree it uses
# $PYDB_HOME, or the distribution unpacked in target/pydb-<version>, or
# distribution/target/pydb-<version>, building and unpacking it into target/ if none exists.
# Installs redis-server and redis-tools with apt-get if missing, runs everything on 127.0.0.1
# (free ports) in a temporary folder, and stops both servers on exit. Raw results go to
# target/benchmark-results/redis-<time>/: ll-<server>-<row>-<round>.json (lightload, with the
# server's CPU time during the run added), pb-<server>-<row>-<round>.json (pydb-bench),
# rb-redis-<row>-<round>.csv (redis-benchmark), table.md, and the profile files.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
rounds="${ROUNDS:-3}"
duration="${DURATION:-8}"
duration="${duration%s}"
extra="${EXTRA:-1}"
warmup="${WARMUP:-3}"
profile_seconds="${PROFILE_SECONDS:-10}"
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

log() { echo "compare-redis: $(date -u +%H:%M:%S) $*" >&2; }

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    log "installing redis-server and redis-tools"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
if [[ -d "$here/../lib/bench" ]]; then
    # Shipped in the distribution as bin/pydb-compare-redis: use this distribution as it is.
    dist="$(cd "$here/.." && pwd)"
    lightload_src="$dist/lib/bench/lightload.c"
    results="${PYDB_RESULTS_DIR:-$PWD/pydb-compare-redis-results}/redis-$stamp"
    lightload_dir=""
else
    # In the source tree (benchmarks/compare-redis.sh).
    root="$(cd "$here/.." && pwd)"
    cd "$root"
    version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -n 1)"
    if [[ -n "${PYDB_HOME:-}" ]]; then
        dist="$PYDB_HOME"
    elif [[ -x "$root/target/pydb-$version/bin/pydb" ]]; then
        dist="$root/target/pydb-$version"
    elif [[ -x "$root/distribution/target/pydb-$version/bin/pydb" ]]; then
        dist="$root/distribution/target/pydb-$version"
    else
        log "building the distribution and unpacking it into target/"
        mvn -B -q -pl distribution -am -DskipTests package
        mkdir -p "$root/target"
        tar -xzf "$(ls "$root"/distribution/target/pydb-"$version"*.tar.gz | head -n 1)" -C "$root/target"
        dist="$root/target/pydb-$version"
    fi
    lightload_src="$root/benchmarks/lightload/lightload.c"
    lightload_dir="$root/target/lightload"
    results="${PYDB_RESULTS_DIR:-$root/target/benchmark-results}/redis-$stamp"
fi
bench_jar="$(ls "$dist"/lib/bench/pydb-bench-*.jar | head -n 1)"
version="$(basename "$bench_jar" .jar)"
version="${version#pydb-bench-}"

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

# The load generator: built once per source change (source tree) or into the temporary folder.
[[ -n "$lightload_dir" ]] || lightload_dir="$work"
lightload="$lightload_dir/lightload"
mkdir -p "$lightload_dir"
if [[ ! -x "$lightload" || "$lightload_src" -nt "$lightload" ]]; then
    log "building $lightload with ${CC:-cc} -O2"
    "${CC:-cc}" -O2 -o "$lightload" "$lightload_src"
fi

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
redis_fast_pid=$!
pids+=("$redis_fast_pid")
redis_durable_port="$(free_port)"
redis-server --bind 127.0.0.1 --port "$redis_durable_port" --dir "$work/redis-durable" --save "" --appendonly yes \
    --appendfsync always --logfile "$work/redis-durable.log" &
redis_durable_pid=$!
pids+=("$redis_durable_pid")
wait_for_port "$redis_fast_port"
wait_for_port "$redis_durable_port"

# py_db with lmdb in the temporary folder (every commit synced before it is answered); a
# plain-text password is fine for a throwaway server.
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
"$dist/bin/pydb" -e "$work/env.json" >"$work/pydb.out" 2>&1 &
pydb_pid=$!   # bin/pydb ends with exec java: this is the JVM
pids+=("$pydb_pid")
wait_for_port "$pydb_port"

jdk_bin="$(dirname "$(. "$dist/bin/pydb-java.sh"; pydb_find_java_or_exit compare-redis 1; echo "$JAVA")")"
java_version="$("$jdk_bin/java" -version 2>&1 | head -n 1)"
redis_version="$(redis-server --version)"
cc_version="$("${CC:-cc}" --version | head -n 1)"
log "py_db $version ($java_version) on port $pydb_port; $redis_version on ports $redis_fast_port, $redis_durable_port"
{
    echo "py_db $version, lmdb, $java_version"
    echo "$redis_version"
    echo "lightload built with $cc_version"
    echo "machine: $(nproc) CPUs, $(uname -srm); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "command: ROUNDS=$rounds DURATION=$duration EXTRA=$extra WARMUP=$warmup $0 $*"
} > "$results/versions.txt"

# The databases the rows use: "bench" (preloaded, the GET rows) and "durable" (the PUT row).
python3 - "$pydb_port" <<'PY'
import json, os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
buffered = b""
def call(request):
    global buffered
    body = json.dumps(request).encode()
    s.sendall(b"QUERY_LENGTH: %d\r\n\r\n%s" % (len(body), body))
    while b"\r\n\r\n" not in buffered:
        buffered += s.recv(65536)
    header, rest = buffered.split(b"\r\n\r\n", 1)
    length = int(header.split(b":", 1)[1])
    while len(rest) < length:
        rest += s.recv(65536)
    buffered = rest[length:]
    return json.loads(rest[:length])
assert call({"action": "LOGIN", "username": "admin", "password": os.environ["PYDB_PASSWORD"]})["ok"]
for db in ("bench", "durable"):
    reply = call({"action": "CREATE_DB", "db": db})
    if not reply["ok"] and reply["error"]["code"] != "DB_EXISTS":
        sys.exit(f"CREATE_DB {db}: {reply}")
PY

# cpu_ticks pid: user + system CPU time of a process so far, in clock ticks.
clk_tck="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# lightload_run out server-pid [lightload args...]: one run, its JSON with the server's CPU added.
lightload_run() {
    local out=$1 server_pid=$2; shift 2
    local before after
    before="$(cpu_ticks "$server_pid")"
    "$lightload" --connections "$connections" --keys "$keys" --value-size "$value_bytes" --json "$@" > "$work/run.json"
    after="$(cpu_ticks "$server_pid")"
    python3 - "$work/run.json" "$before" "$after" "$clk_tck" "$(cut -d' ' -f1 /proc/loadavg)" > "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["server_cpu_seconds"] = (float(sys.argv[3]) - float(sys.argv[2])) / float(sys.argv[4])
r["loadavg_1m_after"] = float(sys.argv[5])
print(json.dumps(r))
PY
}
ll_pydb() { # out lightload-args...: lightload on py_db, logged in as admin
    local out=$1; shift
    lightload_run "$out" "$pydb_pid" --protocol pydb --port "$pydb_port" --user admin --password-env PYDB_PASSWORD "$@"
}

log "preloading $keys keys into py_db (database bench) and the Redis for the GET rows, with lightload"
ll_pydb "$results/ll-pydb-preload.json" --db bench --pipeline 16 --preload --duration 0.1
lightload_run "$results/ll-redis-preload.json" "$redis_fast_pid" --protocol resp --port "$redis_fast_port" \
    --pipeline 16 --preload --duration 0.1
if [[ "$extra" == 1 ]]; then
    # redis-benchmark -r reads and writes its own keys, key:%012d with 100-byte values.
    for port in "$redis_fast_port" "$redis_durable_port"; do
        python3 - "$keys" "$value_bytes" <<'PY' | redis-cli -p "$port" --pipe >/dev/null
import sys
keys, size = int(sys.argv[1]), int(sys.argv[2])
value = "x" * size
for i in range(keys):
    key = "key:%012d" % i
    sys.stdout.write("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, size, value))
PY
    done
fi
if (( rounds > 0 )) && [[ "$warmup" != 0 ]]; then
    log "warm-up: $warmup s of GET P1 on each server (not counted)"
    ll_pydb "$work/warmup.json" --db bench --pipeline 1 --duration "$warmup"
    lightload_run "$work/warmup.json" "$redis_fast_pid" --protocol resp --port "$redis_fast_port" --pipeline 1 --duration "$warmup"
fi

# One row on both servers through lightload: name pipeline set-ratio pydb-db redis-port redis-pid.
ll_row() {
    local name=$1 pipeline=$2 set_ratio=$3 db=$4 port=$5 rpid=$6
    ll_pydb "$results/ll-pydb-$name-$round.json" --db "$db" --pipeline "$pipeline" --set-ratio "$set_ratio" \
        --duration "$duration"
    lightload_run "$results/ll-redis-$name-$round.json" "$rpid" --protocol resp --port "$port" \
        --pipeline "$pipeline" --set-ratio "$set_ratio" --duration "$duration"
}
# The same row through pydb-bench on both servers and redis-benchmark on Redis (information).
extra_row() { # name pipeline mix db redis-port redis-benchmark-test redis-benchmark-requests
    local name=$1 pipeline=$2 mix=$3 db=$4 port=$5 test=$6 requests=$7
    "$dist/bin/pydb-bench" -p "$pydb_port" -c "$connections" -P "$pipeline" --mix "$mix" -d "$value_bytes" \
        -r "$keys" --duration "${duration}s" --db "$db" --no-preload -q --json > "$results/pb-pydb-$name-$round.json"
    "$dist/bin/pydb-bench" --target redis -p "$port" -c "$connections" -P "$pipeline" --mix "$mix" -d "$value_bytes" \
        -r "$keys" --duration "${duration}s" --no-preload -q --json > "$results/pb-redis-$name-$round.json"
    redis-benchmark -h 127.0.0.1 -p "$port" -c "$connections" -P "$pipeline" -d "$value_bytes" -r "$keys" \
        -n "$requests" -t "$test" --csv --precision 3 > "$results/rb-redis-$name-$round.csv"
}

for round in $(seq 1 "$rounds"); do
    log "round $round of $rounds: lightload"
    ll_row get 1 0 bench "$redis_fast_port" "$redis_fast_pid"
    ll_row get-p16 16 0 bench "$redis_fast_port" "$redis_fast_pid"
    ll_row durable-put 1 1 durable "$redis_durable_port" "$redis_durable_pid"
    if [[ "$extra" == 1 ]]; then
        log "round $round of $rounds: pydb-bench and redis-benchmark (information)"
        extra_row get 1 get=100 bench "$redis_fast_port" get $((duration * 50000))
        extra_row get-p16 16 get=100 bench "$redis_fast_port" get $((duration * 375000))
        extra_row durable-put 1 put=100 durable "$redis_durable_port" set $((duration * 25000))
    fi
done

if $profile; then
    # Groundwork for issue 13 points 4 and 5, on GET P1 through lightload: system calls per
    # request on both servers (strace -c -f, which slows the server: count calls, not speed),
    # then without strace the run-queue wait of each py_db thread (/proc/<pid>/task/*/schedstat)
    # and a JFR recording (GC, safepoints, CPU samples) of the same load.
    if command -v strace >/dev/null; then
        for server in pydb redis; do
            if [[ $server == pydb ]]; then spid=$pydb_pid; else spid=$redis_fast_pid; fi
            log "profile: strace -c -f on $server during $profile_seconds s of GET P1"
            strace -c -f -o "$results/profile-strace-$server.txt" -p "$spid" &
            strace_pid=$!
            sleep 1
            if [[ $server == pydb ]]; then
                ll_pydb "$results/profile-strace-$server-run.json" --db bench --pipeline 1 --duration "$profile_seconds"
            else
                lightload_run "$results/profile-strace-$server-run.json" "$spid" --protocol resp --port "$redis_fast_port" \
                    --pipeline 1 --duration "$profile_seconds"
            fi
            kill -INT "$strace_pid"
            wait "$strace_pid" || true
        done
    else
        log "profile: strace not installed, no syscall counts"
    fi
    log "profile: run-queue waits per thread and JFR during $profile_seconds s of GET P1"
    schedstat() { for t in /proc/"$pydb_pid"/task/*; do
        printf '%s\t%s\t%s\n' "${t##*/}" "$(cat "$t/comm")" "$(cat "$t/schedstat")"; done 2>/dev/null; }
    "$jdk_bin/jcmd" "$pydb_pid" JFR.start name=get settings=profile 'jdk.CPUTimeSample#enabled=true' >/dev/null 2>&1 \
        || "$jdk_bin/jcmd" "$pydb_pid" JFR.start name=get settings=profile >/dev/null
    schedstat > "$work/sched-before.txt"
    ll_pydb "$results/profile-jfr-run.json" --db bench --pipeline 1 --duration "$profile_seconds"
    schedstat > "$work/sched-after.txt"
    jfr_file="$results/pydb-get.jfr"
    "$jdk_bin/jcmd" "$pydb_pid" JFR.dump name=get filename="$jfr_file" >/dev/null
    "$jdk_bin/jcmd" "$pydb_pid" JFR.stop name=get >/dev/null || true
    for view in hot-methods cpu-time-hot-methods native-methods thread-cpu-load gc-pauses gc safepoints \
            vm-operations cpu-load gc-configuration; do
        "$jdk_bin/jfr" view --width 170 "$view" "$jfr_file" > "$results/pydb-get-$view.txt" 2>&1 || true
    done
    "$jdk_bin/jfr" summary "$jfr_file" > "$results/pydb-get-jfr-summary.txt" || true
    python3 - "$work/sched-before.txt" "$work/sched-after.txt" "$results/profile-jfr-run.json" \
            > "$results/profile-schedstat.txt" <<'PY'
import collections, json, sys
def load(path):
    rows = {}
    for line in open(path):
        tid, name, stat = line.rstrip("\n").split("\t")
        run, wait, slices = (int(x) for x in stat.split())
        rows[tid] = (name, run, wait, slices)
    return rows
before, after, run = load(sys.argv[1]), load(sys.argv[2]), json.load(open(sys.argv[3]))
groups = collections.defaultdict(lambda: [0, 0, 0, 0])
for tid, (name, r, w, s) in after.items():
    _, r0, w0, s0 = before.get(tid, (name, 0, 0, 0))
    if r - r0 == 0 and w - w0 == 0:
        continue
    key = name.rstrip("0123456789-")
    g = groups[key]
    g[0] += 1; g[1] += r - r0; g[2] += w - w0; g[3] += s - s0
print(f"GET P1 through lightload, {run['seconds']:.1f} s, {run['requests']} requests, p99 {run['p99_us']} us, "
      f"p99.9 {run['p999_us']} us")
print("threads (name without its number)        count   on-CPU ms  run-queue wait ms  timeslices  wait per slice us")
for key, (n, r, w, s) in sorted(groups.items(), key=lambda kv: -kv[1][1]):
    print(f"{key:40} {n:6} {r / 1e6:11.0f} {w / 1e6:18.0f} {s:11} {w / 1e3 / max(s, 1):18.1f}")
PY
fi

rss_line=""
if $memory; then
    log "memory: preloading 1,000,000 small documents, then 1,000 idle connections"
    "$dist/bin/pydb-bench" -p "$pydb_port" -c 8 -d 10 -r 1000000 -n 1 --db memory -q --json > "$results/pydb-memory-preload.json"
    rss_before="$(awk '/VmRSS/ {print $2}' "/proc/$pydb_pid/status")"
    rss_split() { awk '/RssAnon|RssFile/ {printf "%s %d MB ", $1, $2 / 1024}' "/proc/$pydb_pid/status"; }
    split_before="$(rss_split)"
    rss_kb="$(python3 - "$pydb_port" "$pydb_pid" "$results/pydb-memory-breakdown.txt" "$jdk_bin/jcmd" <<'PY'
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

if (( rounds == 0 )); then
    [[ -z "$rss_line" ]] || echo "$rss_line"
    $profile && cat "$results/profile-schedstat.txt"
    echo "raw results: $results"
    exit 0
fi
python3 - "$results" "$rounds" "$duration" "$extra" "$rss_line" <<'PY' | tee "$results/table.md"
import csv, json, statistics, sys
results, rounds, duration, extra, rss = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1", sys.argv[5]
med = statistics.median
rows = [("get", "GET, no pipelining (P1)", 0.8), ("get-p16", "GET, pipeline 16", 0.5),
        ("durable-put", "durable PUT vs SET `appendfsync always`", 1.0)]

def lightload(server, name, n):
    path = f"{results}/ll-{server}-{name}-{n}.json"
    r = json.load(open(path))
    if r["errors"]:
        sys.exit(f"{path}: {r['errors']} error replies")
    return r

def fmt_rate(x):
    return f"{x / 1000:.1f}k/s"

def ratios_text(xs):
    return ", ".join(f"{x:.2f}" for x in xs)

for line in open(f"{results}/versions.txt"):
    print(line.rstrip() + "  ")
print(f"\n{rounds} round(s) of {duration} s per row, 50 connections, 100,000 keys, 100-byte values; medians over "
      "the rounds; ratio = median of the per-round py_db/Redis ratios. Both servers driven by lightload "
      "(C, one epoll thread).\n")
print("| row | py_db | Redis | ratio | target | met? | per-round ratios | server CPU µs/request py_db / Redis |")
print("|---|---:|---:|---:|---:|---|---|---|")
ll = {}
for name, label, target in rows:
    p = [lightload("pydb", name, n) for n in range(1, rounds + 1)]
    r = [lightload("redis", name, n) for n in range(1, rounds + 1)]
    ll[name] = (p, r)
    ratios = [a["throughput"] / b["throughput"] for a, b in zip(p, r)]
    ratio = med(ratios)
    cpu_p = med(a["server_cpu_seconds"] * 1e6 / max(a["requests"], 1) for a in p)
    cpu_r = med(b["server_cpu_seconds"] * 1e6 / max(b["requests"], 1) for b in r)
    print(f"| {label} | {fmt_rate(med(a['throughput'] for a in p))} | {fmt_rate(med(b['throughput'] for b in r))} "
          f"| {ratio:.2f}× | ≥ {target:.1f}× | {'yes' if ratio >= target else 'no'} | {ratios_text(ratios)} "
          f"| {cpu_p:.1f} / {cpu_r:.1f} |")
p, r = ll["get"]
print("\n| GET P1 latency | py_db | Redis | ratio | target | met? | per-round ratios |")
print("|---|---:|---:|---:|---:|---|---|")
for field, label, target in (("p50_us", "p50", None), ("p99_us", "p99", 2.0), ("p999_us", "p99.9", None)):
    ratios = [a[field] / b[field] for a, b in zip(p, r)]
    ratio = med(ratios)
    met = "—" if target is None else ("yes" if ratio <= target else "no")
    print(f"| {label} | {med(a[field] for a in p) / 1000:.3f} ms | {med(b[field] for b in r) / 1000:.3f} ms "
          f"| {ratio:.2f}× | {'—' if target is None else f'≤ {target:.0f}×'} | {met} | {ratios_text(ratios)} |")
print("\n| p99 per row | py_db | Redis | ratio |")
print("|---|---:|---:|---:|")
for name, label, _ in rows:
    p, r = ll[name]
    print(f"| {label} | {med(a['p99_us'] for a in p) / 1000:.3f} ms | {med(b['p99_us'] for b in r) / 1000:.3f} ms "
          f"| {med(a['p99_us'] / b['p99_us'] for a, b in zip(p, r)):.2f}× |")

if extra:
    def bench(path):
        s = json.load(open(path))
        if s["errors"]:
            sys.exit(f"{path} had errors: {s['error_codes']}")
        return s["requests_per_second"], s["latency_ms"]["p99"]
    def redis_benchmark(path):
        with open(path) as f:
            row = next(iter(csv.DictReader(f)))
        return float(row["rps"]), float(row["p99_latency_ms"])
    print("\nInformation, not checked against the targets: the same rows through pydb-bench (Java, a thread per "
          "connection) on both servers, and Redis through redis-benchmark.\n")
    print("| row | py_db (pydb-bench) | Redis (pydb-bench) | ratio | Redis (redis-benchmark) | Redis (lightload) "
          "| p99 py_db / Redis (pydb-bench) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, label, _ in rows:
        pb = [bench(f"{results}/pb-pydb-{name}-{n}.json") for n in range(1, rounds + 1)]
        rb = [bench(f"{results}/pb-redis-{name}-{n}.json") for n in range(1, rounds + 1)]
        bm = [redis_benchmark(f"{results}/rb-redis-{name}-{n}.csv") for n in range(1, rounds + 1)]
        ratio = med(a[0] / b[0] for a, b in zip(pb, rb))
        print(f"| {label} | {fmt_rate(med(a[0] for a in pb))} | {fmt_rate(med(b[0] for b in rb))} | {ratio:.2f}× "
              f"| {fmt_rate(med(b[0] for b in bm))} | {fmt_rate(med(b['throughput'] for b in ll[name][1]))} "
              f"| {med(a[1] for a in pb):.2f} / {med(b[1] for b in rb):.2f} ms |")
if rss:
    print(f"\n{rss}")
print(f"\nraw results: {results}")
PY
if $profile; then cat "$results/profile-schedstat.txt"; fi
