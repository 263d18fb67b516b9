#!/usr/bin/env python3
"""Cold plugin resolution, .NET host against Python entry points, at 7, 20 and 100 plugins.

  compare.py [--runs 15] [--work /tmp/sgl-bench] [--dotnet NAME=EXE ...] [--rules NAME ...] [--package NAME ...] [--out DIR]

--rules NAME runs the .NET variant NAME against the plugin set whose plugins declare
[HardwareMatch(DeviceNodes = ["plugNNN*"])] (SGL_BENCH_RULES=1): only plug000 matches, the rest are never opened.
--package NAME runs the .NET variant NAME with those plugins as an application's package plugins whose build-time
index the application carries (`cold-package WORK COUNT index`): the 99 that do not match are not even read.

Every run is a fresh process (what each rank pays at start). Rounds interleave every variant and
count, so the machine's other load falls on all of them alike. Two figures per run:
  in-process ms  the clock inside the process around discover + load + activate/probe + rank
                 (.NET: `new PlatformResolver(options).Resolve()`; Python: import of importlib.metadata,
                 entry_points(group=...), ep.load() and activate() per plugin, max by priority);
  wall ms        the whole process, start to exit, as seen from here.
.NET resolves the 6 built-in platforms too (their probes read the same fake root); Python has none.
Writes results.json, results.md and resolution.svg (the plot) under --out.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
COUNTS = (7, 20, 100)


def run_once(argv, env):
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    line = json.loads(done.stdout.strip().splitlines()[-1])
    if line.get("selected") != "plug000":
        sys.exit(f"{' '.join(argv)} selected {line.get('selected')}, expected plug000")
    return line, wall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--work", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "sgl-bench"))
    parser.add_argument("--dotnet", action="append", default=[],
                        help="NAME=PATH of a Sgl.Platforms.Benchmarks executable (default: the Release build as 'jit')")
    parser.add_argument("--rules", action="append", default=[],
                        help="NAME of a --dotnet variant to run with SGL_BENCH_RULES=1 (plugins that declare hardware rules)")
    parser.add_argument("--package", action="append", default=[],
                        help="NAME of a --dotnet variant to run as package plugins with the build-time index (cold-package)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    out = args.out or os.path.join(args.work, "compare")
    os.makedirs(out, exist_ok=True)
    dotnets = dict(d.split("=", 1) for d in args.dotnet) or {
        "jit": os.path.join(REPO, "tests/Sgl.Platforms.Benchmarks/bin/Release/net10.0/Sgl.Platforms.Benchmarks")}

    env = dict(os.environ, SGL_PLATFORMS_HOME=os.path.join(args.work, "empty-home"))
    subprocess.run([next(iter(dotnets.values())), "generate", args.work], env=env, check=True)
    subprocess.run([sys.executable, os.path.join(HERE, "entry_points.py"), "generate", args.work], check=True)

    def dotnet_argv(name, exe):
        if name in args.package:
            return lambda count: [exe, "cold-package", args.work, str(count), "index"]
        return lambda count: [exe, "cold", args.work, str(count)]

    variants = [(f"dotnet-{name}", dotnet_argv(name, exe), dict(env, SGL_BENCH_RULES="1" if name in args.rules else "0"))
                for name, exe in dotnets.items()]
    python_argv = [sys.executable, os.path.join(HERE, "entry_points.py"), "run", args.work]
    variants.append(("python", lambda count: python_argv + [str(count)], env))
    samples = {}  # (variant, count) -> list of (in-process ms, wall ms, line)
    for r in range(args.runs):
        order = variants[r % len(variants):] + variants[:r % len(variants)]
        for count in COUNTS:
            for name, argv, variant_env in order:
                line, wall = run_once(argv(count), variant_env)
                samples.setdefault((name, count), []).append((line["ms"], wall, line))

    results = []
    for (name, count), values in samples.items():
        inproc = [v[0] for v in values]
        walls = [v[1] for v in values]
        entry = {"variant": name, "count": count, "runs": len(values),
                 "medianMs": statistics.median(inproc), "minMs": min(inproc), "maxMs": max(inproc),
                 "medianWallMs": statistics.median(walls)}
        if "jitMs" in values[0][2]:
            entry["medianJitMs"] = statistics.median(v[2]["jitMs"] for v in values)
            entry["jitMethods"] = values[0][2]["jitMethods"]
        results.append(entry)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "load": os.getloadavg(), "results": results}, f, indent=2)

    python = {e["count"]: e for e in results if e["variant"] == "python"}
    lines = ["| variant | plugins | median in-process ms | min–max | ratio to Python | median JIT ms | median wall ms |",
             "|---|---:|---:|---|---:|---:|---:|"]
    for e in sorted(results, key=lambda e: (e["variant"], e["count"])):
        ratio = e["medianMs"] / python[e["count"]]["medianMs"]
        jit = f"{e['medianJitMs']:.1f}" if "medianJitMs" in e else "-"
        lines.append(f"| {e['variant']} | {e['count']} | {e['medianMs']:.1f} | {e['minMs']:.1f}–{e['maxMs']:.1f} | "
                     f"{ratio:.2f}x | {jit} | {e['medianWallMs']:.1f} |")
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    subprocess.run([sys.executable, os.path.join(HERE, "plot.py"), os.path.join(out, "results.json"),
                    os.path.join(out, "resolution.svg")], check=True)


if __name__ == "__main__":
    main()
