using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>The host processor as <c>/proc/cpuinfo</c> and <c>/proc/meminfo</c> describe it, or as the runtime reports it when those are unreadable.</summary>
/// <param name="ModelName">The processor's model name.</param>
/// <param name="LogicalCores">Logical processors the machine has.</param>
/// <param name="MemoryBytes">Total memory in bytes.</param>
/// <param name="Isa">The ISA features that matter for kernels, comma separated (for example <c>avx2,fma,avx512f</c>).</param>
/// <param name="Note">Where the facts came from, for the probe's reason.</param>
internal sealed record HostCpu(string ModelName, int LogicalCores, long MemoryBytes, string Isa, string Note)
{
    /// <summary>Feature flags worth showing, in the order shown; x86 names from cpuinfo's <c>flags</c>, Arm names from its <c>Features</c>.</summary>
    private static readonly string[] InterestingFlags =
        ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8", "asimd", "asimdhp", "sve", "sve2"];

    /// <summary>Reads the host through <paramref name="system"/>, falling back to the runtime's view when <c>/proc</c> is unreadable.</summary>
    public static HostCpu Read(SystemView system)
    {
        var cpuinfo = system.ReadText("/proc/cpuinfo");
        var memTotal = ReadMemInfoBytes(system, "MemTotal");
        if (cpuinfo is null)
        {
            return FromRuntime(memTotal, $"{system.MapPath("/proc/cpuinfo")} is unreadable, so cores and ISA come from the .NET runtime");
        }

        var cores = 0;
        string? model = null;
        string? flags = null;
        foreach (var line in cpuinfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "processor":
                    cores++;
                    break;
                case "model name" or "Model" or "cpu model":
                    model ??= value;
                    break;
                case "flags" or "Features":
                    flags ??= value;
                    break;
                default:
                    break;
            }
        }

        if (cores == 0)
        {
            return FromRuntime(memTotal, $"{system.MapPath("/proc/cpuinfo")} lists no processors, so cores and ISA come from the .NET runtime");
        }

        var present = new HashSet<string>((flags ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        var isa = string.Join(',', InterestingFlags.Where(present.Contains));
        var memoryNote = memTotal is null ? "; /proc/meminfo is unreadable, so memory is the GC's limit" : "";
        return new HostCpu(
            model ?? RuntimeInformation.ProcessArchitecture.ToString(),
            cores,
            memTotal ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            isa.Length == 0 ? "baseline" : isa,
            "from /proc/cpuinfo and /proc/meminfo" + memoryNote);
    }

    /// <summary>A <c>/proc/meminfo</c> field (for example <c>MemAvailable</c>) in bytes, or null when unreadable.</summary>
    public static long? ReadMemInfoBytes(SystemView system, string field)
    {
        var text = system.ReadText("/proc/meminfo");
        if (text is null)
        {
            return null;
        }

        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line[(field.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                // meminfo's unit is "kB", which the kernel means as KiB.
                var unit = parts.Length > 1 && parts[1] == "kB" ? 1024L : 1L;
                return value * unit;
            }
        }

        return null;
    }

    private static HostCpu FromRuntime(long? memTotal, string note)
    {
        var isa = new List<string>();
        if (Sse42.IsSupported)
        {
            isa.Add("sse4_2");
        }

        if (Avx2.IsSupported)
        {
            isa.Add("avx2");
        }

        if (Fma.IsSupported)
        {
            isa.Add("fma");
        }

        if (Avx512F.IsSupported)
        {
            isa.Add("avx512f");
        }

        if (AdvSimd.IsSupported)
        {
            isa.Add("asimd");
        }

        return new HostCpu(
            RuntimeInformation.ProcessArchitecture.ToString(),
            Environment.ProcessorCount,
            memTotal ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            isa.Count == 0 ? "baseline" : string.Join(',', isa),
            note + (memTotal is null ? " and memory is the GC's limit" : ""));
    }
}
