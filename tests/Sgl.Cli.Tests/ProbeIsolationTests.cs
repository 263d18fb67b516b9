using System.Text.Json;
using Sgl.Cli.Tests.Support;
using Sgl.Platforms.Testing;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Cli.Tests;

/// <summary>
/// A vendor probe that crashes inside its native library, run with and without
/// SGL_PROBE_ISOLATION=process, through the real sgl executable.
/// </summary>
public sealed class ProbeIsolationTests : IDisposable
{
    private const string CrashingProbe = """
        var library = System.Runtime.InteropServices.NativeLibrary.Load(System.Environment.GetEnvironmentVariable("CRASH_SHIM_LIBRARY")!);
        unsafe
        {
            var init = (delegate* unmanaged<int>)System.Runtime.InteropServices.NativeLibrary.GetExport(library, "vendor_init");
            init();
        }
        return ProbeResult.NotPresent("the vendor library initialised and found nothing");
        """;

    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon", 4).WithMemInfo(8L << 30, 6L << 30);
    private readonly string _plugins = PluginCompiler.NewDirectory();

    public void Dispose() => _root.Dispose();

    private Dictionary<string, string?> Environment(string mode, bool isolate, params (string Key, string Value)[] extra)
    {
        var shim = NativeShim.Build("Shims/vendor_crash_shim.c", "libvendorcrash.so").PathOrSkip();
        var plugin = PluginCompiler.Compile(_plugins, "Vendor.Crashy", PluginCompiler.PlatformSource("crashy", probeBody: CrashingProbe));
        var environment = new Dictionary<string, string?>
        {
            ["SGL_SYSTEM_ROOT"] = _root.Root,
            ["SGL_PLATFORM_PLUGIN_PATH"] = plugin,
            ["CRASH_SHIM_LIBRARY"] = shim,
            ["CRASH_SHIM_MODE"] = mode,
        };
        if (isolate)
        {
            environment["SGL_PROBE_ISOLATION"] = "process";
        }

        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    private static JsonElement CandidateIn(string json, string name) =>
        JsonDocument.Parse(json).RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Theory]
    [InlineData("segfault", "signal 11 (SIGSEGV)")]
    [InlineData("abort", "signal 6 (SIGABRT)")]
    [InlineData("exit", "exited with code 7")]
    public async Task With_isolation_a_crashing_vendor_probe_is_named_and_the_list_still_works(string mode, string expected)
    {
        var result = await SglProcess.RunAsync(Environment(mode, isolate: true), "platforms", "list", "--json");

        var crashy = CandidateIn(result.Output, "crashy");
        crashy.GetProperty("status").GetString().Should().Be("Failed");
        crashy.GetProperty("reason").GetString().Should().Contain(expected).And.Contain("'crashy'");
        CandidateIn(result.Output, "cpu").GetProperty("status").GetString().Should().Be("Available");
        CandidateIn(result.Output, "cuda").GetProperty("status").GetString().Should().Be("NotPresent", "the other probes still ran");
        result.ExitCode.Should().Be(1, "only the CPU fallback is left after a plugin failed");
        result.Error.Should().Contain("Only the CPU fallback").And.Contain("SGL_PLATFORM=cpu");
    }

    [Fact]
    public async Task With_isolation_and_cpu_asked_for_the_crash_is_reported_and_cpu_selected()
    {
        var result = await SglProcess.RunAsync(Environment("segfault", isolate: true, ("SGL_PLATFORM", "crashy,cpu")), "platforms", "list", "--json");

        result.ExitCode.Should().Be(0, result.Error);
        JsonDocument.Parse(result.Output).RootElement.GetProperty("selected").GetString().Should().Be("cpu");
        CandidateIn(result.Output, "crashy").GetProperty("reason").GetString().Should().Contain("SIGSEGV");
    }

    [Fact]
    public async Task With_isolation_a_hanging_native_probe_times_out_and_the_child_is_killed()
    {
        var result = await SglProcess.RunAsync(Environment("hang", isolate: true, ("SGL_PROBE_TIMEOUT_MS", "2000")), "platforms", "list", "--json");

        CandidateIn(result.Output, "crashy").GetProperty("status").GetString().Should().Be("TimedOut");
        CandidateIn(result.Output, "cpu").GetProperty("status").GetString().Should().Be("Available");
    }

    [Fact]
    public async Task Without_isolation_the_same_crash_takes_the_whole_process_down()
    {
        var result = await SglProcess.RunAsync(Environment("segfault", isolate: false), "platforms", "list", "--json");

        result.ExitCode.Should().Be(128 + 11, "the segfault in the vendor library kills sgl itself; this is why isolation exists");
        result.Output.Should().BeEmpty();
    }

    [Fact]
    public async Task With_isolation_a_healthy_machine_selects_as_usual()
    {
        var result = await SglProcess.RunAsync(Environment("", isolate: true), "platforms", "list", "--json");

        result.ExitCode.Should().Be(0, result.Error);
        CandidateIn(result.Output, "crashy").GetProperty("status").GetString().Should().Be("NotPresent");
        var cpu = CandidateIn(result.Output, "cpu");
        cpu.GetProperty("devices").EnumerateArray().Single().GetProperty("name").GetString().Should().Contain("Fake Xeon",
            "the parent adopts the device list the child probed");
    }
}
