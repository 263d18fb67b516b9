#!/usr/bin/env bash
# Verifies the CUDA platform on a machine with an NVIDIA GPU and no .NET SDK.
#
#   eng/publish-gpu-kit.sh              # here: self-contained sgl + GPU test runner -> artifacts/gpu-kit.tar.xz
#   tar xJf gpu-kit.tar.xz && eng/verify-gpu.sh gpu-kit results/    # on the GPU machine
#
# Writes what it saw (driver, device, selection report, whether libcuda was mapped by probing,
# timings, the Category=Gpu tests, sgl launch) into the results folder.
set -uo pipefail
kit=${1:?usage: verify-gpu.sh KIT_DIR OUT_DIR}
out=${2:?usage: verify-gpu.sh KIT_DIR OUT_DIR}
mkdir -p "$out"
sgl="$kit/sgl"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
unset SGL_PLATFORM SGL_SYSTEM_ROOT SGL_PLATFORM_PLUGIN_PATH

{
  echo "## machine"; uname -a; nproc; free -g | head -2
  echo "## nvidia-smi"
  nvidia-smi --query-gpu=index,name,driver_version,memory.total,compute_cap,pci.bus_id,uuid --format=csv 2>&1
  echo "## sgl platforms list"
  "$sgl" platforms list; echo "exit=$?"
} > "$out/summary.txt" 2>&1

"$sgl" platforms list --json > "$out/list.json" 2> "$out/list.stderr"; echo "list --json exit=$?" >> "$out/summary.txt"

# Which process maps libnvidia-ml and libcuda while probing: the dynamic loader reports every
# library it opens into one file per process (LD_DEBUG_OUTPUT.<pid>); the lowest pid is sgl itself.
opened() { # directory, library -> "sgl itself N, child processes M"
  local logs=("$1"/ld.*) parent; parent=$(printf '%s\n' "${logs[@]}" | sort -t. -k2 -n | head -1)
  local all; all=$(cat "${logs[@]}" | grep -c "calling init: .*$2")
  local mine; mine=$(grep -c "calling init: .*$2" "$parent")
  echo "sgl itself $mine, child processes $((all - mine))"
}
{
  echo "## libraries opened while probing (LD_DEBUG=libs)"
  for mode in inprocess process; do
    logs=$(mktemp -d)
    SGL_PROBE_ISOLATION=$mode LD_DEBUG=libs LD_DEBUG_OUTPUT="$logs/ld" "$sgl" platforms list --json > /dev/null 2>&1
    echo "$mode probing: libnvidia-ml: $(opened "$logs" 'libnvidia-ml'); libcuda: $(opened "$logs" 'libcuda\.so')"
    rm -rf "$logs"
  done
} >> "$out/summary.txt"

# Whole-process timings, 20 runs each, in-process and isolated probing.
for mode in inprocess process; do
  for i in $(seq 20); do
    start=$(date +%s%N)
    SGL_PROBE_ISOLATION=$mode "$sgl" platforms list --json > /dev/null 2>&1
    echo $(( ($(date +%s%N) - start) / 1000 ))
  done | sort -n | awk -v m="$mode" '{a[NR]=$1} END {printf "## sgl platforms list --json (%s probing), 20 runs: median %.1f ms, min %.1f ms, max %.1f ms\n", m, a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000}' >> "$out/summary.txt"
done
SGL_PROBE_ISOLATION=process "$sgl" platforms list --json > "$out/list-isolated.json" 2>&1

# NCCL for the tensor-parallel tests: the loader's libnccl.so.2, else the copy a PyTorch install carries.
if [ -z "${SGL_NCCL_LIBRARY:-}" ] && ! ldconfig -p 2>/dev/null | grep -q 'libnccl.so.2'; then
  nccl=$(python3 -c 'import nvidia.nccl, os; print(os.path.join(list(nvidia.nccl.__path__)[0], "lib", "libnccl.so.2"))' 2>/dev/null \
    || find / -xdev -name 'libnccl.so.2' 2>/dev/null | head -1)
  [ -n "$nccl" ] && [ -e "$nccl" ] && export SGL_NCCL_LIBRARY="$nccl"
fi
echo "## NCCL: ${SGL_NCCL_LIBRARY:-libnccl.so.2 by the loader search}" >> "$out/summary.txt"

# The real-GPU tests: every device operation against the CPU reference in float32, float16 and bfloat16, the
# tiny model's tokens against the CPU's with graph replay and eagerly, bfloat16 logits within tolerance,
# every byte of device memory back after dispose, the 1B-class model with weights generated on the device.
# The no-context check needs a process in which no CUDA context exists yet, so it runs alone first.
"$kit/Sgl.Platforms.Tests" -method "*Probing_opens_no_device_file*" > "$out/gpu-tests.txt" 2>&1; echo "gpu no-context test exit=$?" >> "$out/summary.txt"
"$kit/Sgl.Platforms.Tests" -trait Category=Gpu -diagnostics >> "$out/gpu-tests.txt" 2>&1; echo "gpu tests exit=$?" >> "$out/summary.txt"
grep -E "Total:|\[FAIL\]|\[SKIP\]" "$out/gpu-tests.txt" >> "$out/summary.txt"

# The serving runtime on cuda: the tiny model (float32, CUDA graphs) and the 1B-class shape (bfloat16).
"$sgl" launch > "$out/launch.txt" 2>&1; echo "launch exit=$?" >> "$out/summary.txt"
"$sgl" launch --json > "$out/launch.json" 2> "$out/launch.stderr"; echo "launch --json exit=$?" >> "$out/summary.txt"
"$sgl" launch --model sgl-synthetic-1b --max-total-tokens 1024 --max-new-tokens 64 > "$out/launch-1b.txt" 2>&1; echo "launch 1b exit=$?" >> "$out/summary.txt"
# Tensor parallelism: one worker process per rank, NCCL between them. With one GPU, --tp-size 2 must be refused
# before any worker starts; with two or more, tp 2 must give tp 1's tokens (float32), and decode speed is compared.
gpus=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | wc -l)
echo "## tensor parallelism ($gpus GPU(s))" >> "$out/summary.txt"
if [ "$gpus" -lt 2 ]; then
  "$sgl" launch --tp-size 2 > "$out/launch-tp2.txt" 2>&1; echo "launch --tp-size 2 on one GPU exit=$? (2 expected): $(grep error: "$out/launch-tp2.txt")" >> "$out/summary.txt"
else
  "$sgl" launch --json --max-new-tokens 64 > "$out/launch-tp1.json" 2>> "$out/launch-tp.stderr"; echo "tp1 exit=$?" >> "$out/summary.txt"
  "$sgl" launch --json --max-new-tokens 64 --tp-size 2 > "$out/launch-tp2.json" 2>> "$out/launch-tp.stderr"; echo "tp2 exit=$?" >> "$out/summary.txt"
  python3 - "$out" >> "$out/summary.txt" <<'PY'
import json, sys
a, b = (json.load(open(f"{sys.argv[1]}/launch-tp{n}.json")) for n in (1, 2))
print("tp2 tokens == tp1 tokens:", a["outputTokenIds"] == b["outputTokenIds"], "| communicator:", b["plan"]["communicator"], "| worker processes:", b["plan"].get("workerProcesses"))
PY
  for tp in 1 2; do
    "$sgl" launch --model sgl-synthetic-1b --max-total-tokens 1024 --max-new-tokens 256 --tp-size $tp > "$out/launch-1b-tp$tp.txt" 2>&1
    echo "1B-class tp$tp exit=$?: $(grep -o 'decode [0-9]* steps in [0-9.]* ms = [0-9]* tokens/s' "$out/launch-1b-tp$tp.txt")" >> "$out/summary.txt"
  done
fi
cat "$out/summary.txt"
