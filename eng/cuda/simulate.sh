#!/usr/bin/env bash
# Runs the CUDA kernel sources on the CPU, in a host simulation of the CUDA execution model
# (eng/cuda/simulation), and compares every kernel with the libcuda shim's C emulation on the same
# inputs. Checks the kernels' logic (indexing, tiling, reductions, online softmax, bounds and tie rules)
# without a GPU; it does not check the PTX, timing or the memory model beyond barrier placement.
#
#   eng/cuda/simulate.sh          # needs g++ 12 or later (_Float16), gcc and python3; about a minute
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/eng/cuda/simulation"
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
python3 "$here/translate_inline_ptx.py" "$repo/src/Sgl.Platforms/BuiltIn/Cuda/Kernels" "$build"
gcc -O1 -c -o "$build/cuda_shim.o" "$repo/tests/Sgl.Platforms.Tests/BuiltIn/Cuda/cuda_shim.c"
g++ -std=c++17 -O1 -Wall -Wno-unknown-pragmas -I"$here" -I"$build" -o "$build/kernels_against_shim" \
  "$here/kernels_against_shim.cpp" "$here/simt.cpp" "$build/cuda_shim.o"
# Forward, then reverse thread order: a missing barrier makes the two disagree with the emulation.
"$build/kernels_against_shim"
"$build/kernels_against_shim" reverse
