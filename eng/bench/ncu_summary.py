import csv, sys, collections
rows = list(csv.reader(open(sys.argv[1])))
start = next(i for i, r in enumerate(rows) if "Kernel Name" in r)
hdr, units = rows[start], rows[start + 1]
data = [r for r in rows[start + 2:] if len(r) == len(hdr)]
ix = {h: i for i, h in enumerate(hdr)}
tf = {"nsecond": 1, "usecond": 1e3, "msecond": 1e6, "second": 1e9}
bf = {"byte": 1, "Kbyte": 1e3, "Mbyte": 1e6, "Gbyte": 1e9, "KB": 1e3, "MB": 1e6, "GB": 1e9}
def val(r, name, table):
    return float(r[ix[name]].replace(",", "") or 0) * table.get(units[ix[name]], 1)
agg = collections.OrderedDict(); total = 0.0
for r in data:
    name = r[ix["Kernel Name"]]
    t = val(r, "gpu__time_duration.sum", tf); b = val(r, "dram__bytes_read.sum", bf)
    d = float(r[ix["dram__throughput.avg.pct_of_peak_sustained_elapsed"]].replace(",", "") or 0)
    a = agg.setdefault(name, [0, 0.0, 0.0, 0.0, r[ix["launch__grid_size"]]])
    a[0] += 1; a[1] += t; a[2] += d * t; a[3] += b; total += t
print(f"kernels {len(data)}, total {total/1000:.1f} us (units {units[ix['gpu__time_duration.sum']]}, {units[ix['dram__bytes_read.sum']]})")
for name, (n, t, dt, b, g) in sorted(agg.items(), key=lambda x: -x[1][1]):
    print(f"{name[:34]:34} n={n:4} tot={t/1000:8.1f}us avg={t/n/1000:7.2f}us dram%={dt/t:5.1f} GB/s={b/t:6.0f} grid={g}")
