using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Benchmarks;

/// <summary>
/// One resolution in a fresh process, as every rank pays it at start: nothing of the host is loaded or
/// jitted before the clock starts. Prints one JSON line; eng/bench runs it many times and takes medians.
/// </summary>
internal static class ColdResolution
{
    /// <summary><c>cold WORK COUNT [SGL_PLATFORM]</c>: the public entry point, <c>new PlatformResolver(options).Resolve()</c>.</summary>
    public static int Run(string work, int count, string? platform) => Run(work, count, platform, package: null);

    /// <summary>
    /// <c>cold-package WORK COUNT index|noindex</c>: the plugin set with rules as package plugins of an application
    /// (as <c>--app</c> reads one), with or without the build-time index in its manifest. Without it, every plugin's
    /// metadata is read to find its rules; with it, only plug000's (the one that matches).
    /// </summary>
    public static int RunPackage(string work, int count, bool index)
    {
        var names = new List<string>(count);
        var indexes = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var platform = SyntheticPlugins.Name(i);
            var assembly = "Bench.Vendor." + platform;
            names.Add(assembly);
            if (index)
            {
                // What the package's manifest item would carry, and the app's attribute hold, for this plugin.
                indexes[assembly] = $$"""[{"name":"{{platform}}","kind":"Oot","priority":200,"contract":"1.1.0.0","assembly":"{{assembly}}.dll","match":[{"deviceNodes":["{{platform}}*"]}]}]""";
            }
        }

        return Run(work, count, platform: null, package: (names, indexes));
    }

    private static int Run(string work, int count, string? platform, (List<string> Names, Dictionary<string, string> Indexes)? package)
    {
        var sinceProcessStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        var jitBefore = JitInfo.GetCompilationTime();
        var methodsBefore = JitInfo.GetCompiledMethodCount();
        var assembliesBefore = AppDomain.CurrentDomain.GetAssemblies().Length;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var selected = package is { } app ? ResolvePackageOnce(work, count, app.Names, app.Indexes) : ResolveOnce(work, count, platform);
        var elapsed = clock.Elapsed;
        Print(new Dictionary<string, object?>
        {
            ["mode"] = package is null ? "cold" : package.Value.Indexes.Count > 0 ? "cold-package-index" : "cold-package",
            ["count"] = count,
            ["selected"] = selected,
            ["ms"] = Round(elapsed),
            ["jitMs"] = Round(JitInfo.GetCompilationTime() - jitBefore),
            ["jitMethods"] = JitInfo.GetCompiledMethodCount() - methodsBefore,
            ["assembliesLoaded"] = AppDomain.CurrentDomain.GetAssemblies().Length - assembliesBefore,
            ["pluginContexts"] = AssemblyLoadContext.All.Count(c => c.Name?.StartsWith("sgl-plugin:", StringComparison.Ordinal) == true),
            ["allocatedKb"] = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1024,
            ["runtimeStartMs"] = Round(sinceProcessStart),
        });
        return selected is null ? 1 : 0;
    }

    /// <summary><c>phases WORK COUNT</c>: the resolver's steps one by one, each timed, with the JIT time spent in each.</summary>
    public static int RunPhases(string work, int count)
    {
        var phases = new Dictionary<string, object?>();
        var clock = Stopwatch.StartNew();
        var options = SyntheticPlugins.Options(work, count);
        T Step<T>(string name, Func<T> step)
        {
            var jit = JitInfo.GetCompilationTime();
            var started = clock.Elapsed;
            var result = step();
            phases[name] = Round(clock.Elapsed - started);
            phases[name + "Jit"] = Round(JitInfo.GetCompilationTime() - jit);
            return result;
        }

        var settings = Step("settings", () => PlatformSettings.Parse(options));
        // One view of the machine for the whole resolution, as the resolver has.
        var matcher = new Matching.HardwareMatcher(new SystemView(settings.SystemRoot));
        var candidates = Step("discover", () => new PlatformDiscovery(settings, ApplicationManifest.OfRunningApplication(System.Reflection.Assembly.GetEntryAssembly()), matcher).Discover());
        Step("validate", () =>
        {
            CandidateValidator.Validate(candidates);
            CandidateValidator.ApplySettings(candidates, settings);
            return 0;
        });
        Step("match", () =>
        {
            Matching.HardwareMatchFilter.Apply(candidates, matcher);
            return 0;
        });
        Step("load", () =>
        {
            CandidateLoader.Load(candidates);
            return 0;
        });
        var exports = Step("compose", () => CandidateComposer.Compose(candidates.Where(c => c.IsPending).ToList(), HostServices.For(settings, null)));
        var outcomes = Step("probe", () => new CandidateProber(matcher.System, settings.ProbeTimeout).ProbeAll(exports));
        var decision = Step("decide", () => SelectionDecision.Decide(candidates, outcomes.ToDictionary(o => o.Candidate), settings));
        phases["mode"] = "phases";
        phases["count"] = count;
        phases["ms"] = Round(clock.Elapsed);
        phases["selected"] = decision.Winner?.Candidate.Name;
        phases["probeMsMax"] = outcomes.Count == 0 ? 0 : Math.Round(outcomes.Max(o => o.ElapsedMs), 3);
        Print(phases);
        return decision.Winner is null ? 1 : 0;
    }

    // Kept out of Run so that no host type is touched (and so loaded or jitted) before the clock starts.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string? ResolveOnce(string work, int count, string? platform) =>
        new PlatformResolver(SyntheticPlugins.Options(work, count, platform)).Resolve().Selected;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string? ResolvePackageOnce(string work, int count, List<string> names, Dictionary<string, string> indexes)
    {
        var options = SyntheticPlugins.Options(work, count);
        options.PluginPath = null;
        var application = new ApplicationManifest(names, SyntheticPlugins.PluginDirectory(work, count, rules: true), IsOtherApplication: true) { Indexes = indexes };
        return new PlatformResolver(options, logger: null, application).Resolve().Selected;
    }

    private static double Round(TimeSpan time) => Math.Round(time.TotalMilliseconds, 3);

    private static void Print(Dictionary<string, object?> values) =>
        Console.WriteLine("{" + string.Join(",", values.Select(kv => $"\"{kv.Key}\":{Format(kv.Value)}")) + "}");

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => "\"" + JsonEncodedText.Encode(s) + "\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}
