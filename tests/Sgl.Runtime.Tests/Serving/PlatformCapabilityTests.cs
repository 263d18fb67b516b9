using Sgl.Platforms;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Testing;
using Sgl.Runtime.Entrypoints;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.Tests.Serving;

public sealed class PlatformCapabilityTests
{
    [Fact]
    public void A_platform_without_a_device_layer_runs_on_the_host_and_says_so_in_one_line()
    {
        var platform = Probed(new MockPlatform("no-kernels"));

        var result = Engine.Generate(new Args { MaxTotalTokens = 32 }, new GenerationRequest("x", 4), platform);

        result.Plan.Compute.Should().Be("host CPU: platform 'no-kernels' has no device layer, so every operation runs on the CPU reference");
        result.Plan.Device.Should().Be("mock device");
        result.Plan.Fallbacks.Should().BeEmpty("on the host nothing falls back: the host is the reference");
        result.OutputTokenIds.Should().HaveCount(4);
        platform.Calls.Should().Contain("OpenDevice");
    }

    [Fact]
    public void An_operation_the_platform_neither_runs_nor_lets_fall_back_is_refused_naming_the_operation_and_the_platform()
    {
        var platform = Probed(new SimulatedDevicePlatform("strict")
        {
            Operations = Enum.GetValues<OperationKind>().Where(k => k != OperationKind.Argmax).ToHashSet(),
            CpuFallback = false,
        });

        var act = () => Engine.Generate(new Args { MaxTotalTokens = 32 }, new GenerationRequest("x", 4), platform);

        var error = act.Should().Throw<PlatformCapabilityException>()
            .WithMessage("Platform 'strict' could not set up the model: Platform 'strict' does not run Argmax(Logits [1, 258] Float32, Output [1, 1] Int32), and platform 'strict' does not allow CPU fallback*").Which;
        error.PlanSoFar!.KvPoolTokens.Should().Be(32, "the plan shows how far the launch got");
    }

    [Fact]
    public void Running_out_of_device_memory_for_the_kv_pool_gives_the_sizes_and_keeps_nothing()
    {
        var platform = Probed(new SimulatedDevicePlatform("small") { MemoryBytes = 4L << 20 });

        var act = () => Engine.Generate(new Args { MaxTotalTokens = 100_000 }, new GenerationRequest("x", 4), platform);

        var error = act.Should().Throw<PlatformCapabilityException>().WithMessage("*A KV pool of 100000 tokens (204800000 bytes over 4 layers of Float32) does not fit*Nothing was kept*--max-total-tokens*").Which;
        error.PlanSoFar!.WeightBytes.Should().BeGreaterThan(0);
        platform.OpenedDevices.Should().ContainSingle().Which.LiveBytes.Should().Be(0, "the runner released the weights and every buffer of the partial pool");
    }

    [Fact]
    public void Tensor_parallelism_on_a_platform_without_a_communicator_is_refused()
    {
        var platform = Probed(new MockPlatform("lonely")
        {
            CapabilitiesFactory = _ => new PlatformCapabilities { MaxLocalRanks = 2 },
            DeviceIndexOfRank = _ => 0,
            DeviceFactory = (rank, _) => HostCompute.OpenDevice(rank),
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

    private static T Probed<T>(T platform)
        where T : Platform
    {
        using var root = new FakeSystemRoot();
        platform.Probe(new Sgl.Platforms.Probing.ProbeContext(root.View()));
        return platform;
    }
}
