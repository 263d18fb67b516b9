using System.Text.Json;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Installer.Tests.Support;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>Packages that export no platform but contribute parts to one (an attention backend for cpu, say).</summary>
public sealed class ContributionInstallTests
{
    private static string Contribution(string name, string attributes = "Extends = \"cpu\", Vendor = \"Acme\"") => $$"""
        using System.Composition;
        using Sgl.Platforms;
        using Sgl.Platforms.Contributions;
        using Sgl.Platforms.Devices;

        namespace Acme.Attention;

        [Export(typeof(AttentionBackendContribution))]
        [PlatformContribution("{{name}}", {{attributes}})]
        public sealed class AcmeAttention : AttentionBackendContribution
        {
            public override IAttentionBackend CreateBackend(AttentionBackendContext context) => throw new System.NotSupportedException("not in this test");
        }
        """;

    [Fact]
    public async Task A_contribution_only_package_installs_without_an_index_and_the_host_composes_it_with_the_platform_it_extends()
    {
        using var s = new InstallScenario();
        s.Feed.Add("Acme.Attention", "1.0.0", [("lib/net10.0/Acme.Attention.dll", TestAssemblies.Custom("Acme.Attention", Contribution("acme-attn")))]);

        var installed = await s.InstallAsync("Acme.Attention");

        installed.Platforms.Should().BeEmpty();
        using (var lockJson = JsonDocument.Parse(File.ReadAllText(s.LockFilePath)))
        {
            var entry = lockJson.RootElement.GetProperty("plugins")[0];
            entry.GetProperty("assemblies").EnumerateArray().Select(a => a.GetString()).Should().Equal("Acme.Attention.dll");
            (entry.TryGetProperty("index", out var index) ? index.GetArrayLength() : 0).Should().Be(0,
                "an index would let the host skip the package on its platforms' hardware, and lose what it contributes to others");
        }

        var report = s.Resolve();
        report.Selected.Should().Be("cpu");
        var row = report.Contributions.Should().ContainSingle().Subject;
        row.Name.Should().Be("acme-attn");
        row.Status.Should().Be(ContributionStatus.Active);
    }

    [Fact]
    public async Task A_contribution_the_host_would_reject_is_refused_at_install_with_the_hosts_reason()
    {
        using var s = new InstallScenario();
        s.Feed.Add("Acme.Attention", "1.0.0", [("lib/net10.0/Acme.Attention.dll", TestAssemblies.Custom("Acme.Attention", Contribution("acme-attn", "Vendor = \"Acme\"")))]);

        var install = () => s.InstallAsync("Acme.Attention");

        var error = (await install.Should().ThrowAsync<PluginInstallException>()).Which;
        error.Error.Should().Be(PluginInstallError.RejectedByHost);
        error.Message.Should().Contain("would be refused by the host").And.Contain("Nothing was installed.");
        File.Exists(s.LockFilePath).Should().BeFalse();
    }
}
