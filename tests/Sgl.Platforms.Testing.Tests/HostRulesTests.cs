using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Testing.Tests;

public sealed class HostRulesTests
{
    [Theory]
    [InlineData("acme")]
    [InlineData("acme-2_x")]
    public void A_lowercase_id_that_no_built_in_uses_is_accepted(string name) =>
        HostRules.NameProblem(name).Should().BeNull();

    [Theory]
    [InlineData("cuda", "reserved for the built-in platform")]
    [InlineData("cpu", "reserved for the built-in platform")]
    [InlineData("Acme", "is not a lowercase id")]
    [InlineData("acme corp", "is not a lowercase id")]
    [InlineData("", "is not a lowercase id")]
    public void A_bad_name_gets_the_hosts_own_reason(string name, string expected) =>
        HostRules.NameProblem(name).Should().Contain(expected);

    [Fact]
    public void The_contract_major_and_reserved_names_are_the_hosts()
    {
        HostRules.ContractMajor.Should().Be(typeof(Platform).Assembly.GetName().Version!.Major);
        HostRules.ReservedNames.Should().BeEquivalentTo("cuda", "rocm", "npu", "xpu", "hpu", "cpu");
    }

    [Fact]
    public void A_malformed_hardware_rule_fails_the_vendors_own_check_with_the_hosts_words()
    {
        var folder = PluginCompiler.NewDirectory();
        var path = PluginCompiler.Compile(folder, "Vendor.BadRule." + Guid.NewGuid().ToString("N"),
            PluginCompiler.PlatformSource("acme", attributes: "[HardwareMatch(DeviceNodes = [\"/sys/acme*\"])]"));

        var verdict = HostRules.InspectAssembly(path).Single();

        verdict.Status.Should().Be(CandidateStatus.Rejected);
        verdict.Reason.Should().Contain("[HardwareMatch(DeviceNodes = [\"/sys/acme*\"])]").And.Contain("outside /dev");
    }
}
