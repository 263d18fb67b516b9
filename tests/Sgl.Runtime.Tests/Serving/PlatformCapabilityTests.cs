using Sgl.Platforms;
using Sgl.Platforms.Testing;
using Sgl.Runtime.Entrypoints;
using Args = Sgl.Platforms.ExtensionPoints.ServerArgs;

namespace Sgl.Runtime.Tests.Serving;

public sealed class PlatformCapabilityTests
{
    [Fact]
    public void A_platform_without_a_kv_pool_gets_as_far_as_device_and_graph_runner_then_says_what_is_missing()
    {
        var platform = Probed(new MockPlatform("gpu-without-pool"));

        var act = () => Engine.Generate(new Args(), new GenerationRequest("x", 4), platform);

        var error = act.Should().Throw<PlatformCapabilityException>().WithMessage("Platform 'gpu-without-pool' could not create the KV pool*").Which;
        error.PlanSoFar!.Device.Should().Be("mock device");
        error.PlanSoFar.GraphRunner.Should().Be("eager");
        error.PlanSoFar.KvPoolLocation.Should().BeNull();
        platform.Calls.Should().ContainInOrder("InitializeDevice", "GetGraphRunnerType", "CreateKvPool");
    }

    [Fact]
    public void A_platform_with_a_kv_pool_but_no_attention_kernels_shows_the_pool_then_says_what_is_missing()
    {
        using var cpu = new FakeCpu();
        var platform = Probed(new MockPlatform("gpu-without-kernels") { KvPoolFactory = cpu.Platform.CreateKvPool });

        var act = () => Engine.Generate(new Args { MaxTotalTokens = 32 }, new GenerationRequest("x", 4), platform);

        var error = act.Should().Throw<PlatformCapabilityException>().WithMessage("Platform 'gpu-without-kernels' offers no attention backend*").Which;
        error.PlanSoFar!.KvPoolTokens.Should().Be(32);
        error.PlanSoFar.AttentionBackend.Should().BeNull();
    }

    [Fact]
    public void Tensor_parallelism_on_a_platform_without_a_communicator_is_refused()
    {
        using var cpu = new FakeCpu();
        var platform = Probed(new MockPlatform("lonely")
        {
            LocalRanks = 2,
            DeviceIndexOfRank = _ => 0,
            KvPoolFactory = cpu.Platform.CreateKvPool,
            AttentionBackends = cpu.Platform.GetAttentionBackends(),
        });

        var act = () => Engine.Generate(new Args { TpSize = 2, MaxTotalTokens = 32 }, new GenerationRequest("x", 4), platform);

        act.Should().Throw<PlatformCapabilityException>().WithMessage("Platform 'lonely' has no device communicator, so --tp-size 2 cannot run on it; use --tp-size 1.");
    }

    [Fact]
    public void Legacy_device_checks_ask_the_current_platform()
    {
        using (CurrentPlatform.Override(new MockPlatform("ascend-like", PlatformEnum.Npu)))
        {
            DeviceChecks.IsNpu().Should().BeTrue();
            DeviceChecks.IsCuda().Should().BeFalse();
            DeviceChecks.IsCpu().Should().BeFalse();
        }

        using var cpu = new FakeCpu();
        using (CurrentPlatform.Override(cpu.Platform))
        {
            DeviceChecks.IsCpu().Should().BeTrue();
            DeviceChecks.IsCudaAlike().Should().BeFalse();
        }
    }

    private static MockPlatform Probed(MockPlatform platform)
    {
        using var root = new FakeSystemRoot();
        platform.Probe(new Sgl.Platforms.Probing.ProbeContext(root.View()));
        return platform;
    }
}
