using System.Text.Json;
using Sgl.Cli.Tests.Support;
using Sgl.Platforms.Testing;

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
        root.EnumerateObject().Select(p => p.Name).Should().Equal("selected", "candidates");
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
}
