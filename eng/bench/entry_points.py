#!/usr/bin/env python3
"""The Python plugin mechanism SGLang and vLLM use, as a baseline for the .NET host.

  entry_points.py generate WORK          N dist-info packages per count (7, 20, 100) in WORK/python/N
  entry_points.py run WORK N             one discover + load + activate + rank in this fresh process

Each package is what `pip install` leaves in site-packages: a module, and a dist-info folder with
METADATA and entry_points.txt declaring `plugNNN = sglplug_NNN:activate` in the group
`sgl.platform_plugins`. Activation mirrors vLLM's platform plugins: the entry point is a function that
probes (here: looks for /dev/plugNNN* under the same fake system root the .NET plugins read) and returns
the platform, or None when its hardware is absent. The highest priority wins.
"""
import json
import os
import sys
import time

GROUP = "sgl.platform_plugins"
COUNTS = (7, 20, 100)

PLUGIN_SOURCE = '''\
import glob
import os


class {cls}:
    name = "{name}"
    priority = 200

    def __init__(self, devices):
        self.devices = devices


def activate():
    root = os.environ.get("SGL_SYSTEM_ROOT", "/")
    devices = sorted(glob.glob(os.path.join(root, "dev", "{name}*")), key=lambda p: (len(p), p))
    return {cls}(devices) if devices else None
'''


def site_dir(work, count):
    return os.path.join(work, "python", str(count))


def generate(work):
    root = os.path.join(work, "root", "dev")
    os.makedirs(root, exist_ok=True)
    node = os.path.join(root, "plug0000")
    if not os.path.exists(node):
        open(node, "w").close()
    for count in COUNTS:
        site = site_dir(work, count)
        if os.path.isdir(site) and len([d for d in os.listdir(site) if d.endswith(".dist-info")]) == count:
            continue
        os.makedirs(site, exist_ok=True)
        for i in range(count):
            name = f"plug{i:03d}"
            module = f"sglplug_{i:03d}"
            os.makedirs(os.path.join(site, module), exist_ok=True)
            with open(os.path.join(site, module, "__init__.py"), "w") as f:
                f.write(PLUGIN_SOURCE.format(cls=f"Plugin{i:03d}", name=name))
            info = os.path.join(site, f"{module}-1.0.0.dist-info")
            os.makedirs(info, exist_ok=True)
            with open(os.path.join(info, "METADATA"), "w") as f:
                f.write(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0.0\n")
            with open(os.path.join(info, "entry_points.txt"), "w") as f:
                f.write(f"[{GROUP}]\n{name} = {module}:activate\n")
            with open(os.path.join(info, "RECORD"), "w") as f:
                f.write("")
        # Byte-compile once, as pip does at install time, so runs measure loading, not compiling.
        import compileall
        compileall.compile_dir(site, quiet=1)


def run(work, count):
    site = site_dir(work, count)
    sys.path.insert(0, site)
    os.environ["SGL_SYSTEM_ROOT"] = os.path.join(work, "root")
    # The clock starts before importlib.metadata is imported: its import is part of the mechanism's cost.
    started = time.perf_counter()
    from importlib.metadata import entry_points

    discovered = entry_points(group=GROUP)
    platforms = []
    for ep in discovered:
        activate = ep.load()
        platform = activate()
        if platform is not None:
            platforms.append(platform)
    selected = max(platforms, key=lambda p: (p.priority, p.name), default=None)
    ended = time.perf_counter()
    print(json.dumps({
        "mode": "python",
        "count": count,
        "found": len(discovered),
        "selected": selected.name if selected else None,
        "ms": round((ended - started) * 1000, 3),
    }))
    return 0 if selected else 1


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2])
    elif sys.argv[1] == "run":
        sys.exit(run(sys.argv[2], int(sys.argv[3])))
    else:
        sys.exit(__doc__)
