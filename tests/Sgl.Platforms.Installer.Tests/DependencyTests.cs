using System.Runtime.InteropServices;
using Sgl.Platforms.Installer.Tests.Support;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>
/// Dependencies are judged by what the host really ships, not by their names; native assets come along for
/// this machine's runtime; a dependency that nothing can satisfy is refused at install, not at every start.
/// </summary>
public sealed class DependencyTests
{
    [Theory]
    [InlineData("Microsoft.Extensions.Acme.Widgets")]
    [InlineData("System.Acme.Widgets")]
    public async Task A_dependency_named_like_a_framework_package_that_the_host_does_not_ship_is_installed_and_loads(string id)
    {
        using var s = new InstallScenario();
        var library = TestAssemblies.Library(id);
        s.Feed.Add(id, "1.0.0", [($"lib/net10.0/{id}.dll", library)]);
        s.Feed.Add("Sgl.Platform.Acme", "1.0.0",
            [("lib/net10.0/Sgl.Platform.Acme.dll", TestAssemblies.Platform("Sgl.Platform.Acme", "acme", references: [library], deviceName: $"global::{id}.Tag.Value"))],
            [(id, "1.0.0")]);
        s.System.WithDeviceNode("acme0");

        var installed = await s.InstallAsync("Sgl.Platform.Acme");

        installed.Dependencies.Should().Equal($"{id}/1.0.0");
        var report = s.Resolve();
        report.Selected.Should().Be("acme", report.Candidates.Single(c => c.Name == "acme").Reason);
        report.Candidates.Single(c => c.Name == "acme").Devices.Single().Name.Should().Be(id);
        s.Installer().ListInstalled().Single().Problem.Should().BeNull();
    }

    [Fact]
    public async Task A_plugin_that_references_an_assembly_no_package_provides_is_refused_at_install()
    {
        using var s = new InstallScenario();
        var undeclared = TestAssemblies.Library("Acme.Undeclared");
        s.Feed.Add("Sgl.Platform.Acme", "1.0.0",
            [("lib/net10.0/Sgl.Platform.Acme.dll", TestAssemblies.Platform("Sgl.Platform.Acme", "acme", references: [undeclared], deviceName: "global::Acme.Undeclared.Tag.Value"))]);

        var thrown = await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.Acme")).Should().ThrowAsync<PluginInstallException>();

        thrown.Which.Error.Should().Be(PluginInstallError.UnsatisfiedReference, thrown.Which.Message);
        thrown.Which.Message.Should().Contain("Sgl.Platform.Acme.dll").And.Contain("Acme.Undeclared 1.0.0.0").And.Contain("neither this host nor");
        File.Exists(s.LockFilePath).Should().BeFalse();
    }

    [Fact]
    public async Task A_plugin_that_needs_a_newer_version_of_an_assembly_the_host_ships_is_refused_at_install_with_both_versions()
    {
        using var s = new InstallScenario();
        const string Id = "Microsoft.Extensions.Logging.Abstractions";
        var newer = TestAssemblies.Library(Id, version: "99.0.0.0");
        s.Feed.Add(Id, "99.0.0", [($"lib/net10.0/{Id}.dll", newer)]);
        s.Feed.Add("Sgl.Platform.Acme", "1.0.0",
            [("lib/net10.0/Sgl.Platform.Acme.dll", TestAssemblies.Platform("Sgl.Platform.Acme", "acme", references: [newer], deviceName: $"global::{Id}.Tag.Value"))],
            [(Id, "99.0.0")]);
        var hostVersion = typeof(Microsoft.Extensions.Logging.ILogger).Assembly.GetName().Version!.ToString();

        var thrown = await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.Acme")).Should().ThrowAsync<PluginInstallException>();

        thrown.Which.Error.Should().Be(PluginInstallError.UnsatisfiedReference, thrown.Which.Message);
        thrown.Which.Message.Should().Contain($"{Id} 99.0.0.0").And.Contain(hostVersion);
    }

    [Fact]
    public async Task Native_assets_for_this_runtime_are_installed_and_loaded_and_those_for_others_are_left_out()
    {
        using var s = new InstallScenario();
        var native = NativeShim.Build("Shims/acme_native.c", "libacme_native.so").PathOrSkip();
        var rid = RuntimeInformation.RuntimeIdentifier;
        var plugin = TestAssemblies.Custom("Sgl.Platform.Acme", """
            using System.Composition;
            using System.Runtime.InteropServices;
            using Sgl.Platforms;
            using Sgl.Platforms.Probing;

            namespace Acme;

            [Export(typeof(Platform))]
            [PlatformMetadata("acme", Kind = PlatformEnum.Oot, Priority = 200, Vendor = "Test Vendor")]
            public sealed class AcmePlatform : Platform
            {
                [DllImport("acme_native")]
                private static extern System.IntPtr acme_device_name();

                protected override ProbeResult ProbeCore(ProbeContext context) =>
                    ProbeResult.Available([new DeviceInfo(0, Marshal.PtrToStringUTF8(acme_device_name())!)]);
            }
            """);
        s.Feed.Add("Sgl.Platform.Acme", "1.0.0",
        [
            ("lib/net10.0/Sgl.Platform.Acme.dll", plugin),
            ($"runtimes/{rid}/native/libacme_native.so", File.ReadAllBytes(native)),
            ("runtimes/win-x64/native/acme_native.dll", [0x4d, 0x5a, 0, 0]),
            ("runtimes/osx-arm64/native/libacme_native.dylib", [0xcf, 0xfa, 0xed, 0xfe]),
        ]);

        var installed = await s.InstallAsync("Sgl.Platform.Acme");

        Directory.EnumerateFiles(installed.Directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(installed.Directory, f))
            .Should().BeEquivalentTo("Sgl.Platform.Acme.dll", $"runtimes/{rid}/native/libacme_native.so");
        var report = s.Resolve();
        var acme = report.Candidates.Single(c => c.Name == "acme");
        acme.Status.Should().Be(CandidateStatus.Available, acme.Reason);
        acme.Devices.Single().Name.Should().Be("acme device from the native library");
    }
}
