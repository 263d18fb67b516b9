using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Sgl.Platforms.Hosting.Tests;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("600001")]
    public async Task A_bad_probe_timeout_fails_the_start_naming_the_key_and_the_variable(string value)
    {
        using var host = TestHosts.Build(new Dictionary<string, string?> { ["ProbeTimeoutMs"] = value }, report: Reports.CudaSelected());

        var start = () => host.StartAsync(TestContext.Current.CancellationToken);

        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("Sgl:Platforms:ProbeTimeoutMs").And.Contain("SGL_PROBE_TIMEOUT_MS").And.Contain($"'{value}'");
    }

    [Fact]
    public async Task A_missing_system_root_fails_the_start_naming_the_key_and_the_variable()
    {
        var missing = Path.Combine(Path.GetTempPath(), "sgl-no-such-root-" + Guid.NewGuid().ToString("N"));
        using var host = TestHosts.Build(new Dictionary<string, string?> { ["SystemRoot"] = missing }, report: Reports.CudaSelected());

        var start = () => host.StartAsync(TestContext.Current.CancellationToken);

        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("Sgl:Platforms:SystemRoot").And.Contain("SGL_SYSTEM_ROOT").And.Contain(missing);
    }

    [Fact]
    public async Task Valid_settings_let_the_host_start()
    {
        using var root = new Testing.FakeSystemRoot();
        using var host = TestHosts.Build(
            new Dictionary<string, string?> { ["ProbeTimeoutMs"] = "2500", ["SystemRoot"] = root.Root },
            report: Reports.CudaSelected());

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("5000")]
    [InlineData(" 250 ")]
    public void Blank_or_positive_timeouts_are_accepted_as_selection_accepts_them(string? value)
    {
        var result = new PlatformOptionsValidator().Validate(Options.DefaultName, new PlatformOptions { ProbeTimeoutMs = value, SystemRoot = value is null ? null : " " });

        result.Succeeded.Should().BeTrue(result.FailureMessage);
    }
}
