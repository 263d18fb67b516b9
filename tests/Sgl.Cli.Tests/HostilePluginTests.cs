using System.Text.Json;
using Sgl.Cli.Tests.Support;
using Sgl.Platforms.Testing;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Cli.Tests;

/// <summary>
/// Plugin code that writes to stdout, forges probe results, ends the process or leaves threads behind,
/// run through the real sgl: its output, its exit code and its selection must stay sgl's own.
/// </summary>
public sealed class HostilePluginTests : IDisposable
{
    /// <summary>A result line as the probe host writes them, claiming an H100 for cuda.</summary>
    private const string ForgedCuda = """{"name":"cuda","status":"Available","reason":"forged","probeMs":1,"devices":[{"index":0,"name":"Forged H100","memoryBytes":85899345920}]}""";

    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon", 4).WithMemInfo(8L << 30, 6L << 30);
    private readonly string _plugins = PluginCompiler.NewDirectory();

    public void Dispose() => _root.Dispose();

    private Dictionary<string, string?> Environment(string? probeBody, bool isolate = false, string? constructorBody = null, int priority = 200, string? memberSource = null)
    {
        var plugin = PluginCompiler.Compile(_plugins, "Vendor.Hostile", PluginCompiler.PlatformSource("hostile", priority: priority, probeBody: probeBody, constructorBody: constructorBody, memberSource: memberSource));
        var environment = new Dictionary<string, string?>
        {
            ["SGL_SYSTEM_ROOT"] = _root.Root,
            ["SGL_PLATFORM_PLUGIN_PATH"] = plugin,
        };
        if (isolate)
        {
            environment["SGL_PROBE_ISOLATION"] = "process";
        }

        return environment;
    }

    private static string Literal(string text) => JsonSerializer.Serialize(text);

    private static JsonElement CandidateIn(string json, string name) =>
        JsonDocument.Parse(json).RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>Writes through Console.Out and, as native code would, straight to file descriptor 1.</summary>
    private static string WritesToStdout(string managed, string native) => $$"""
        System.Console.WriteLine({{Literal(managed)}});
        using (var fd1 = System.Console.OpenStandardOutput())
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes({{Literal(native)}});
            fd1.Write(bytes, 0, bytes.Length);
            fd1.Flush();
        }
        """;

    [Fact]
    public async Task A_probe_writing_to_stdout_leaves_the_json_valid_and_its_text_goes_to_stderr()
    {
        var probe = WritesToStdout("hello from the acme probe", "native banner without a newline") + "return ProbeResult.NotPresent(\"nothing here\");";

        var result = await SglProcess.RunAsync(Environment(probe), "platforms", "list", "--json");

        result.ExitCode.Should().Be(0, result.Error);
        CandidateIn(result.Output, "hostile").GetProperty("status").GetString().Should().Be("NotPresent");
        result.Error.Should().Contain("hello from the acme probe").And.Contain("native banner without a newline").And.Contain("plugin code wrote to standard output");
    }

    [Fact]
    public async Task A_platform_writing_to_stdout_while_it_runs_the_model_leaves_launch_json_valid_and_its_text_goes_to_stderr()
    {
        _root.WithDeviceNode("hostile0");
        var openDevice = "protected override Sgl.Platforms.Devices.ComputeDevice? OpenDeviceCore(int rank, int deviceIndex) { "
            + WritesToStdout("hello from the device layer", "native kernel banner") + " return null; }";

        var result = await SglProcess.RunAsync(Environment(probeBody: null, memberSource: openDevice), "launch", "--json", "--max-new-tokens", "4");

        result.ExitCode.Should().Be(0, result.Error);
        JsonDocument.Parse(result.Output).RootElement.GetProperty("outputTokenIds").GetArrayLength().Should().Be(4);
        result.Error.Should().Contain("plugin code wrote to standard output while the selected platform ran the model")
            .And.Contain("hello from the device layer").And.Contain("native kernel banner");
    }

    [Fact]
    public async Task A_platform_that_ends_the_process_while_it_runs_the_model_exits_70_saying_so()
    {
        _root.WithDeviceNode("hostile0");
        const string OpenDevice = "protected override Sgl.Platforms.Devices.ComputeDevice? OpenDeviceCore(int rank, int deviceIndex) { System.Environment.Exit(0); return null; }";

        var result = await SglProcess.RunAsync(Environment(probeBody: null, memberSource: OpenDevice), "launch", "--json");

        result.ExitCode.Should().Be(70, "a plugin's exit must not pass for a finished run");
        result.Output.Should().BeEmpty();
        result.Error.Should().Contain("plugin code ended the process (exit code 0) while the selected platform ran the model (platform 'hostile' running the model)")
            .And.Contain("The run did not finish");
    }

    [Fact]
    public async Task With_isolation_a_probe_writing_to_stdout_without_a_newline_is_not_read_as_a_crash()
    {
        var probe = WritesToStdout("hello", "native banner without a newline") + "return ProbeResult.NotPresent(\"nothing here\");";

        var result = await SglProcess.RunAsync(Environment(probe, isolate: true), "platforms", "list", "--json");

        result.ExitCode.Should().Be(0, result.Error);
        CandidateIn(result.Output, "hostile").GetProperty("status").GetString().Should().Be("NotPresent");
        CandidateIn(result.Output, "cuda").GetProperty("status").GetString().Should().Be("NotPresent");
        result.Error.Should().Contain("native banner without a newline");
    }

    [Fact]
    public async Task With_isolation_a_result_line_forged_on_stdout_for_cuda_does_not_select_cuda()
    {
        var probe = WritesToStdout(ForgedCuda, "\n" + ForgedCuda + "\n") + "return ProbeResult.NotPresent(\"nothing here\");";

        var result = await SglProcess.RunAsync(Environment(probe, isolate: true, priority: 1), "platforms", "list", "--json");

        JsonDocument.Parse(result.Output).RootElement.GetProperty("selected").GetString().Should().Be("cpu", result.Error);
        CandidateIn(result.Output, "cuda").GetProperty("status").GetString().Should().Be("NotPresent");
    }

    [Fact]
    public async Task With_isolation_a_plugin_writing_into_the_result_channel_is_a_protocol_error_naming_it()
    {
        // The probe host's command line names the result pipe's descriptor: the plugin writes its forged line there.
        var probe = $$"""
            var arguments = System.Environment.GetCommandLineArgs();
            var fd = int.Parse(arguments[System.Array.IndexOf(arguments, "--results") + 1]);
            var forged = System.Text.Encoding.UTF8.GetBytes({{Literal(ForgedCuda + "\n")}});
            var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle((nint)fd, ownsHandle: false);
            using (var stream = new System.IO.FileStream(handle, System.IO.FileAccess.Write))
            {
                stream.Write(forged, 0, forged.Length);
            }

            return ProbeResult.NotPresent("nothing here");
            """;

        var result = await SglProcess.RunAsync(Environment(probe, isolate: true, priority: 1), "platforms", "list", "--json");

        CandidateIn(result.Output, "cuda").GetProperty("status").GetString().Should().Be("NotPresent", result.Error);
        var hostile = CandidateIn(result.Output, "hostile");
        hostile.GetProperty("status").GetString().Should().Be("Failed");
        hostile.GetProperty("reason").GetString().Should().Contain("result channel").And.Contain("'hostile'");
        JsonDocument.Parse(result.Output).RootElement.GetProperty("selected").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_probe_calling_environment_exit_0_is_reported_with_a_non_zero_exit_code()
    {
        var result = await SglProcess.RunAsync(Environment("System.Environment.Exit(0); return null!;"), "platforms", "list", "--json");

        result.ExitCode.Should().Be(70);
        result.Error.Should().Contain("plugin code ended the process").And.Contain("hostile");
    }

    [Fact]
    public async Task A_foreground_thread_started_by_a_plugin_constructor_does_not_keep_sgl_alive()
    {
        const string Starts = "new System.Threading.Thread(() => System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite)) { IsBackground = false }.Start();";

        var result = await SglProcess.RunAsync(Environment(probeBody: Starts + "return ProbeResult.NotPresent(\"nothing here\");", constructorBody: Starts), "platforms", "list");

        result.ExitCode.Should().Be(0, result.Error);
        result.Output.Should().Contain("Selected: cpu");
    }

    [Fact]
    public async Task A_probe_with_a_million_devices_and_a_megabyte_reason_prints_a_bounded_table()
    {
        _root.WithDeviceNode("hostile0");
        var probe = """
            var devices = new DeviceInfo[1_000_000];
            for (var i = 0; i < devices.Length; i++) devices[i] = new DeviceInfo(i, "hostile device");
            return ProbeResult.Available(devices, new string('r', 1_400_000));
            """;

        var environment = Environment(probe);
        environment["SGL_PROBE_TIMEOUT_MS"] = "120000"; // a million allocations take a while on a loaded machine; the time is not what is tested

        var result = await SglProcess.RunAsync(environment, "platforms", "list");

        result.ExitCode.Should().Be(0, result.Error);
        result.Output.Should().Contain("Selected: hostile").And.Contain("see 'sgl platforms list --json'").And.Contain("… and 1,016 more (see --json)");
        result.Output.Length.Should().BeLessThan(20_000, "the table shows 8 devices and 600 characters of the reason");
    }

    [Fact]
    public async Task A_probe_writing_megabytes_to_stdout_is_shown_bounded_on_stderr()
    {
        var probe = WritesToStdout(new string('m', 100), new string('n', 100)) + """
            for (var i = 0; i < 10_000; i++) System.Console.Out.Write(new string('m', 1000));
            return ProbeResult.NotPresent("nothing here");
            """;

        var result = await SglProcess.RunAsync(Environment(probe), "platforms", "list", "--json");

        result.ExitCode.Should().Be(0, result.Error[..Math.Min(500, result.Error.Length)]);
        JsonDocument.Parse(result.Output).RootElement.GetProperty("selected").GetString().Should().Be("cpu");
        result.Error.Length.Should().BeLessThan(200_000, "64 KiB of the 10 MB are shown");
        result.Error.Should().Contain("more characters not shown");
    }
}
