#!/usr/bin/env bash
# Whole-process start-up of `sgl platforms list --json` against a hello-world .NET console app, and the
# peak memory of both. Interleaved: ROUNDS hyperfine runs, each timing every command RUNS times, the
# command order rotating per round, so load from other work on the machine falls on all commands alike.
# Medians are over all rounds' runs (eng/bench/summarize.py).
#
#   eng/bench/startup.sh [SGL_DIR...]  folders with an sgl apphost, compared in the same run
#                                      (default: the Release build, built first)
#   ROUNDS=3 RUNS=10 WORK=/tmp/sgl-bench eng/bench/startup.sh
#
# For each sgl: `platforms list --json` on this machine (cpu is selected), the same with SGL_PLATFORM=cpu
# (what a worker rank runs), and with the 7 synthetic plugins of compare.py on its fake system root.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="${WORK:-${TMPDIR:-/tmp}/sgl-bench}"
rounds="${ROUNDS:-3}"
runs="${RUNS:-10}"
sgl_dirs=("$@")
out="$work/startup"
mkdir -p "$out"

if [[ $# -eq 0 ]]; then
  dotnet build "$repo/src/Sgl.Cli" -c Release -nologo -v q >/dev/null
  sgl_dirs=("$repo/src/Sgl.Cli/bin/Release/net10.0")
fi

# The floor: the smallest program the same runtime starts, built outside the repo so none of its
# build settings apply.
hello="$work/hello"
if [[ ! -x "$hello/bin/Release/net10.0/hello" ]]; then
  mkdir -p "$hello"
  cat >"$hello/hello.csproj" <<'PROJ'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <AssemblyName>hello</AssemblyName>
  </PropertyGroup>
</Project>
PROJ
  echo 'System.Console.WriteLine("Hello, World!");' >"$hello/Program.cs"
  dotnet build "$hello" -c Release -nologo -v q >/dev/null
fi

# The real machine's /sys and /dev (no accelerator here: cpu is selected), no installed plugins.
export SGL_PLATFORMS_HOME="$work/empty-home"
bench="$repo/tests/Sgl.Platforms.Benchmarks/bin/Release/net10.0/Sgl.Platforms.Benchmarks"
if [[ ! -d "$work/dotnet/7" ]]; then
  dotnet build "$repo/tests/Sgl.Platforms.Benchmarks" -c Release -nologo -v q >/dev/null
  "$bench" generate "$work" >/dev/null
fi

hello_cmd="$hello/bin/Release/net10.0/hello"
commands=("$hello_cmd")
for dir in "${sgl_dirs[@]}"; do
  commands+=("$dir/sgl platforms list --json")
  commands+=("env SGL_PLATFORM=cpu $dir/sgl platforms list --json")
  commands+=("env SGL_PLATFORM_PLUGIN_PATH=$work/dotnet/7 SGL_SYSTEM_ROOT=$work/root $dir/sgl platforms list --json")
done

rm -f "$out"/round-*.json
for ((r = 0; r < rounds; r++)); do
  ordered=()
  for ((i = 0; i < ${#commands[@]}; i++)); do
    ordered+=("${commands[$(((i + r) % ${#commands[@]}))]}")
  done
  hyperfine -N --warmup 3 --runs "$runs" --style basic --export-json "$out/round-$r.json" "${ordered[@]}" >/dev/null
done

# Peak memory (max RSS) of each command, median of 5.
: >"$out/rss.txt"
for cmd in "${commands[@]}"; do
  for i in 1 2 3 4 5; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%M" -o "$out/rss-one.txt" $cmd >/dev/null
    printf '%s\t%s\n' "$cmd" "$(cat "$out/rss-one.txt")" >>"$out/rss.txt"
  done
done

python3 "$repo/eng/bench/summarize.py" "$out" "$hello_cmd"
