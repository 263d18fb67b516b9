using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.Diffusion;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Diffusion.Tests;

public sealed class DiffusionPipelineTests : IDisposable
{
    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon 9000", 4).WithMemInfo(8L << 30, 4L << 30);
    private readonly CpuPlatform _cpu = new();

    public DiffusionPipelineTests() => _cpu.Probe(new ProbeContext(_root.View()));

    [Fact]
    public void The_same_seed_gives_identical_png_bytes_and_another_seed_a_different_image()
    {
        var first = DiffusionPipeline.Generate(new DiffusionArgs { Seed = 7, Steps = 5 }, _cpu);
        var again = DiffusionPipeline.Generate(new DiffusionArgs { Seed = 7, Steps = 5 }, _cpu);
        var other = DiffusionPipeline.Generate(new DiffusionArgs { Seed = 8, Steps = 5 }, _cpu);

        again.Png.Should().Equal(first.Png);
        other.Png.Should().NotEqual(first.Png);
    }

    [Fact]
    public void The_image_decodes_with_the_requested_size_and_is_not_flat()
    {
        var result = DiffusionPipeline.Generate(new DiffusionArgs { Width = 48, Height = 32, Steps = 4 }, _cpu);

        var image = PngFile.Read(result.Png);
        image.Width.Should().Be(48);
        image.Height.Should().Be(32);
        image.Rgb.Distinct().Should().HaveCountGreaterThan(16);
        result.AttentionBackend.Should().Be("simd");
        result.Compute.Should().Be("cpu:0 (Fake Xeon 9000)");
        result.Fallbacks.Should().BeEmpty();
        result.Platform.Should().Be("cpu");
        result.Device.Should().Be("Fake Xeon 9000");
    }

    [Theory]
    [InlineData(0, 64, "--steps must be between 1 and 1000*")]
    [InlineData(5, 30, "--width must be a multiple of 4 between 4 and 256; got 30.")]
    [InlineData(5, 512, "--width must be a multiple of 4 between 4 and 256; got 512.")]
    public void Out_of_range_arguments_are_refused(int steps, int width, string message)
    {
        var act = () => DiffusionPipeline.Generate(new DiffusionArgs { Steps = steps, Width = width }, _cpu);

        act.Should().Throw<InvalidDiffusionArgsException>().WithMessage(message);
    }

    [Fact]
    public void An_attention_backend_the_platform_lacks_is_refused_with_what_it_has()
    {
        var act = () => DiffusionPipeline.Generate(new DiffusionArgs { AttentionBackend = "flash_attn" }, _cpu);

        act.Should().Throw<InvalidDiffusionArgsException>().WithMessage("Attention backend 'flash_attn' (chosen by platform 'cpu') is not offered; platform 'cpu' has: simd.");
    }

    [Fact]
    public void The_denoiser_runs_on_a_device_the_runtime_cannot_read_and_draws_the_same_image()
    {
        var simulated = new SimulatedDevicePlatform();
        simulated.Probe(new ProbeContext(_root.View()));
        var bare = new SimulatedDevicePlatform("bare") { Operations = new HashSet<Sgl.Platforms.Devices.OperationKind>() };
        bare.Probe(new ProbeContext(_root.View()));

        var onCpu = DiffusionPipeline.Generate(new DiffusionArgs { Seed = 3, Steps = 4 }, _cpu);
        var onDevice = DiffusionPipeline.Generate(new DiffusionArgs { Seed = 3, Steps = 4 }, simulated);
        var fellBack = DiffusionPipeline.Generate(new DiffusionArgs { Seed = 3, Steps = 4 }, bare);

        onDevice.Png.Should().Equal(onCpu.Png);
        onDevice.Compute.Should().Be("simulated:0 (simulated accelerator)");
        onDevice.AttentionBackend.Should().Be("none", "the simulated platform offers no named backend; its device runs attention");
        simulated.OpenedDevices.Single().OperationsRun.Should().BeGreaterThan(4 * 12, "every denoising step's operations ran on the device");
        fellBack.Png.Should().Equal(onCpu.Png);
        fellBack.Fallbacks.Should().BeEquivalentTo(["EmbeddingGather", "MatMul", "Add", "SiluMul", "Attention"]);
    }

    public void Dispose() => _root.Dispose();
}
