using System.Text.Json;
using Sgl.Cli.Tests.Support;
using Sgl.Platforms.Testing;

namespace Sgl.Cli.Tests;

/// <summary>
/// Every argument or setting error exits 2 with one line that says what to type, and comes before any probing:
/// each run here also sets <c>SGL_PLATFORM</c> to a platform no one provides, so a command that probed would
/// report that instead.
/// </summary>
public sealed class ArgumentErrorTests : IDisposable
{
    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon", 2).WithMemInfo(8L << 30, 4L << 30);

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("error: unknown option '--tpsize' for 'sgl launch'. Did you mean '--tp-size'?", "launch", "--tpsize", "2")]
    [InlineData("error: unknown command 'lauch' for 'sgl'. Did you mean 'launch'? Commands: platforms, launch, diffuse.", "lauch")]
    [InlineData("error: unknown command 'lst' for 'sgl platforms'. Did you mean 'list'?*", "platforms", "lst")]
    [InlineData("error: unknown option '--jsn' for 'sgl platforms list'. Did you mean '--json'?", "platforms", "list", "--jsn")]
    [InlineData("error: unknown option '--tp-size' for 'sgl'. '--tp-size' is an option of 'sgl launch'.", "--tp-size", "2")]
    [InlineData("error: --tp-size takes a whole number; got 'abc'.", "launch", "--tp-size", "abc")]
    [InlineData("error: --mem-fraction-static takes a number such as 0.5; got 'half'.", "launch", "--mem-fraction-static", "half")]
    [InlineData("error: --dtype takes one of Float32, Float16, BFloat16*; got 'Float8'.", "launch", "--dtype", "Float8")]
    [InlineData("error: unexpected argument 'now' for 'sgl launch', which takes none there.", "launch", "now")]
    [InlineData("error: 'sgl' needs a command: platforms, launch, diffuse.")]
    [InlineData("error: --tp-size must be at least 1; got 0.", "launch", "--tp-size", "0")]
    [InlineData("error: --max-new-tokens must be at least 1; got 0.", "launch", "--max-new-tokens", "0")]
    [InlineData("error: Unknown model 'llama'*", "launch", "--model", "llama")]
    [InlineData("error: --steps must be between 1 and 1000; got 0.", "diffuse", "--steps", "0")]
    public async Task An_argument_or_setting_error_exits_2_before_any_probe_with_what_to_type(string firstLine, params string[] args)
    {
        var result = await SglProcess.RunAsync(Environment(("SGL_PLATFORM", "tpu")), args);

        result.ExitCode.Should().Be(2, result.Error);
        result.Error.Split('\n')[0].Should().Match(firstLine);
        result.Error.Should().NotContain("SGL_PLATFORM", "argument errors come before platform selection");
        result.Error.Should().NotContain("Description:").And.NotContain("   at ", "no help screen, no stack trace");
        result.Output.Should().BeEmpty("nothing was probed, so there is no report to print");
    }

    [Fact]
    public async Task A_platform_nobody_provides_lists_the_candidates_as_not_probed_rather_than_failed()
    {
        var result = await SglProcess.RunAsync(Environment(("SGL_PLATFORM", "tpu")), "platforms", "list", "--json");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("SGL_PLATFORM names 'tpu'");
        var candidates = JsonDocument.Parse(result.Output).RootElement.GetProperty("candidates").EnumerateArray().ToList();
        candidates.Should().NotBeEmpty();
        candidates.Should().OnlyContain(c => c.GetProperty("status").GetString() == "Excluded"
            && c.GetProperty("reason").GetString()!.StartsWith("Not probed: a setting is invalid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Launch_with_a_platform_nobody_provides_prints_only_the_error()
    {
        var result = await SglProcess.RunAsync(Environment(("SGL_PLATFORM", "tpu")), "launch");

        result.ExitCode.Should().Be(2);
        result.Error.Should().StartWith("error: SGL_PLATFORM names 'tpu'");
        result.Output.Should().NotContain("Failed");
    }

    [Theory]
    [InlineData("tpsize", "tp-size", 1)]
    [InlineData("lauch", "launch", 1)]
    [InlineData("lsit", "list", 1)]
    [InlineData("", "", 0)]
    public void Edit_distance_counts_insertions_deletions_substitutions_and_swaps(string a, string b, int expected) =>
        ArgumentErrors.EditDistance(a, b).Should().Be(expected);

    [Fact]
    public void A_name_too_far_from_every_candidate_gets_no_suggestion() =>
        ArgumentErrors.Closest("--frobnicate", ["--tp-size", "--json"]).Should().BeNull();

    private Dictionary<string, string?> Environment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string?> { ["SGL_SYSTEM_ROOT"] = _root.Root };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }
}
