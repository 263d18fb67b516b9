#!/usr/bin/env python3
"""Medians and ratios of eng/bench/startup.sh's interleaved hyperfine rounds and peak-memory runs.

  summarize.py OUT BASELINE_COMMAND
"""
import glob
import json
import os
import statistics
import sys


def main(out, baseline):
    times = {}
    cpu = {}
    for path in sorted(glob.glob(os.path.join(out, "round-*.json"))):
        with open(path) as f:
            for result in json.load(f)["results"]:
                times.setdefault(result["command"], []).extend(result["times"])
                # hyperfine exports CPU time as a mean per command and round; the median is over rounds.
                cpu.setdefault(result["command"], []).append(result["user"] + result["system"])
    rss = {}
    rss_path = os.path.join(out, "rss.txt")
    if os.path.exists(rss_path):
        with open(rss_path) as f:
            for line in f:
                command, kb = line.rstrip("\n").rsplit("\t", 1)
                rss.setdefault(command, []).append(int(kb))
    base = statistics.median(times[baseline])
    summary = []
    print("| command | runs | median wall ms | ratio to hello world | min–max ms | median CPU (user+sys) ms | peak RSS MiB (median of 5) |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for command, samples in times.items():
        median = statistics.median(samples)
        peak = statistics.median(rss[command]) / 1024 if command in rss else None
        cpu_ms = statistics.median(cpu[command]) * 1000 if cpu.get(command) else None
        summary.append({"command": command, "runs": len(samples), "medianMs": median * 1000,
                        "ratio": median / base, "medianCpuMs": cpu_ms, "peakRssMiB": peak})
        peak_text = f"{peak:.1f}" if peak is not None else "-"
        cpu_text = f"{cpu_ms:.0f}" if cpu_ms is not None else "-"
        print(f"| `{command}` | {len(samples)} | {median * 1000:.1f} | {median / base:.2f}x | "
              f"{min(samples) * 1000:.1f}–{max(samples) * 1000:.1f} | {cpu_text} | {peak_text} |")
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
