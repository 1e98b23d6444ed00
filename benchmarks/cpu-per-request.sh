#!/usr/bin/env bash
# Server and load-generator CPU per GET, py_db (lmdb) + pydb-bench against Redis + redis-benchmark:
# 50 connections, no pipelining, 100-byte values, 100,000 keys. CPU ticks from /proc/<pid>/stat;
# for py_db only over 6 s after the generator's logins (PBKDF2) are done.
#
#   benchmarks/cpu-per-request.sh          # after benchmarks/compare-redis.sh has built the distribution
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -n 1)"
dist="$root/distribution/target/pydb-$version"
[[ -x "$dist/bin/pydb-bench" ]] || { echo "cpu-per-request: build the distribution first" >&2; exit 1; }
work=$(mktemp -d /tmp/cpu-per-request.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT INT TERM
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pydb_port=$(free_port); redis_port=$(free_port)
export PYDB_PASSWORD="cpu-$RANDOM$RANDOM"
cat > "$work/env.json" <<JSON
{"server": {"host": "127.0.0.1", "port": $pydb_port}, "storage": {"provider": "lmdb", "path": "$work/data"},
 "auth": {"users": [{"username": "admin", "password": "$PYDB_PASSWORD", "roles": ["admin"]}]},
 "logging": {"level": "WARN", "console": false, "file": "$work/pydb.log"}}
JSON
"$dist/bin/pydb" -e "$work/env.json" > "$work/pydb.out" 2>&1 & pids+=($!); server_pid=$!
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --logfile "$work/redis.log" & pids+=($!); redis_pid=$!
until (exec 3<>"/dev/tcp/127.0.0.1/$pydb_port") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; do sleep 0.2; done
"$dist/bin/pydb-bench" -p "$pydb_port" -r 100000 -n 200000 -q --json > /dev/null   # preload and warm up
redis-benchmark -p "$redis_port" -t set -r 100000 -n 200000 -d 100 -q > /dev/null
for round in 1 2; do
    "$dist/bin/pydb-bench" -p "$pydb_port" -r 100000 -c 50 --duration 9s --no-preload --json > "$work/b.json" 2> "$work/progress" &
    bench_pid=$!
    until grep -q ' 1 s,' "$work/progress" 2>/dev/null; do sleep 0.05; done
    s0=$(ticks "$server_pid"); b0=$(ticks "$bench_pid"); t0=$(date +%s.%N)
    sleep 6
    s1=$(ticks "$server_pid"); b1=$(ticks "$bench_pid"); t1=$(date +%s.%N)
    wait "$bench_pid" || true
    python3 -c "import json; r=json.load(open('$work/b.json'))['requests_per_second']; t=$t1-$t0; print('py_db GET: %d req/s; server %.2f cores = %.1f us CPU/request; pydb-bench %.2f cores = %.1f us/request' % (r, ($s1-$s0)/100/t, ($s1-$s0)/100/t/r*1e6, ($b1-$b0)/100/t, ($b1-$b0)/100/t/r*1e6))"
    r0=$(ticks "$redis_pid")
    /usr/bin/time -f "%U %S" -o "$work/time" redis-benchmark -p "$redis_port" -c 50 -t get -r 100000 -d 100 -n 600000 --csv > "$work/redis.csv"
    r1=$(ticks "$redis_pid")
    python3 -c "import csv; r=float(next(csv.DictReader(open('$work/redis.csv')))['rps']); u,s=map(float,open('$work/time').read().split()); print('Redis GET: %d req/s; server %.1f us CPU/request; redis-benchmark %.1f us/request' % (r, ($r1-$r0)*1e4/600000, (u+s)*1e6/600000))"
done
