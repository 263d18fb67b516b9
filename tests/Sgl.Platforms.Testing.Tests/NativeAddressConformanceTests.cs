using System.Runtime.InteropServices;
using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Testing.Tests;

/// <summary>The kit's check of native addresses (contract 1.1), on devices that keep and that break the promise.</summary>
public sealed class NativeAddressConformanceTests
{
    [Fact]
    public void The_cpu_device_exposes_pinned_host_memory_that_holds_the_buffer()
    {
        using var root = new FakeSystemRoot().WithCpuInfo("reference", 2).WithMemInfo(8L << 30, 4L << 30);
        var cpu = new CpuPlatform();
        cpu.Probe(new ProbeContext(root.View()));
        using var device = cpu.OpenDevice(0, 0)!;

        DeviceConformance.CheckNativeAddresses(device, ElementType.Float32).Should().BeEmpty();
    }

    [Fact]
    public void A_device_that_keeps_its_memory_to_itself_passes()
    {
        var platform = new SimulatedDevicePlatform();
        platform.Probe(new ProbeContext(new SystemView("/")));
        using var device = platform.OpenDevice(0, 0)!;

        DeviceConformance.CheckNativeAddresses(device, ElementType.Float32).Should().BeEmpty();
    }

    [Fact]
    public void An_address_of_other_memory_is_named()
    {
        using var device = new LyingDevice(LyingDevice.Lie.OtherMemory);

        DeviceConformance.CheckNativeAddresses(device, ElementType.Float32).Should().ContainSingle()
            .Which.Should().Contain("the bytes there are not the buffer's");
    }

    [Fact]
    public void An_address_that_moves_is_named()
    {
        using var device = new LyingDevice(LyingDevice.Lie.Moving);

        DeviceConformance.CheckNativeAddresses(device, ElementType.Float32).Should().ContainSingle()
            .Which.Should().Contain("must stay valid until the buffer is disposed");
    }

    /// <summary>A host device whose buffers report the address of a staging copy, or a new address on every call.</summary>
    private sealed class LyingDevice(LyingDevice.Lie lie) : ComputeDevice(new MockPlatform("liar"), 0, "liar")
    {
        public enum Lie
        {
            OtherMemory,
            Moving,
        }

        public override DeviceQueue Queue => new NoQueue(this);

        protected override DeviceBuffer AllocateCore(ElementType elementType, TensorShape shape) => new Buffer(this, elementType, shape, lie);

        protected override void CopyToDeviceCore(ReadOnlySpan<byte> source, DeviceBuffer destination, long byteOffset) =>
            source.CopyTo(((Buffer)destination.Root).Memory.AsSpan((int)byteOffset));

        protected override void CopyToHostCore(DeviceBuffer source, long byteOffset, Span<byte> destination) =>
            ((Buffer)source.Root).Memory.AsSpan((int)byteOffset, destination.Length).CopyTo(destination);

        protected override void ExecuteCore(DeviceOperation operation) => throw new NotSupportedException();

        private sealed class NoQueue(ComputeDevice device) : DeviceQueue(device)
        {
            public override void Synchronize()
            {
            }
        }

        private sealed class Buffer(ComputeDevice device, ElementType elementType, TensorShape shape, Lie lie) : DeviceBuffer(device, elementType, shape)
        {
            private readonly byte[] _staging = GC.AllocateArray<byte>((int)(shape.ElementCount * ElementTypes.SizeOf(elementType)), pinned: true);
            private int _calls;

            public byte[] Memory { get; } = GC.AllocateArray<byte>((int)(shape.ElementCount * ElementTypes.SizeOf(elementType)), pinned: true);

            protected override void Release()
            {
            }

            protected override bool TryGetNativeAddressCore(out NativeAddress address)
            {
                var target = lie == Lie.OtherMemory ? _staging : Memory;
                var offset = lie == Lie.Moving ? ++_calls * 4 : 0;
                address = new NativeAddress(Marshal.UnsafeAddrOfPinnedArrayElement(target, 0) + offset, NativeMemoryKind.Host);
                return true;
            }
        }
    }
}
