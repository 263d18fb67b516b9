using System.Runtime.InteropServices;
using Sgl.Platforms.BuiltIn.Cuda;
using Sgl.Platforms.ExtensionPoints;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Tests.BuiltIn.Cuda;

/// <summary>The cuda platform on a real NVIDIA GPU; skipped where none is present.</summary>
[Collection(NativeCudaTests.Name)]
[Trait("Category", "Gpu")]
public sealed class CudaGpuTests
{
    [Fact]
    public void The_probe_finds_the_gpus_nvml_reports()
    {
        var platform = new CudaPlatform();

        var result = RequireGpu(platform);

        result.Devices.Should().NotBeEmpty();
        result.Devices.Should().OnlyContain(d => d.MemoryBytes > 0 && d.Capability != null && d.Uuid!.StartsWith("GPU-") && d.PciBusId != null);
        platform.GetDeviceCapability(0)!.Value.Major.Should().BeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public void Device_zero_initialises_and_a_pool_sized_from_free_memory_round_trips()
    {
        var platform = new CudaPlatform();
        RequireGpu(platform);

        platform.InitializeDevice(rank: 0, localRank: 0);
        var free = platform.GetFreeMemory(0);
        var request = new KvPoolRequest(LayerCount: 4, KvHeadCount: 8, HeadDim: 128, KvCacheDataType.BFloat16) { MemFractionStatic = 0.02 };
        using var pool = platform.CreateKvPool(request);
        var slots = pool.Allocate(2);
        var key = Enumerable.Range(0, 8 * 128).Select(i => (float)(i % 64)).ToArray();
        var value = key.Select(k => -k).ToArray();
        pool.Write(3, slots[1], key, value);
        var keyBack = new float[key.Length];
        var valueBack = new float[value.Length];
        pool.Read(3, slots[1], keyBack, valueBack);

        free.Should().BeGreaterThan(0);
        pool.Capacity.Should().Be((int)Math.Floor(free * 0.02 / request.BytesPerToken));
        keyBack.Should().Equal(key, "small integers are exact in bfloat16");
        valueBack.Should().Equal(value);
        platform.GetFreeMemory(0).Should().BeLessThan(free, "the pool's buffers live in device memory");
    }

    private static ProbeResult RequireGpu(CudaPlatform platform)
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var handle))
        {
            Assert.Skip("No NVIDIA GPU here: libcuda.so.1 is not loadable.");
        }

        NativeLibrary.Free(handle);
        var result = platform.Probe(new ProbeContext(SystemView.Host));
        if (result.Status != ProbeStatus.Available)
        {
            Assert.Skip($"No usable NVIDIA GPU here: {result.Reason}");
        }

        return result;
    }
}
