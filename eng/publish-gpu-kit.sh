#!/usr/bin/env bash
# Publishes sgl and the platform test runner self-contained for linux-x64 into one folder (they share
# one copy of the runtime) and packs it as artifacts/gpu-kit.tar.xz, for eng/verify-gpu.sh on a GPU
# machine without .NET. The test runner is not single-file: xunit needs its assemblies on disk.
set -euo pipefail
cd "$(dirname "$0")/.."
kit=artifacts/gpu-kit
rm -rf "$kit" && mkdir -p "$kit"
common=(-c Release -r linux-x64 --self-contained -p:DebugType=none -p:InvariantGlobalization=true -o "$kit")
# Warnings are not errors here: the test runner's plugin compiler reads Assembly.Location, which a
# single-file analyzer flags, though this publish is not single-file and the GPU tests do not use it.
dotnet publish tests/Sgl.Platforms.Tests "${common[@]}" -p:TreatWarningsAsErrors=false
dotnet publish src/Sgl.Cli "${common[@]}"
cp eng/verify-gpu.sh "$kit/"
tar -C artifacts -cJf artifacts/gpu-kit.tar.xz gpu-kit
ls -la artifacts/gpu-kit.tar.xz
