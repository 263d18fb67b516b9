using System.Text.Json;
using Sgl.Cli.Tests.Support;
using Sgl.Platforms.Testing;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Cli.Tests;

public sealed class PlatformsListCommandTests : IDisposable
{
    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon", 8).WithMemInfo(16L << 30, 12L << 30);

    public void Dispose() => _root.Dispose();

    private Dictionary<string, string?> Environment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string?> { ["SGL_SYSTEM_ROOT"] = _root.Root };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    [Fact]
    public async Task The_table_marks_cpu_selected_and_lists_every_built_in_with_a_reason()
    {
        var result = await SglProcess.RunAsync(Environment(), "platforms", "list");

        result.ExitCode.Should().Be(0, result.Error);
        result.Output.Should().Contain("Selected: cpu");
        foreach (var name in new[] { "cuda", "rocm", "npu", "xpu", "hpu" })
        {
            result.Output.Should().MatchRegex($@"│\s+│ {name}\s+│", $"{name} has a row");
            result.Output.Should().MatchRegex($@"\n\s+{name} \(NotPresent\): \S+", $"{name} says why it is not present");
        }

        result.Output.Should().Contain("Fake Xeon");
    }

    [Fact]
    public async Task Json_output_has_exactly_the_documented_schema()
    {
        var result = await SglProcess.RunAsync(Environment(), "platforms", "list", "--json");

        result.ExitCode.Should().Be(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal("selected", "candidates", "contributions");
        root.GetProperty("contributions").GetArrayLength().Should().Be(0, "no package contributes to the built-ins here");
        root.GetProperty("selected").GetString().Should().Be("cpu");
        var candidates = root.GetProperty("candidates").EnumerateArray().ToList();
        candidates.Select(c => c.GetProperty("name").GetString()).Should().Equal("cuda", "rocm", "npu", "xpu", "hpu", "cpu");
        foreach (var candidate in candidates)
        {
            candidate.EnumerateObject().Select(p => p.Name).Should().Equal(
                "name", "kind", "source", "assembly", "version", "priority", "status", "reason", "probeMs", "devices");
            candidate.GetProperty("source").GetString().Should().Be("BuiltIn");
        }

        var cpu = candidates.Last();
        cpu.GetProperty("status").GetString().Should().Be("Available");
        var device = cpu.GetProperty("devices").EnumerateArray().Single();
        device.EnumerateObject().Select(p => p.Name).Should().Equal("index", "name", "memoryBytes", "capability", "uuid", "pciBusId");
        device.GetProperty("memoryBytes").GetInt64().Should().Be(16L << 30);
    }

    [Fact]
    public async Task Contributions_are_listed_under_the_platform_they_extend_with_their_status_in_the_table_and_the_json()
    {
        var plugins = PluginCompiler.NewDirectory();
        var active = PluginCompiler.Compile(plugins, "Vendor.FastAttention", PluginCompiler.AttentionContributionSource("fast-attn", priority: 10));
        var unused = PluginCompiler.Compile(plugins, "Vendor.Flash", PluginCompiler.AttentionContributionSource("flash", extends: "cuda"));
        var environment = Environment(("SGL_PLATFORM_PLUGIN_PATH", active + Path.PathSeparator + unused));

        var table = await SglProcess.RunAsync(environment, "platforms", "list");
        var json = await SglProcess.RunAsync(environment, "platforms", "list", "--json");

        table.ExitCode.Should().Be(0, table.Error);
        table.Output.Should().Contain("Contributions to cpu:").And.Contain("Contributions to cuda:");
        table.Output.Should().MatchRegex(@"fast-attn\s.*Active").And.MatchRegex(@"flash\s.*Unused");
        using var document = JsonDocument.Parse(json.Output);
        var rows = document.RootElement.GetProperty("contributions").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        rows["fast-attn"].GetProperty("status").GetString().Should().Be("Active");
        rows["fast-attn"].GetProperty("extends").GetString().Should().Be("cpu");
        rows["flash"].GetProperty("status").GetString().Should().Be("Unused");
        rows["flash"].GetProperty("reason").GetString().Should().Contain("'cpu' was selected");
    }

    [Fact]
    public async Task An_unknown_platform_name_exits_2_and_lists_the_known_names()
    {
        var result = await SglProcess.RunAsync(Environment(("SGL_PLATFORM", "tpu")), "platforms", "list");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("SGL_PLATFORM names 'tpu'").And.Contain("cpu, cuda, hpu, npu, rocm, xpu");
    }

    [Fact]
    public async Task A_system_root_that_does_not_exist_exits_2_naming_the_variable()
    {
        var result = await SglProcess.RunAsync(new Dictionary<string, string?> { ["SGL_SYSTEM_ROOT"] = "/no/such/root" }, "platforms", "list", "--json");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("SGL_SYSTEM_ROOT").And.Contain("/no/such/root");
    }

    [Fact]
    public async Task A_forced_platform_that_is_not_present_exits_1_with_its_reason()
    {
        var result = await SglProcess.RunAsync(Environment(("SGL_PLATFORM", "rocm")), "platforms", "list");

        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain("SGL_PLATFORM=rocm forces that platform, but 'rocm' is NotPresent");
        result.Output.Should().Contain("No platform selected.");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_an_nvidia_device_and_nvml_cuda_is_selected_with_the_device_nvml_reports(bool isolate)
    {
        var nvml = NativeShim.Build("Shims/nvml_shim.c", "libnvidia-ml.so.1").PathOrSkip();
        _root.WithPciDevice(0x10de, 0x2330, 0x030200, driver: "nvidia", address: "0000:3b:00.0").WithDeviceNode("nvidia0");
        var environment = Environment(
            ("LD_LIBRARY_PATH", Path.GetDirectoryName(nvml)!),
            ("NVML_SHIM_NAME", "NVIDIA H100 80GB HBM3 (shim)"),
            ("NVML_SHIM_MEMORY_TOTAL", "85520809984"),
            ("NVML_SHIM_CC", "9.0"));
        if (isolate)
        {
            environment["SGL_PROBE_ISOLATION"] = "process";
        }

        var result = await SglProcess.RunAsync(environment, "platforms", "list", "--json");

        result.ExitCode.Should().Be(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("selected").GetString().Should().Be("cuda");
        var cuda = json.RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "cuda");
        var device = cuda.GetProperty("devices").EnumerateArray().Single();
        device.GetProperty("name").GetString().Should().Be("NVIDIA H100 80GB HBM3 (shim)");
        device.GetProperty("memoryBytes").GetInt64().Should().Be(85520809984);
        device.GetProperty("capability").GetString().Should().Be("9.0");
        device.GetProperty("pciBusId").GetString().Should().Be("0000:3b:00.0");
    }

    [Fact]
    public async Task An_nvidia_device_without_nvml_is_unavailable_with_the_fix_and_blocks_the_cpu_fallback_until_cpu_is_asked_for()
    {
        _root.WithPciDevice(0x10de, 0x2330, 0x030200, driver: "nvidia");

        var refused = await SglProcess.RunAsync(Environment(), "platforms", "list", "--json");

        refused.ExitCode.Should().Be(1, refused.Output);
        refused.Error.Should().Contain("'cuda' is Unavailable").And.Contain("libnvidia-ml.so.1").And.Contain("SGL_PLATFORM=cpu");
        using (var json = JsonDocument.Parse(refused.Output))
        {
            json.RootElement.GetProperty("selected").ValueKind.Should().Be(JsonValueKind.Null);
            var cuda = json.RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "cuda");
            cuda.GetProperty("status").GetString().Should().Be("Unavailable");
            cuda.GetProperty("reason").GetString().Should().Contain("libnvidia-ml.so.1");
        }

        var table = await SglProcess.RunAsync(Environment(), "platforms", "list");
        table.Output.Should().Contain("cuda (Unavailable)").And.Contain("No platform selected.");

        var asked = await SglProcess.RunAsync(Environment(("SGL_PLATFORM", "cpu")), "platforms", "list", "--json");
        asked.ExitCode.Should().Be(0, asked.Error);
        using var chosen = JsonDocument.Parse(asked.Output);
        chosen.RootElement.GetProperty("selected").GetString().Should().Be("cpu");
    }
}
