using Sgl.Platforms;
using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Diffusion;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;
using Sgl.Runtime.Entrypoints;

namespace Sgl.Diffusion.Tests;

/// <summary>Each runtime uses only its own part of the shared Platform contract.</summary>
public sealed class RuntimeSeparationTests : IDisposable
{
    private static readonly string[] ServingOnly = ["CreateKvPool", "ApplyServerArgsDefaults", "CreateGraphRunner", "CreateCommunicator"];

    private static readonly string[] DiffusionOnly = ["ApplyDiffusionArgsDefaults", "SelectAttentionBackend"];

    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon 9000", 4).WithMemInfo(8L << 30, 4L << 30);
    private readonly CpuPlatform _cpu = new();

    public RuntimeSeparationTests() => _cpu.Probe(new ProbeContext(_root.View()));

    [Fact]
    public void The_diffusion_runtime_never_calls_serving_only_members()
    {
        var mock = Mock();
        using (CurrentPlatform.Override(mock))
        {
            DiffusionPipeline.Generate(new DiffusionArgs { Steps = 2, Width = 16, Height = 16 });
        }

        mock.Calls.Should().Contain(["ApplyDiffusionArgsDefaults", "SelectAttentionBackend", "OpenDevice", "GetAttentionBackends"]);
        mock.Calls.Should().NotContain(ServingOnly);
    }

    [Fact]
    public void The_serving_runtime_never_calls_diffusion_only_members()
    {
        var mock = Mock();
        using (CurrentPlatform.Override(mock))
        {
            Engine.Generate(new ServerArgs { TpSize = 2, MaxTotalTokens = 64 }, new GenerationRequest("hi", 4));
        }

        mock.Calls.Should().Contain(ServingOnly.Append("OpenDevice").Append("GetAttentionBackends"));
        mock.Calls.Should().NotContain(DiffusionOnly);
    }

    public void Dispose() => _root.Dispose();

    /// <summary>A recording platform that borrows the cpu platform's real parts, so both runtimes run to the end.</summary>
    private MockPlatform Mock()
    {
        var mock = new MockPlatform("recorder")
        {
            CapabilitiesFactory = _ => new PlatformCapabilities { MaxLocalRanks = 2, GraphCapture = true },
            DeviceIndexOfRank = _ => 0,
            DeviceFactory = (rank, _) => _cpu.OpenDevice(rank, 0),
            AttentionBackends = _cpu.GetAttentionBackends(),
            DefaultAttentionBackendName = CpuPlatform.AttentionBackendName,
            CommunicatorFactory = _cpu.Serving.CreateCommunicator,
        };
        mock.Probe(new ProbeContext(_root.View()));
        mock.ClearCalls();
        return mock;
    }
}
