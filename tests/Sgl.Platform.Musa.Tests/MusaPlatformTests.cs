using System.Composition;
using System.Reflection;
using Sgl.Platforms;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Platform.Musa.Tests;

public sealed class MusaPlatformTests
{
    [Fact]
    public void It_is_exported_as_an_out_of_tree_platform_named_musa_that_outranks_built_ins()
    {
        var type = typeof(MusaPlatform);

        type.GetCustomAttribute<ExportAttribute>()!.ContractType.Should().Be<Platforms.Platform>();
        var metadata = type.GetCustomAttribute<PlatformMetadataAttribute>()!;
        metadata.Name.Should().Be("musa");
        metadata.Kind.Should().Be(PlatformEnum.Oot);
        metadata.Priority.Should().Be(200).And.BeGreaterThan(PlatformPriorities.BuiltInAccelerator);
        metadata.Vendor.Should().Be("Moore Threads");
    }

    [Fact]
    public void Its_identity_matches_its_metadata()
    {
        var platform = new MusaPlatform();

        platform.DeviceName.Should().Be("musa");
        platform.Kind.Should().Be(PlatformEnum.Oot);
        platform.IsOutOfTree.Should().BeTrue();
        platform.IsCudaAlike.Should().BeFalse();
        platform.DistributedBackend.Should().Be("mccl");
        platform.DeviceVisibilityEnvironmentVariable.Should().Be("MUSA_VISIBLE_DEVICES");
    }

    [Fact]
    public void The_plugin_references_only_the_contract()
    {
        var references = typeof(MusaPlatform).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        references.Should().Contain("Sgl.Platforms.Abstractions");
        references.Where(n => n.StartsWith("Sgl.", StringComparison.Ordinal)).Should().Equal("Sgl.Platforms.Abstractions");
        references.Where(n => !n.StartsWith("Sgl.", StringComparison.Ordinal))
            .Should().OnlyContain(n => n.StartsWith("System.", StringComparison.Ordinal), "a plugin brings no third-party dependency the host would have to load");
    }

    [Fact]
    public void Server_defaults_fill_only_what_the_user_left_unset()
    {
        var platform = new MusaPlatform();
        var empty = new ServerArgs();
        var chosen = new ServerArgs { DistributedBackend = "gloo", TpSize = 4 };

        platform.Serving.ApplyServerArgsDefaults(empty);
        platform.Serving.ApplyServerArgsDefaults(chosen);

        empty.DistributedBackend.Should().Be("mccl");
        empty.AttentionBackend.Should().BeNull("this package ships no MUSA attention kernels, so it offers no backend to default to");
        empty.TpSize.Should().BeNull();
        chosen.DistributedBackend.Should().Be("gloo");
        chosen.TpSize.Should().Be(4);
    }

    [Fact]
    public void It_has_no_device_layer_so_the_runtimes_compute_on_the_host_and_say_so()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu").WithDeviceNode("mtgpu.0");
        var platform = new MusaPlatform(MtmlShim.TwoDevices);
        platform.Probe(new ProbeContext(root.View()));

        var result = Runtime.Entrypoints.Engine.Generate(new ServerArgs { MaxTotalTokens = 64 }, new Runtime.Entrypoints.GenerationRequest("hi", 4), platform);

        platform.OpenDevice(0, 0).Should().BeNull();
        platform.GetAttentionBackends().Should().BeEmpty();
        result.Plan.Platform.Should().Be("musa");
        result.Plan.Compute.Should().Contain("platform 'musa' has no device layer").And.Contain("CPU reference");
        result.OutputTokenIds.Should().HaveCount(4);
    }

    [Fact]
    public void Device_memory_comes_from_the_probe()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu").WithDeviceNode("mtgpu.0");
        var platform = new MusaPlatform(MtmlShim.TwoDevices);

        platform.Probe(new ProbeContext(root.View())).Status.Should().Be(ProbeStatus.Available);

        platform.GetTotalMemory(1).Should().Be(48L << 30);
        platform.Devices.Should().HaveCount(2);
    }

    [Fact]
    public void The_package_manifest_names_the_plugin_assembly_with_the_index_it_declares()
    {
        // The props file ships in the package's buildTransitive folder; its item must name this assembly exactly and carry its index.
        var props = Path.Combine(RepositoryRoot(), "src", "Sgl.Platform.Musa", "buildTransitive", "Sgl.Platform.Musa.props");

        HostRules.PackageManifestProblem(props, typeof(MusaPlatform).Assembly.Location).Should().BeNull();
        File.ReadAllText(props).Should().Contain("\"pciVendor\":\"0x1ed5\"").And.Contain("\"deviceNodes\":[\"mtgpu*\"]");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Platforms.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Platforms.sln not found above " + AppContext.BaseDirectory);
    }
}
