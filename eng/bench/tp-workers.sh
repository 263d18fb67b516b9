#!/usr/bin/env bash
# Decode throughput of the cpu platform's tensor parallelism: tp 1, tp 2 with the ranks as threads of one process
# (the inproc communicator) and tp 2 with one worker process per rank (the shm communicator), interleaved round by
# round in one run; prints each run's decode tokens/s and the medians.
#
#   eng/bench/tp-workers.sh path/to/sgl [ROUNDS] [TOKENS]
set -euo pipefail
sgl=${1:?usage: tp-workers.sh SGL [ROUNDS] [TOKENS]}
rounds=${2:-5}
tokens=${3:-256}
python=${PYTHON:-python3}
declare -A runs=([tp1]="--tp-size 1" [tp2-thread]="--tp-size 2 --tp-workers thread" [tp2-process]="--tp-size 2 --tp-workers process")
for round in $(seq "$rounds"); do
  for variant in tp1 tp2-thread tp2-process; do
    # shellcheck disable=SC2086
    SGL_PLATFORM=cpu "$sgl" launch --json --max-new-tokens "$tokens" ${runs[$variant]} 2>/dev/null \
      | "$python" -c 'import json,sys; r=json.load(sys.stdin); print(sys.argv[1], round(r["decodeTokensPerSecond"], 1), r["plan"]["communicator"])' "$variant"
  done
done | "$python" -c '
import statistics, sys
rows = [line.split() for line in sys.stdin]
for row in rows: print(*row)
by = {}
for variant, rate, _ in rows: by.setdefault(variant, []).append(float(rate))
base = statistics.median(by["tp1"])
for variant, rates in by.items():
    m = statistics.median(rates)
    print(f"median {variant}: {m:.1f} tokens/s ({m / base:.2f}x tp1), runs {len(rates)}")
'
