using Sgl.Platforms.BuiltIn.Rocm;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Platforms.Tests.BuiltIn.Rocm;

public sealed class RocmProbeTests
{
    private static readonly Dictionary<string, long> CpuNode = new() { ["cpu_cores_count"] = 64, ["simd_count"] = 0 };

    // An MI300X as KFD describes it: gfx942, PCI 0000:c1:00.0 (bus 0xc1, devfn 0 -> location_id 0xc100).
    private static readonly Dictionary<string, long> Mi300Node = new()
    {
        ["cpu_cores_count"] = 0,
        ["simd_count"] = 1216,
        ["gfx_target_version"] = 90402,
        ["vendor_id"] = 0x1002,
        ["device_id"] = 0x74a1,
        ["location_id"] = 0xc100,
        ["domain"] = 0,
        ["unique_id"] = 0x1f2e3d4c5b6a7988,
    };

    [Fact]
    public void Kfd_gpu_nodes_with_dev_kfd_are_available_with_target_memory_and_pci_address()
    {
        using var root = MachineWithMi300()
            .WithFile("sys/class/kfd/kfd/topology/nodes/1/mem_banks/0/properties", "heap_type 1\nsize_in_bytes 206141652992\n")
            .WithFile("sys/module/amdgpu/version", "6.8.5\n")
            .WithDeviceNode("kfd");

        var result = new RocmPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Available, result.Reason);
        var gpu = result.Devices.Should().ContainSingle("the CPU node is not a GPU").Subject;
        gpu.Index.Should().Be(0);
        gpu.Capability.Should().Be("gfx942");
        gpu.Name.Should().Be("AMD GPU gfx942 [1002:74a1]");
        gpu.MemoryBytes.Should().Be(206141652992);
        gpu.PciBusId.Should().Be("0000:c1:00.0");
        gpu.Uuid.Should().Be("GPU-1f2e3d4c5b6a7988");
        gpu.DriverVersion.Should().Be("6.8.5");
    }

    [Fact]
    public void Gfx_targets_with_letter_steppings_and_two_digit_majors_are_named_like_rocm_names_them()
    {
        using var root = new FakeSystemRoot()
            .WithKfdNode(1, new Dictionary<string, long> { ["simd_count"] = 440, ["gfx_target_version"] = 90010 })
            .WithKfdNode(2, new Dictionary<string, long> { ["simd_count"] = 192, ["gfx_target_version"] = 110000 })
            .WithDeviceNode("kfd");

        var result = new RocmPlatform().Probe(new ProbeContext(root.View()));

        result.Devices.Select(d => d.Capability).Should().Equal("gfx90a", "gfx1100");
    }

    [Fact]
    public void Gpu_nodes_without_dev_kfd_are_unavailable_and_say_how_to_pass_it_in()
    {
        using var root = MachineWithMi300();

        var result = new RocmPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("/dev/kfd is missing").And.Contain("--device=/dev/kfd").And.Contain("0000:c1:00.0");
        result.Devices.Should().ContainSingle("the GPU was seen even though it is unusable");
    }

    [Fact]
    public void A_zero_gpu_id_marks_a_cpu_node_even_with_simds()
    {
        using var root = new FakeSystemRoot()
            .WithKfdNode(0, new Dictionary<string, long> { ["simd_count"] = 8 })
            .WithFile("sys/class/kfd/kfd/topology/nodes/0/gpu_id", "0\n")
            .WithDeviceNode("kfd");

        var result = new RocmPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.NotPresent);
    }

    [Fact]
    public void An_amd_gpu_without_amdgpu_bound_is_unavailable_and_names_the_driver_to_load()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x1002, 0x74a1, 0x038000, address: "0000:c1:00.0");

        var result = new RocmPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("0000:c1:00.0 [1002:74a1] driver none").And.Contain("modprobe amdgpu");
    }

    [Fact]
    public void An_amd_gpu_with_amdgpu_but_no_kfd_nodes_is_unavailable()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x1002, 0x7480, 0x030000, driver: "amdgpu");

        var result = new RocmPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("exposes no compute node").And.Contain("/sys/class/kfd/kfd/topology/nodes");
    }

    [Fact]
    public void A_machine_without_amd_hardware_is_not_present()
    {
        using var root = new FakeSystemRoot().WithKfdNode(0, CpuNode).WithPciDevice(0x1002, 0x1479, 0x060400);

        var result = new RocmPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.NotPresent, "a PCI bridge from AMD is not a GPU");
        result.Reason.Should().Contain("vendor 0x1002");
    }

    [Fact]
    public void Rocm_uses_the_cuda_device_type_rccl_and_hip_visible_devices()
    {
        var platform = new RocmPlatform();
        var args = new ServerArgs();

        platform.Serving.ApplyServerArgsDefaults(args);

        platform.IsCudaAlike.Should().BeTrue();
        platform.DistributedBackend.Should().Be("rccl");
        platform.DeviceVisibilityEnvironmentVariable.Should().Be("HIP_VISIBLE_DEVICES");
        args.DistributedBackend.Should().Be("rccl");
    }

    private static FakeSystemRoot MachineWithMi300() =>
        new FakeSystemRoot()
            .WithKfdNode(0, CpuNode)
            .WithKfdNode(1, Mi300Node)
            .WithFile("sys/class/kfd/kfd/topology/nodes/1/gpu_id", "53510\n")
            .WithPciDevice(0x1002, 0x74a1, 0x120000, driver: "amdgpu", address: "0000:c1:00.0");
}
