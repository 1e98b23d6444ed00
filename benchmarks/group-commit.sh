#!/usr/bin/env bash
# Group commit, measured fairly on a noisy machine: for each round and backend, durable puts with
# 1 writer and then with 16 writers back to back (JMH, through the SPI), and the ratio of the two.
# Prints one line per pair and the median ratio per backend; raw JMH JSON in target/benchmark-results/.
#
#   benchmarks/group-commit.sh                 # 5 rounds of json, mapdb, lmdb
#   ROUNDS=3 PROVIDERS=lmdb benchmarks/group-commit.sh
#   PROVIDERS=lmdb benchmarks/group-commit.sh -p options='{"write_map":true}'   # extra arguments go to JMH
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
results_dir="${PYDB_RESULTS_DIR:-$root/target/benchmark-results}"
export PYDB_RESULTS_DIR="$results_dir"
rounds="${ROUNDS:-5}"
providers="${PROVIDERS:-json,mapdb,lmdb}"
files=()
for round in $(seq 1 "$rounds"); do
    for provider in ${providers//,/ }; do
        before="$(ls -t "$results_dir"/*.json 2>/dev/null | head -n 1 || true)"
        PROVIDERS="$provider" WARMUP_ITERATIONS=1 ITERATIONS=2 ITERATION_TIME=3s \
            BENCHMARKS='durablePut(1Writer|16Writers)$' benchmarks/run.sh "$@" >/dev/null 2>&1
        latest="$(ls -t "$results_dir"/*.json | head -n 1)"
        [[ "$latest" != "$before" ]] || { echo "group-commit.sh: no result for $provider" >&2; exit 1; }
        files+=("$latest")
    done
done
python3 - "${files[@]}" <<'PY'
import json, statistics, sys
ratios = {}
print(f"{'backend':8} {'1 writer':>10} {'16 writers':>11} {'ratio':>7}  file")
for path in sys.argv[1:]:
    scores = {}
    for r in json.load(open(path)):
        scores[(r["params"]["provider"], r["benchmark"].rsplit(".", 1)[1])] = r["primaryMetric"]["score"]
    for provider in sorted({p for p, _ in scores}):
        one, sixteen = scores[(provider, "durablePut1Writer")], scores[(provider, "durablePut16Writers")]
        ratios.setdefault(provider, []).append(sixteen / one)
        print(f"{provider:8} {one:10.0f} {sixteen:11.0f} {sixteen / one:6.1f}x  {path}")
for provider, values in ratios.items():
    print(f"median 16/1 ratio {provider}: {statistics.median(values):.1f}x over {len(values)} pairs "
          f"(min {min(values):.1f}x, max {max(values):.1f}x)")
PY
