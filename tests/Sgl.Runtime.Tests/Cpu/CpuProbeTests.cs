using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Runtime.Tests.Cpu;

public sealed class CpuProbeTests
{
    [Fact]
    public void Probe_reports_one_device_with_model_cores_memory_and_isa_from_proc()
    {
        using var cpu = new FakeCpu(cores: 6, totalBytes: 16L << 30, availableBytes: 5L << 30);

        cpu.Probe.Status.Should().Be(ProbeStatus.Available);
        var device = cpu.Probe.Devices.Should().ContainSingle().Subject;
        device.Name.Should().Be("Fake Xeon 9000");
        device.MemoryBytes.Should().Be(16L << 30);
        device.Capability.Should().Be("sse4_2,avx,avx2,fma,avx512f");
        cpu.Probe.Reason.Should().Contain("6 logical cores").And.Contain("/proc/cpuinfo");
        cpu.Platform.GetFreeMemory(0).Should().Be(5L << 30, "free memory is MemAvailable");
        cpu.Platform.Capabilities.MaxLocalRanks.Should().Be(6);
        cpu.Platform.DistributedBackend.Should().Be("gloo");
    }

    [Fact]
    public void Probe_falls_back_to_the_runtime_and_says_so_when_proc_is_unreadable()
    {
        using var empty = new FakeSystemRoot();
        var platform = new CpuPlatform();

        var result = platform.Probe(new ProbeContext(empty.View()));

        result.Status.Should().Be(ProbeStatus.Available);
        result.Devices.Should().ContainSingle().Which.MemoryBytes.Should().BePositive();
        result.Reason.Should().Contain("unreadable").And.Contain(Environment.ProcessorCount + " logical cores");
        platform.Capabilities.MaxLocalRanks.Should().Be(Environment.ProcessorCount);
    }

    [Fact]
    public void Every_rank_shares_the_host_device()
    {
        using var cpu = new FakeCpu(cores: 4);

        Enumerable.Range(0, 4).Select(cpu.Platform.GetDeviceIndex).Should().AllBeEquivalentTo(0);
    }
}
