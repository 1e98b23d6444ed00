#!/usr/bin/env bash
# YCSB core workloads A-F against py_db (lmdb) and Redis on this machine, through the same harness
# (site.ycsb.Client 0.17.0 with the bindings of the ycsb module), side by side: every workload runs
# on py_db and then on Redis, back to back, in each of several rounds; the table shows medians of
# throughput and of the p99 latency of each operation, and the ratio py_db/Redis.
#
#   benchmarks/ycsb.sh                                    # 3 rounds, 100,000 records, 16 threads,
#                                                         # each run 100,000 operations or 10 s
#   ROUNDS=1 RECORDS=10000 OPERATIONS=20000 MAX_SECONDS=5 THREADS=8 benchmarks/ycsb.sh
#
# Durability is not the same on both sides, and the table says so: py_db with lmdb acknowledges
# a write after its commit is fsynced (group commit); Redis runs with its default configuration
# (no AOF; RDB snapshots per its default `save` rule), so it acknowledges writes held in memory only.
#
# Both data sets are loaded once (-load); then the workloads run in the order a, b, c, f, d, e.
# Inserts are upserts on both sides (py_db: pydb.insert_action=PUT; Redis: HSET), so D and E may
# run again in a later round with YCSB's same insert key sequence.
#
# Installs redis-server with apt-get if missing, builds the distribution and the ycsb module if
# needed, runs both servers on 127.0.0.1 (free ports) in a temporary folder and stops them on exit.
# Raw YCSB output and the table go to target/benchmark-results/ycsb-<time>/ (PYDB_RESULTS_DIR overrides).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rounds="${ROUNDS:-3}"
records="${RECORDS:-100000}"
operations="${OPERATIONS:-100000}"
max_seconds="${MAX_SECONDS:-10}"
threads="${THREADS:-16}"
workloads=(a b c f d e)

log() { echo "ycsb: $*" >&2; }

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    log "installing redis-server and redis-tools"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
fi

version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -n 1)"
dist="$root/distribution/target/pydb-$version"
server_jar="$dist/lib/pydb-engine-$version.jar"
ycsb_jar="$root/benchmarks/ycsb/target/pydb-ycsb-$version.jar"
if [[ ! -f "$server_jar" || ! -f "$ycsb_jar" || ! -d "$root/benchmarks/ycsb/target/lib" ]] \
        || [[ -n "$(find pom.xml api engine clients/java storage-lmdb distribution/src benchmarks/ycsb \
            \( -name pom.xml -o -path '*/src/main/*' \) -type f \( -newer "$server_jar" -o -newer "$ycsb_jar" \) \
            -print -quit 2>/dev/null)" ]]; then
    log "building the distribution and the ycsb module"
    mvn -B -q -pl distribution,benchmarks/ycsb -am -DskipTests package
fi

work="$(mktemp -d /tmp/ycsb-bench.XXXXXX)"
results="${PYDB_RESULTS_DIR:-$root/target/benchmark-results}/ycsb-$(date -u +%Y%m%dT%H%M%SZ)"
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

# Redis with its default configuration (no config file): only the address, port and folders are set.
redis_port="$(free_port)"
mkdir -p "$work/redis"
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$work/redis" --logfile "$work/redis.log" &
pids+=($!)
wait_for_port "$redis_port"
redis_persistence="appendonly $(redis-cli -p "$redis_port" config get appendonly | tail -n 1), save '$(redis-cli -p "$redis_port" config get save | tail -n 1)'"

# py_db with lmdb in the temporary folder; a plain-text password is fine for a throwaway server.
pydb_port="$(free_port)"
export PYDB_PASSWORD="ycsb-$RANDOM$RANDOM"
cat > "$work/env.json" <<JSON
{
  "server": {"host": "127.0.0.1", "port": $pydb_port},
  "storage": {"provider": "lmdb", "path": "$work/pydb-data", "options": {"map_size_bytes": 8589934592}},
  "auth": {"token_ttl_seconds": 3600, "users": [{"username": "admin", "password": "$PYDB_PASSWORD", "roles": ["admin"]}]},
  "logging": {"level": "WARN", "console": false, "file": "$work/pydb.log"},
  "plugins": {"dir": "plugins"}
}
JSON
"$dist/bin/pydb" -e "$work/env.json" >"$work/pydb.out" 2>&1 &
pids+=($!)
wait_for_port "$pydb_port"

. "$dist/bin/pydb-java.sh"
pydb_find_java_or_exit ycsb 1
java_version="$("$JAVA" -version 2>&1 | head -n 1)"
redis_version="$(redis-server --version)"
jedis_version="$(ls "$root/benchmarks/ycsb/target/lib" | sed -n 's/^jedis-\(.*\)\.jar$/\1/p')"
ycsb_version="$(ls "$root/benchmarks/ycsb/target/lib" | sed -n 's/^core-\(.*\)\.jar$/\1/p')"
load_before="$(cut -d ' ' -f 1-3 /proc/loadavg)"
log "py_db $version ($java_version) on port $pydb_port; $redis_version on port $redis_port ($redis_persistence)"
log "YCSB $ycsb_version, Jedis $jedis_version; $records records, $threads threads, $rounds rounds of" \
    "${workloads[*]} ($operations operations or $max_seconds s each); load average before: $load_before"

classpath="$ycsb_jar:$root/benchmarks/ycsb/target/lib/*"
workload_dir="$root/benchmarks/ycsb/src/main/resources/workloads"
ycsb() { # system phase(-load|-t) workload output extra-args...
    local system=$1 phase=$2 workload=$3 output=$4; shift 4
    local binding connection
    case "$system" in
        pydb) binding=dev.pydb.ycsb.PydbYcsbClient
              connection=(-p pydb.port="$pydb_port" -p pydb.database=ycsb -p pydb.insert_action=PUT) ;;
        redis) binding=dev.pydb.ycsb.RedisJedisClient
              connection=(-p redis.port="$redis_port") ;;
    esac
    if ! "$JAVA" -Xmx1g -cp "$classpath" site.ycsb.Client "$phase" -db "$binding" -P "$workload_dir/workload$workload" \
            -threads "$threads" -p recordcount="$records" "${connection[@]}" "$@" -s \
            > "$results/$output.txt" 2> "$results/$output.log"; then
        log "YCSB failed: $system $phase workload$workload (see $results/$output.log)"; exit 1
    fi
}

log "loading $records records into each"
ycsb pydb -load a pydb-load
ycsb redis -load a redis-load
for round in $(seq 1 "$rounds"); do
    for w in "${workloads[@]}"; do
        log "round $round of $rounds: workload $w"
        ycsb pydb -t "$w" "pydb-$w-$round" -p operationcount="$operations" -p maxexecutiontime="$max_seconds"
        ycsb redis -t "$w" "redis-$w-$round" -p operationcount="$operations" -p maxexecutiontime="$max_seconds"
    done
done
load_after="$(cut -d ' ' -f 1-3 /proc/loadavg)"

python3 - "$results" "$rounds" "${workloads[*]}" "$version" "$java_version" "$redis_version" "$redis_persistence" \
        "$ycsb_version" "$jedis_version" "$records" "$threads" "$operations" "$max_seconds" "$(nproc)" \
        "$load_before" "$load_after" <<'PY' | tee "$results/table.txt"
import re, statistics, sys
(results, rounds, workloads, version, java, redis, persistence, ycsb, jedis, records, threads, operations,
 max_seconds, cpus, load_before, load_after) = sys.argv[1:]
rounds, workloads = int(rounds), workloads.split()
names = {"a": "A update heavy", "b": "B read mostly", "c": "C read only", "d": "D read latest",
         "e": "E short ranges", "f": "F read-modify-write"}
skip = {"OVERALL", "CLEANUP", "TOTAL_GCS", "TOTAL_GC_TIME", "TOTAL_GC_TIME_%"}

def parse(path):
    throughput, p99, returns = None, {}, {}
    for line in open(path):
        m = re.match(r"\[([^\]]+)\], ([^,]+), (.+)", line.strip())
        if not m:
            continue
        section, metric, value = m.groups()
        if section == "OVERALL" and metric == "Throughput(ops/sec)":
            throughput = float(value)
        elif section in skip or section.startswith("TOTAL_GC") or section.endswith("-FAILED"):
            continue
        elif metric == "99thPercentileLatency(us)":
            p99[section] = float(value) / 1000
        elif metric.startswith("Return="):
            returns.setdefault(section, {})[metric[len("Return="):]] = int(value)
    if throughput is None:
        sys.exit(f"no throughput in {path}")
    return throughput, p99, returns

def errors(returns):
    return sum(n for counts in returns.values() for status, n in counts.items() if status not in ("OK", "NOT_FOUND"))

print(f"YCSB {ycsb} (site.ycsb.Client), bindings of py_db's ycsb module; Jedis {jedis}; client on {java}")
print(f"py_db {version}, lmdb: every write acknowledged after its (group) commit is fsynced")
print(f"{redis}; default configuration ({persistence}): writes acknowledged from memory, not fsynced")
print(f"{records} records of 10 fields x 100 bytes, {threads} client threads, each run {operations} operations or"
      f" {max_seconds} s; {rounds} round(s), medians; ratio = py_db / Redis")
print(f"machine: {cpus} cores shared with the YCSB client JVM (and other builds); load average before {load_before},"
      f" after {load_after}")
print()
header = f"{'workload':22} {'py_db ops/s':>11} {'Redis ops/s':>11} {'ratio':>6}   p99 ms py_db / Redis (ratio) per operation"
print(header)
print("-" * len(header))
problems = []
for label, prefix in [("load (insert)", None)] + [(names[w], w) for w in workloads]:
    runs = [("load",)] if prefix is None else [(prefix, n) for n in range(1, rounds + 1)]
    p_tp, r_tp, ratios, p99s = [], [], [], {}
    for run in runs:
        suffix = "load" if prefix is None else f"{run[0]}-{run[1]}"
        pt, pp, pr = parse(f"{results}/pydb-{suffix}.txt")
        rt, rp, rr = parse(f"{results}/redis-{suffix}.txt")
        for system, returns in (("py_db", pr), ("Redis", rr)):
            if errors(returns):
                problems.append(f"{system} {label} ({suffix}): {returns}")
        p_tp.append(pt); r_tp.append(rt); ratios.append(pt / rt)
        for op in sorted(set(pp) & set(rp)):
            p99s.setdefault(op, ([], []))
            p99s[op][0].append(pp[op]); p99s[op][1].append(rp[op])
    latency = ", ".join(f"{op} {statistics.median(p):.2f} / {statistics.median(r):.2f}"
                        f" ({statistics.median(p) / max(statistics.median(r), 0.001):.1f}x)" for op, (p, r) in p99s.items())
    print(f"{label:22} {statistics.median(p_tp):11.0f} {statistics.median(r_tp):11.0f} {statistics.median(ratios):5.2f}x   {latency}")
    if len(ratios) > 1:
        print(f"{'':22} per-round ratios: {', '.join(f'{r:.2f}' for r in ratios)}")
print()
print("errors: " + ("none" if not problems else "; ".join(problems)))
print(f"raw results: {results}")
PY
