using System.Runtime.InteropServices;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Testing.Tests;

public sealed class DeviceConformanceTests
{
    [Fact]
    public void Every_operation_of_the_simulated_accelerator_matches_the_cpu_reference()
    {
        var platform = new SimulatedDevicePlatform();
        platform.Probe(new ProbeContext(new SystemView("/")));
        using var device = platform.OpenDevice(0, 0)!;

        var results = DeviceConformance.Check(device, Enum.GetValues<OperationKind>(), [ElementType.Float32], seed: 7);

        results.Select(r => r.Operation).Should().BeEquivalentTo(Enum.GetValues<OperationKind>().Where(k => k != OperationKind.AllReduce));
        results.Should().OnlyContain(r => r.Passed, string.Join("\n", results.Where(r => !r.Passed).Select(r => r.Message)));
    }

    [Fact]
    public void A_matrix_product_that_forgets_the_transpose_fails_with_the_operands_and_the_error()
    {
        var platform = new SimulatedDevicePlatform();
        platform.Probe(new ProbeContext(new SystemView("/")));
        using var device = new TransposeBugDevice(platform);

        var result = DeviceConformance.Check(device, [OperationKind.MatMul], [ElementType.Float32], seed: 7).Single();

        result.Passed.Should().BeFalse();
        result.Message.Should().StartWith("MatMul(Input [5, 70] Float32, Weight [33, 70] Float32, Output [5, 33] Float32): relative error")
            .And.Contain("exceeds the Float32 tolerance 1e-4");
    }

    [Theory]
    [InlineData(ElementType.Float32, 1e-4)]
    [InlineData(ElementType.Float16, 5e-3)]
    [InlineData(ElementType.BFloat16, 2e-2)]
    public void Tolerances_are_the_documented_ones(ElementType elementType, double tolerance) =>
        DeviceConformance.Tolerance(elementType).Should().Be(tolerance);

    /// <summary>A device whose matrix product computes x·W instead of x·Wᵀ, the classic layout slip.</summary>
    private sealed class TransposeBugDevice(Platform platform) : ComputeDevice(platform, 0, "transpose bug")
    {
        public override DeviceQueue Queue { get; } = null!;

        public override bool Supports(DeviceOperation operation) => operation is MatMulOperation;

        protected override DeviceBuffer AllocateCore(ElementType elementType, TensorShape shape) => new ArrayBuffer(this, elementType, shape);

        protected override void CopyToDeviceCore(ReadOnlySpan<byte> source, DeviceBuffer destination, long byteOffset) =>
            source.CopyTo(((ArrayBuffer)destination.Root).Bytes.AsSpan((int)(destination.ByteOffset + byteOffset)));

        protected override void CopyToHostCore(DeviceBuffer source, long byteOffset, Span<byte> destination) =>
            ((ArrayBuffer)source.Root).Bytes.AsSpan((int)(source.ByteOffset + byteOffset), destination.Length).CopyTo(destination);

        protected override void ExecuteCore(DeviceOperation operation)
        {
            var o = (MatMulOperation)operation;
            var x = MemoryMarshal.Cast<byte, float>(((ArrayBuffer)o.Input).Bytes.AsSpan());
            var w = MemoryMarshal.Cast<byte, float>(((ArrayBuffer)o.Weight).Bytes.AsSpan());
            var y = MemoryMarshal.Cast<byte, float>(((ArrayBuffer)o.Output).Bytes.AsSpan());
            var (rows, n, k) = (o.Input.Shape.Rows, o.Weight.Shape.Rows, o.Input.Shape.Columns);
            for (var r = 0; r < rows; r++)
            {
                for (var j = 0; j < n; j++)
                {
                    var sum = 0f;
                    for (var i = 0; i < k; i++)
                    {
                        sum += x[r * k + i] * w[i * n + j];
                    }

                    y[r * n + j] = sum;
                }
            }
        }

        private sealed class ArrayBuffer(ComputeDevice device, ElementType elementType, TensorShape shape) : DeviceBuffer(device, elementType, shape)
        {
            public byte[] Bytes { get; } = new byte[shape.ElementCount * ElementTypes.SizeOf(elementType)];

            protected override void Release()
            {
            }
        }
    }
}
