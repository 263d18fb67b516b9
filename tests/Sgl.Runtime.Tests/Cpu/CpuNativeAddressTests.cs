using System.Runtime.InteropServices;
using Sgl.Platforms.Devices;

namespace Sgl.Runtime.Tests.Cpu;

/// <summary>Contract 1.1: a contribution's kernel reaches cpu buffers in place through their native address.</summary>
public sealed class CpuNativeAddressTests
{
    [Fact]
    public void A_cpu_buffer_and_its_slices_expose_host_addresses_that_read_and_write_the_buffer_in_place()
    {
        using var cpu = new FakeCpu();
        using var device = cpu.Platform.OpenDevice(0, 0)!;
        using var buffer = device.Allocate(ElementType.Float32, new TensorShape(4, 2));
        device.CopyToDevice<float>([1, 2, 3, 4, 5, 6, 7, 8], buffer);

        buffer.TryGetNativeAddress(out var whole).Should().BeTrue();
        whole.Kind.Should().Be(NativeMemoryKind.Host);
        buffer.Slice(2, 1).TryGetNativeAddress(out var third).Should().BeTrue();
        (third.Address - whole.Address).Should().Be(2 * 2 * sizeof(float));

        var read = new float[2];
        Marshal.Copy(third.Address, read, 0, 2);
        read.Should().Equal(5, 6);
        Marshal.Copy(new float[] { -5, -6 }, 0, third.Address, 2);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var after = new float[8];
        device.CopyToHost<float>(buffer, after);
        after.Should().Equal(1, 2, 3, 4, -5, -6, 7, 8);
        buffer.TryGetNativeAddress(out var again).Should().BeTrue();
        again.Address.Should().Be(whole.Address, "the array is pinned: a compacting collection does not move it");
    }

    [Fact]
    public void A_disposed_buffer_has_no_address()
    {
        using var cpu = new FakeCpu();
        using var device = cpu.Platform.OpenDevice(0, 0)!;
        var buffer = device.Allocate(ElementType.Int32, new TensorShape(1, 4));
        buffer.Dispose();

        buffer.TryGetNativeAddress(out _).Should().BeFalse();
    }
}
