using System.Runtime.InteropServices;
using Sgl.Platforms.BuiltIn.Cuda;
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

    /// <summary>
    /// Measured on an H100 with driver 580: NVML's own init maps libcuda.so.1 without initialising
    /// it, while cuInit opens /dev/nvidiactl, /dev/nvidia-uvm and /dev/nvidia0. So "no CUDA context"
    /// is checked by the device files a process holds, and the same check must see cuInit.
    /// </summary>
    [Fact]
    public void Probing_opens_no_device_file_and_creates_no_cuda_context_while_initialising_does()
    {
        if (OpenNvidiaDeviceFiles().Count > 0)
        {
            Assert.Skip("A CUDA context already exists in this test process; run this test alone (-method *Probing_opens_no_device_file*).");
        }

        var platform = new CudaPlatform();
        RequireGpu(platform);
        var afterProbe = OpenNvidiaDeviceFiles();
        CudaDriver.TryLoad(CudaDriver.DefaultLibraryName, out var driver, out _).Should().BeTrue();
        driver!.Initialize();
        driver.RetainPrimaryContext(0);
        var afterInit = OpenNvidiaDeviceFiles();

        afterProbe.Should().BeEmpty("the probe uses NVML only and shuts it down, so no device file stays open");
        afterInit.Should().Contain("/dev/nvidia-uvm", "cuInit opens the unified-memory device, so the check above would have seen a context");
    }

    private static List<string> OpenNvidiaDeviceFiles() =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .OfType<string>()
            .Where(target => target.StartsWith("/dev/nvidia", StringComparison.Ordinal))
            .Distinct()
            .ToList();

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
