#!/usr/bin/env bash
# Decode throughput of sgl's cuda platform (CUDA graph and eager) against the same decoder in PyTorch (CUDA graph
# and eager), batch 1, greedy, at the tiny and the 1B-class shape, on one GPU in one run: the runs are
# interleaved round by round so clock and thermal drift hit every system alike; the summary reports medians,
# the ratios, and the 1B-class decode's fraction of the memory-bandwidth roofline (bytes a token reads over the
# step time, against the device-to-device copy bandwidth measured in the same run).
#
#   eng/publish-gpu-kit.sh                                   # here: self-contained sgl -> artifacts/gpu-kit.tar.xz
#   tar xJf gpu-kit.tar.xz && eng/bench/gpu-decode.sh gpu-kit results/ [ROUNDS]   # on the GPU machine (Python with PyTorch)
set -uo pipefail
kit=${1:?usage: gpu-decode.sh KIT_DIR OUT_DIR [ROUNDS]}
out=${2:?usage: gpu-decode.sh KIT_DIR OUT_DIR [ROUNDS]}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
mkdir -p "$out"
log="$out/decode.jsonl"
: > "$log"
tokens=256   # decode steps timed, after a 16-token prompt

sgl() { # shape mode
  local model=sgl-tiny extra=()
  [ "$1" = 1b ] && model=sgl-synthetic-1b
  [ "$2" = eager ] && extra+=(--disable-graph-capture)
  SGL_PLATFORM=cuda "$kit/sgl" launch --json --model "$model" --max-new-tokens $((tokens + 1)) --max-total-tokens 1024 "${extra[@]}" \
    2>> "$out/sgl.stderr" | "$python" -c '
import json, sys
r = json.load(sys.stdin)
print(json.dumps({"system": "sgl", "shape": sys.argv[1], "mode": sys.argv[2], "tokens_per_s": r["decodeTokensPerSecond"],
                  "decode_steps": r["decodeSteps"], "bytes_to_device_per_step": r["decodeBytesToDevicePerStep"],
                  "bytes_to_host_per_step": r["decodeBytesToHostPerStep"], "graph_runner": r["plan"]["graphRunner"],
                  "weight_bytes": r["plan"]["weightBytes"], "fallbacks": r["plan"]["fallbacks"]}))' "$1" "$2" >> "$log"
}

torch_decode() { # shape mode
  "$python" "$here/torch_decode.py" --shape "$1" --mode "$2" --tokens $tokens --prompt-len 16 --repeats 3 2>> "$out/torch.stderr" \
    | "$python" -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["kind"] == "decode-median":
        print(json.dumps({"system": "torch", "shape": sys.argv[1], "mode": sys.argv[2], "tokens_per_s": r["tokens_per_s"], "torch": r["torch"], "device": r["device"]}))
    elif r["kind"] == "decode" and r["repeat"] == 0:
        print(json.dumps({"system": "torch-bytes", "shape": sys.argv[1], "bytes_per_token": r["bytes_per_token"]}))' "$1" "$2" >> "$log"
}

for round in $(seq "$rounds"); do
  for shape in tiny 1b; do
    for mode in graph eager; do
      sgl "$shape" "$mode"
      torch_decode "$shape" "$mode"
    done
  done
  "$python" "$here/torch_decode.py" --bandwidth --repeats 20 2>> "$out/torch.stderr" >> "$log"
  echo "round $round done" >&2
done

"$python" - "$log" <<'PY' | tee "$out/summary.txt"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(system, shape, mode):
    v = [r["tokens_per_s"] for r in rows if r.get("system") == system and r.get("shape") == shape and r.get("mode") == mode]
    return (statistics.median(v), len(v)) if v else (float("nan"), 0)
device = next((r.get("device") for r in rows if r.get("device")), "?")
torch_version = next((r.get("torch") for r in rows if r.get("torch")), "?")
print(f"device: {device}; torch {torch_version}; batch 1 greedy decode, 256 steps after a 16-token prompt; medians of interleaved runs")
print(f"{'shape':6} {'mode':6} {'sgl tok/s':>12} {'torch tok/s':>12} {'sgl/torch':>10}")
for shape in ("tiny", "1b"):
    for mode in ("graph", "eager"):
        s, n = med("sgl", shape, mode)
        t, m = med("torch", shape, mode)
        print(f"{shape:6} {mode:6} {s:12.0f} {t:12.0f} {s / t:10.2f}   (runs: sgl {n}, torch {m})")
s_graph, _ = med("sgl", "tiny", "graph")
t_graph, _ = med("torch", "tiny", "graph")
print(f"tiny: sgl graph / torch graph = {s_graph / t_graph:.2f} (goal >= 2)")
bandwidth = statistics.median([r["gb_per_s"] for r in rows if r.get("kind") == "bandwidth"])
bytes_per_token = next(r["bytes_per_token"] for r in rows if r.get("system") == "torch-bytes" and r["shape"] == "1b")
for mode in ("graph", "eager"):
    s, _ = med("sgl", "1b", mode)
    achieved = bytes_per_token * s / 1e9
    print(f"1b {mode}: {bytes_per_token / 1e9:.3f} GB per token x {s:.0f} tok/s = {achieved:.0f} GB/s = {achieved / bandwidth:.1%} of the copy bandwidth {bandwidth:.0f} GB/s (goal >= 50%)")
crossing = [r for r in rows if r.get("system") == "sgl"]
print("sgl bytes per decode step: to device " + ", ".join(sorted({str(r["bytes_to_device_per_step"]) for r in crossing}))
      + "; to host " + ", ".join(sorted({str(r["bytes_to_host_per_step"]) for r in crossing}))
      + "; fallbacks " + str(sum(len(r["fallbacks"]) for r in crossing)))
PY
