using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.Loader;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.Performance;

/// <summary>
/// Cheap guards for start-up cost that CI can run: they count what a resolution loads and builds, which
/// is deterministic, and print timings for the log without asserting any (a shared CI machine makes
/// times noisy). The measured figures live in docs/performance.md.
/// </summary>
public sealed class StartupGuardTests(ITestOutputHelper output)
{
    private const int Plugins = 10;

    [Fact]
    public void A_forced_platform_loads_no_plugin_assembly_and_builds_only_the_forced_platform()
    {
        using var scenario = ScenarioWithPlugins(out var names);
        scenario.Options.Platform = "cpu";

        var report = Measure("forced SGL_PLATFORM=cpu", scenario.Resolve);

        report.Selected.Should().Be("cpu");
        LoadedPluginAssemblies(names).Should().BeEmpty("a forced platform must not load any other plugin's code");
        PluginContexts(names).Should().BeEmpty("no load context is even created for an excluded plugin");
        report.Candidates.Where(c => c.ProbeMs is not null).Select(c => c.Name).Should().Equal(["cpu"], "only the forced platform is constructed and probed");
    }

    [Fact]
    public void Without_a_forced_platform_each_plugin_is_loaded_once_in_its_own_context()
    {
        using var scenario = ScenarioWithPlugins(out var names);
        scenario.Root.WithDeviceNode("perf0");

        var report = Measure("unforced", scenario.Resolve);

        report.Selected.Should().Be("perf");
        PluginContexts(names).Should().HaveCount(Plugins, "one context per development plugin, none created twice");
        LoadedPluginAssemblies(names).Should().HaveCount(Plugins);
    }

    [Fact]
    public void An_application_built_with_the_manifest_targets_is_marked_so_deps_json_is_never_read()
    {
        // This test assembly is an executable built with the repository's manifest targets and lists no plugin.
        ApplicationManifest.HasManifest(typeof(StartupGuardTests).Assembly).Should().BeTrue();
        ApplicationManifest.HasManifest(typeof(object).Assembly).Should().BeFalse("an assembly built without the targets falls back to DependencyContext");
        ApplicationManifest.HasManifest(null).Should().BeFalse();
    }

    private static SelectionScenario ScenarioWithPlugins(out string[] assemblyNames)
    {
        var scenario = new SelectionScenario();
        scenario.AddPlugin("perf");
        for (var i = 1; i < Plugins; i++)
        {
            scenario.AddPlugin("perf" + i.ToString("00", CultureInfo.InvariantCulture) + "x");
        }

        assemblyNames = scenario.PluginPaths.Select(Path.GetFileNameWithoutExtension).ToArray()!;
        return scenario;
    }

    private T Measure<T>(string what, Func<T> action)
    {
        var jitMethods = JitInfo.GetCompiledMethodCount(currentThread: false);
        var clock = Stopwatch.StartNew();
        var result = action();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        // Printed for the CI log only: other tests run in parallel in this process, so this is not a benchmark.
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {elapsed:0.0} ms, {JitInfo.GetCompiledMethodCount(currentThread: false) - jitMethods} methods jitted meanwhile (process-wide), {Plugins} plugins"));
        return result;
    }

    private static string[] LoadedPluginAssemblies(string[] names) =>
        AssemblyLoadContext.All.SelectMany(c => c.Assemblies).Select(a => a.GetName().Name!).Where(names.Contains).ToArray();

    private static string[] PluginContexts(string[] names) =>
        AssemblyLoadContext.All.Select(c => c.Name ?? "").Where(n => names.Any(p => n == "sgl-plugin:" + p)).ToArray();
}
