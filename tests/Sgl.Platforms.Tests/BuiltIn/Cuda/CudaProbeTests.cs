using System.Runtime.InteropServices;
using Sgl.Platforms.BuiltIn.Cuda;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Platforms.Tests.BuiltIn.Cuda;

[Collection(NativeCudaTests.Name)]
public sealed class CudaProbeTests(CudaShims shims)
{
    private const string MissingLibrary = "/nonexistent/sgl-tests/libnvidia-ml.so.1";

    [Fact]
    public void Nvml_devices_are_reported_with_every_field()
    {
        var nvml = shims.Nvml.PathOrSkip();
        using var env = NativeEnvironment.Set(("NVML_SHIM_DEVICE_COUNT", "2"), ("NVML_SHIM_MEMORY_TOTAL", "85899345920"));
        using var root = new FakeSystemRoot();

        var result = new CudaPlatform(nvml).Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Available, result.Reason);
        result.Devices.Should().HaveCount(2);
        var first = result.Devices[0];
        first.Index.Should().Be(0);
        first.Name.Should().Be("NVIDIA H100 80GB HBM3");
        first.MemoryBytes.Should().Be(85899345920);
        first.Capability.Should().Be("9.0");
        first.Uuid.Should().Be("GPU-5e1f0c2a-0000-0000-0000-000000000000");
        first.PciBusId.Should().Be("0000:3b:00.0");
        first.DriverVersion.Should().Be("550.54.15");
        result.Devices[1].PciBusId.Should().Be("0000:3c:00.0");
        result.Reason.Should().Contain("550.54.15");
    }

    [Fact]
    public void Capability_and_free_memory_come_from_nvml()
    {
        var nvml = shims.Nvml.PathOrSkip();
        using var env = NativeEnvironment.Set(("NVML_SHIM_CC", "8.6"), ("NVML_SHIM_MEMORY_FREE", "1234567890"));
        using var root = new FakeSystemRoot();
        var platform = new CudaPlatform(nvml);

        platform.Probe(new ProbeContext(root.View()));

        platform.GetDeviceCapability(0).Should().Be(new DeviceCapability(8, 6));
        platform.GetFreeMemory(0).Should().Be(1234567890);
        platform.GetTotalMemory(0).Should().Be(85520809984);
    }

    [Fact]
    public void Cuda_visible_devices_selects_and_renumbers_devices()
    {
        var nvml = shims.Nvml.PathOrSkip();
        using var env = NativeEnvironment.Set(("NVML_SHIM_DEVICE_COUNT", "4"));
        using var root = new FakeSystemRoot();
        var view = root.View(new Dictionary<string, string> { ["CUDA_VISIBLE_DEVICES"] = "2,GPU-5e1f0c2a-0000-0000-0000-000000000000" });

        var result = new CudaPlatform(nvml).Probe(new ProbeContext(view));

        result.Status.Should().Be(ProbeStatus.Available, result.Reason);
        result.Devices.Select(d => (d.Index, d.PciBusId)).Should().Equal((0, "0000:3d:00.0"), (1, "0000:3b:00.0"));
        result.Reason.Should().Contain("CUDA_VISIBLE_DEVICES=2,GPU-");
    }

    [Fact]
    public void An_empty_cuda_visible_devices_hides_every_gpu_and_says_so()
    {
        var nvml = shims.Nvml.PathOrSkip();
        using var root = new FakeSystemRoot();
        var view = root.View(new Dictionary<string, string> { ["CUDA_VISIBLE_DEVICES"] = "" });

        var result = new CudaPlatform(nvml).Probe(new ProbeContext(view));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("CUDA_VISIBLE_DEVICES=''").And.Contain("hides all 1 NVIDIA GPU");
    }

    [Fact]
    public void Nvml_init_failure_with_an_nvidia_pci_device_is_unavailable_with_the_nvml_error()
    {
        var nvml = shims.Nvml.PathOrSkip();
        using var env = NativeEnvironment.Set(("NVML_SHIM_INIT_RESULT", "9"));
        using var root = new FakeSystemRoot().WithPciDevice(0x10de, 0x2330, 0x030200, driver: "nvidia", address: "0000:3b:00.0");

        var result = new CudaPlatform(nvml).Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("0000:3b:00.0").And.Contain("Driver Not Loaded (NVML error 9)").And.Contain("nvidia-smi");
    }

    [Fact]
    public void Nvml_init_failure_without_any_nvidia_hardware_is_not_present()
    {
        var nvml = shims.Nvml.PathOrSkip();
        using var env = NativeEnvironment.Set(("NVML_SHIM_INIT_RESULT", "9"));
        using var root = new FakeSystemRoot();

        var result = new CudaPlatform(nvml).Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.NotPresent);
        result.Reason.Should().Contain("nvmlInit failed");
    }

    [Fact]
    public void Zero_gpus_from_nvml_is_unavailable_when_a_device_node_exists_and_not_present_otherwise()
    {
        var nvml = shims.Nvml.PathOrSkip();
        using var env = NativeEnvironment.Set(("NVML_SHIM_DEVICE_COUNT", "0"));
        using var withNode = new FakeSystemRoot().WithDeviceNode("nvidia0").WithDeviceNode("nvidiactl");
        using var empty = new FakeSystemRoot();

        var unavailable = new CudaPlatform(nvml).Probe(new ProbeContext(withNode.View()));
        var notPresent = new CudaPlatform(nvml).Probe(new ProbeContext(empty.View()));

        unavailable.Status.Should().Be(ProbeStatus.Unavailable);
        unavailable.Reason.Should().Contain("/dev/nvidia0").And.Contain("NVML reports 0 GPUs").And.NotContain("nvidiactl");
        notPresent.Status.Should().Be(ProbeStatus.NotPresent);
    }

    [Fact]
    public void The_probe_never_maps_libcuda()
    {
        var nvml = shims.Nvml.PathOrSkip();
        using var root = new FakeSystemRoot();
        var before = LibcudaMappings();

        var result = new CudaPlatform(nvml).Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Available, result.Reason);
        LibcudaMappings().Should().BeEquivalentTo(before, "the probe must use NVML only and never load libcuda");
    }

    [Fact]
    public void Without_nvml_an_nvidia_pci_device_is_unavailable_and_names_libnvidia_ml()
    {
        if (NativeLibrary.TryLoad("libnvidia-ml.so.1", out var handle))
        {
            NativeLibrary.Free(handle);
            Assert.Skip("libnvidia-ml.so.1 is installed on this machine; this test covers machines without the NVIDIA driver library.");
        }

        using var root = new FakeSystemRoot().WithPciDevice(0x10de, 0x2330, 0x030200, address: "0000:3b:00.0");

        var result = new CudaPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("0000:3b:00.0 [10de:2330]")
            .And.Contain("libnvidia-ml.so.1 could not be loaded")
            .And.Contain("LD_LIBRARY_PATH");
    }

    [Fact]
    public void Without_nvml_or_any_nvidia_hardware_the_probe_is_not_present()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x10de, 0x22e8, 0x040300);

        var result = new CudaPlatform(MissingLibrary).Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.NotPresent, "an NVIDIA audio function is not a GPU");
        result.Reason.Should().Contain("vendor 0x10de").And.Contain("/dev/nvidia[0-9]*");
    }

    [Fact]
    public void The_platform_describes_nccl_and_cuda_visible_devices_and_keeps_user_arguments()
    {
        var platform = new CudaPlatform();
        var userArgs = new ServerArgs { DistributedBackend = "gloo" };
        var emptyArgs = new ServerArgs();

        platform.Serving.ApplyServerArgsDefaults(userArgs);
        platform.Serving.ApplyServerArgsDefaults(emptyArgs);

        platform.DistributedBackend.Should().Be("nccl");
        platform.DeviceVisibilityEnvironmentVariable.Should().Be("CUDA_VISIBLE_DEVICES");
        userArgs.DistributedBackend.Should().Be("gloo");
        emptyArgs.DistributedBackend.Should().Be("nccl");
        platform.LastProbeResult.Should().BeNull("constructing a platform must not probe");
    }

    private static string[] LibcudaMappings() =>
        File.ReadAllLines("/proc/self/maps").Where(l => l.Contains("libcuda", StringComparison.Ordinal)).ToArray();
}
