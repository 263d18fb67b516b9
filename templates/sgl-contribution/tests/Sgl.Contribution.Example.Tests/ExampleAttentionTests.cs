using System.Reflection;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Testing;
#if (extendsCpu)
using Sgl.Platforms;
using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Serving;
using Sgl.Runtime.Entrypoints;
#endif

namespace Sgl.Contribution.Example.Tests;

/// <summary>
/// What every contribution checks before it ships: its metadata, its kernels against the CPU reference (the same
/// check the conformance suite runs on a platform's device), and the tiny model through it.
/// </summary>
public sealed class ExampleAttentionTests
{
    [Fact]
    public void The_export_names_its_backend_and_the_platform_it_extends()
    {
        var metadata = typeof(ExampleAttention).GetCustomAttribute<PlatformContributionAttribute>();

        metadata.Should().NotBeNull("the host reads [PlatformContribution] to match the contribution to its platform");
        metadata!.Name.Should().Be(ExampleAttention.BackendName);
        metadata.Extends.Should().Be("EXTENDS_PLATFORM");
    }

    [Fact]
    public void Paged_attention_matches_the_cpu_reference()
    {
        using var device = HostCompute.OpenDevice();
        using var backend = new ExampleAttention().CreateBackend(new AttentionBackendContext(device));

        var results = DeviceConformance.Check(backend, device, [ElementType.Float32], seed: Environment.TickCount);

        results.Select(r => r.Operation).Should().Contain([OperationKind.PrefillAttention, OperationKind.DecodeAttention]);
        results.Where(r => !r.Passed).Select(r => r.Message).Should().BeEmpty();
    }
#if (extendsCpu)

    [Fact]
    public void The_tiny_model_generates_the_platforms_own_tokens_through_the_backend()
    {
        var request = new GenerationRequest("The platform is", 24);
        using var root = new FakeSystemRoot().WithCpuInfo("Test CPU", 4).WithMemInfo(8L << 30, 4L << 30);
        var plain = Engine.Generate(new ServerArgs { MaxTotalTokens = 128 }, request, Cpu(root));
        var extended = Cpu(root);
        PlatformContributions.Register(extended, new PlatformContributions(
            [new ContributedPart<AttentionBackendContribution>(ExampleAttention.BackendName, 1, "test", new ExampleAttention())], [], []));

        var through = Engine.Generate(new ServerArgs { MaxTotalTokens = 128 }, request, extended);

        through.Plan.AttentionBackend.Should().Be(ExampleAttention.BackendName);
        through.OutputTokenIds.Should().Equal(plain.OutputTokenIds);
    }

    private static CpuPlatform Cpu(FakeSystemRoot root)
    {
        var platform = new CpuPlatform();
        platform.Probe(new ProbeContext(root.View()));
        return platform;
    }
#endif
}
