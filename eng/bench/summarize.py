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
    for path in sorted(glob.glob(os.path.join(out, "round-*.json"))):
        with open(path) as f:
            for result in json.load(f)["results"]:
                times.setdefault(result["command"], []).extend(result["times"])
    rss = {}
    rss_path = os.path.join(out, "rss.txt")
    if os.path.exists(rss_path):
        with open(rss_path) as f:
            for line in f:
                command, kb = line.rstrip("\n").rsplit("\t", 1)
                rss.setdefault(command, []).append(int(kb))
    base = statistics.median(times[baseline])
    summary = []
    print(f"| command | runs | median ms | ratio to hello world | min ms | max ms | peak RSS MiB (median of 5) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for command, samples in times.items():
        median = statistics.median(samples)
        peak = statistics.median(rss[command]) / 1024 if command in rss else None
        summary.append({"command": command, "runs": len(samples), "medianMs": median * 1000,
                        "ratio": median / base, "peakRssMiB": peak})
        peak_text = f"{peak:.1f}" if peak is not None else "-"
        print(f"| `{command}` | {len(samples)} | {median * 1000:.1f} | {median / base:.2f}x | "
              f"{min(samples) * 1000:.1f} | {max(samples) * 1000:.1f} | {peak_text} |")
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
