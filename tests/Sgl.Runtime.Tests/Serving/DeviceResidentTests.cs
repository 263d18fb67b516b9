using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;
using Sgl.Runtime.Entrypoints;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.Tests.Serving;

/// <summary>
/// The runtime on a device whose memory it cannot read (<see cref="SimulatedDevicePlatform"/>): the whole model goes
/// through the contract, a decode step moves 12 bytes, graphs are captured and replayed, and what the device does
/// not run falls back to the CPU reference and is named.
/// </summary>
public sealed class DeviceResidentTests
{
    private static readonly GenerationRequest Request = new("The platform is", 24);

    [Fact]
    public void The_whole_model_runs_on_the_device_and_only_the_position_the_slot_and_the_token_cross_per_step()
    {
        var platform = Probed(new SimulatedDevicePlatform());
        using var cpu = new FakeCpu();

        var result = Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, platform);
        var reference = Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, cpu.Platform);

        result.OutputTokenIds.Should().Equal(reference.OutputTokenIds);
        result.DecodeBytesToDevicePerStep.Should().Be(8, "the step's position and its KV slot, 4 bytes each");
        result.DecodeBytesToHostPerStep.Should().Be(4, "only the sampled token id comes back");
        result.Plan.Fallbacks.Should().BeEmpty();
        result.Plan.Compute.Should().Be("simulated:0 (simulated accelerator)");
        result.Plan.WeightSource.Should().Be("uploaded once from the host");
    }

    [Fact]
    public void A_decode_step_is_captured_once_and_replayed_for_every_token_with_the_same_tokens_as_eager()
    {
        var platform = Probed(new SimulatedDevicePlatform());

        var graphs = Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, platform);
        var eager = Engine.Generate(new Args { MaxTotalTokens = 64, DisableGraphCapture = true }, Request, platform);

        graphs.Plan.GraphRunner.Should().Be("simulated-graph");
        eager.Plan.GraphRunner.Should().Be("eager (graph capture disabled (--disable-graph-capture))");
        graphs.OutputTokenIds.Should().Equal(eager.OutputTokenIds);
        platform.OpenedDevices[0].Replays.Should().Be(graphs.DecodeSteps, "the decode step ran by replay every time, its capture included");
        platform.OpenedDevices[1].Replays.Should().Be(0);
    }

    [Fact]
    public void A_platform_with_no_operations_of_its_own_runs_every_operation_on_the_cpu_reference_and_names_each()
    {
        var platform = Probed(new SimulatedDevicePlatform("bare") { Operations = new HashSet<OperationKind>() });
        using var cpu = new FakeCpu();

        var result = Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, platform);
        var reference = Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, cpu.Platform);

        result.OutputTokenIds.Should().Equal(reference.OutputTokenIds);
        result.Plan.DecodeOperations.Should().OnlyContain(o => o.Placement == "CpuFallback" && o.Runner == "cpu reference");
        result.Plan.Fallbacks.Select(f => f.Operation).Should().BeEquivalentTo(
            ["EmbeddingGather", "RmsNorm", "MatMul", "Rotary", "KvWrite", "DecodeAttention", "SiluMul", "Argmax"]);
        result.Plan.Fallbacks.Should().OnlyContain(f => f.BytesPerStep > 0 && f.MillisecondsPerStep > 0);
        result.Plan.GraphRunner.Should().StartWith("eager (").And.Contain("operation(s) of the step run on the CPU reference");
        platform.OpenedDevices[0].OperationsRun.Should().Be(0, "the device ran nothing itself");
    }

    [Fact]
    public void A_partial_platform_runs_what_it_declares_and_reports_what_each_fallback_costs()
    {
        var platform = Probed(new SimulatedDevicePlatform("partial")
        {
            Operations = Enum.GetValues<OperationKind>().Where(k => k is not (OperationKind.Argmax or OperationKind.Rotary)).ToHashSet(),
        });
        using var cpu = new FakeCpu();

        var result = Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, platform);

        result.OutputTokenIds.Should().Equal(Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, cpu.Platform).OutputTokenIds);
        result.Plan.Fallbacks.Should().BeEquivalentTo(
        [
            new { Operation = "Rotary", PerStep = 4 },
            new { Operation = "Argmax", PerStep = 1 },
        ]);
        var argmax = result.Plan.Fallbacks.Single(f => f.Operation == "Argmax");
        argmax.BytesPerStep.Should().Be(258 * 4 + 4, "the logits come to the host and the token id goes back");
        result.DecodeBytesToHostPerStep.Should().BeGreaterThan(4, "a fallback's copies count as crossings too");
    }

    private static SimulatedDevicePlatform Probed(SimulatedDevicePlatform platform)
    {
        using var root = new FakeSystemRoot();
        platform.Probe(new ProbeContext(root.View()));
        return platform;
    }
}
