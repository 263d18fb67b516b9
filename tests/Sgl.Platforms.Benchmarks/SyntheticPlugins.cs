using System.Globalization;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Benchmarks;

/// <summary>
/// Synthetic vendor plugins for the resolution benchmarks: <c>count</c> assemblies compiled with Roslyn,
/// each exporting one platform whose probe looks for <c>/dev/plugNNN*</c> under a fake system root in
/// which only <c>plug000</c> has a device, so ranking has a real winner.
/// </summary>
internal static class SyntheticPlugins
{
    public static IReadOnlyList<int> Counts { get; } = [7, 20, 100];

    /// <summary>The work directory: <c>SGL_BENCH_DIR</c>, or a fixed folder under the temp directory so runs reuse the compiled plugins.</summary>
    public static string WorkDirectory =>
        Environment.GetEnvironmentVariable("SGL_BENCH_DIR") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "sgl-bench");

    public static string RootDirectory(string work) => Path.Combine(work, "root");

    /// <summary>
    /// Set <c>SGL_BENCH_RULES=1</c> to resolve the set whose plugins declare <c>[HardwareMatch(DeviceNodes = ["plugNNN*"])]</c>:
    /// only plug000 matches, so the others are never opened. Unset, the plugins declare nothing and all load (as before rules).
    /// </summary>
    public static bool WithRules => Environment.GetEnvironmentVariable("SGL_BENCH_RULES") == "1";

    public static string PluginDirectory(string work, int count, bool? rules = null) =>
        Path.Combine(work, rules ?? WithRules ? "dotnet-rules" : "dotnet", count.ToString(CultureInfo.InvariantCulture));

    public static string Name(int index) => "plug" + index.ToString("000", CultureInfo.InvariantCulture);

    /// <summary>Creates the fake root and the plugin set for <paramref name="count"/>, unless they already exist.</summary>
    public static void Ensure(string work, int count)
    {
        var root = RootDirectory(work);
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        Directory.CreateDirectory(Path.Combine(root, "sys", "bus", "pci", "devices"));
        Directory.CreateDirectory(Path.Combine(root, "proc"));
        var node = Path.Combine(root, "dev", Name(0) + "0");
        if (!File.Exists(node))
        {
            File.WriteAllText(node, "");
        }

        foreach (var rules in new[] { false, true })
        {
            var directory = PluginDirectory(work, count, rules);
            if (Directory.Exists(directory) && Directory.GetFiles(directory, "*.dll").Length == count)
            {
                continue;
            }

            Directory.CreateDirectory(directory);
            for (var i = 0; i < count; i++)
            {
                var name = Name(i);
                PluginCompiler.Compile(directory, "Bench.Vendor." + name, PluginCompiler.PlatformSource(name, className: "Plugin" + i.ToString("000", CultureInfo.InvariantCulture),
                    attributes: rules ? $"[HardwareMatch(DeviceNodes = [\"{name}*\"])]" : null));
            }
        }
    }

    /// <summary>The options a process would get from SGL_PLATFORM_PLUGIN_PATH and SGL_SYSTEM_ROOT for this set.</summary>
    public static PlatformOptions Options(string work, int count, string? platform = null) => new()
    {
        PluginPath = PluginDirectory(work, count),
        SystemRoot = RootDirectory(work),
        // Installed plugins are not part of this measurement; an empty home keeps the user's own out.
        PlatformsHome = Path.Combine(work, "empty-home"),
        Platform = platform,
    };
}
