#!/usr/bin/env python3
"""Resolution time against plugin count, one line per variant, as a self-contained SVG (no matplotlib here).

  plot.py results.json out.svg
"""
import json
import sys

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 400, 70, 170, 40, 60


def main(source, target):
    with open(source) as f:
        data = json.load(f)
    series = {}
    for e in data["results"]:
        series.setdefault(e["variant"], []).append((e["count"], e["medianMs"]))
    counts = sorted({c for points in series.values() for c, _ in points})
    top = max(ms for points in series.values() for _, ms in points)
    step = next(s for s in (5, 10, 20, 25, 50, 100, 200, 500) if top / s <= 8)
    ymax = step * (int(top / step) + 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(count):
        return LEFT + plot_w * count / counts[-1]

    def y(ms):
        return TOP + plot_h * (1 - ms / ymax)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14">Cold plugin resolution, median of fresh processes ({data["date"]})</text>']
    for tick in range(0, ymax + 1, step):
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick)}" y2="{y(tick)}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4}" text-anchor="end">{tick}</text>')
    for count in [0] + counts:
        parts.append(f'<text x="{x(count)}" y="{TOP + plot_h + 18}" text-anchor="middle">{count}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="black"/>')
    parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="black"/>')
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 15}" text-anchor="middle">plugins</text>')
    parts.append(f'<text x="18" y="{TOP + plot_h / 2}" text-anchor="middle" transform="rotate(-90 18 {TOP + plot_h / 2})">ms (in-process)</text>')
    for i, (name, points) in enumerate(sorted(series.items())):
        colour = COLOURS[i % len(COLOURS)]
        points.sort()
        path = " ".join(f"{x(c):.1f},{y(ms):.1f}" for c, ms in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for c, ms in points:
            parts.append(f'<circle cx="{x(c):.1f}" cy="{y(ms):.1f}" r="3" fill="{colour}"/>')
            parts.append(f'<text x="{x(c) + 5:.1f}" y="{y(ms) - 6:.1f}" font-size="10" fill="{colour}">{ms:.0f}</text>')
        ly = TOP + 10 + 18 * i
        parts.append(f'<line x1="{LEFT + plot_w + 15}" x2="{LEFT + plot_w + 35}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<text x="{LEFT + plot_w + 40}" y="{ly + 4}">{name}</text>')
    parts.append("</svg>")
    with open(target, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
