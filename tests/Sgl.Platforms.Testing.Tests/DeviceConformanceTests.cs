using System.Runtime.InteropServices;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Testing.Tests;

public sealed class DeviceConformanceTests
{
    // Measured once; before the seed was made stable it differed in every process.
    private const double KnownTransposeBugErrorAtSeed7 = 1.50875947;

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

    [Fact]
    public void A_reduced_precision_argmax_that_keeps_the_lowest_index_of_a_rounded_tie_passes_for_every_seed()
    {
        // Two logits a hair apart in float32 round to one bfloat16 value; the contract's argmax then answers the
        // lower index, and the reference must see the same rounded numbers to agree.
        var platform = new SimulatedDevicePlatform();
        platform.Probe(new ProbeContext(new SystemView("/")));
        using var device = new BFloat16ArgmaxDevice(platform);

        var failures = Enumerable.Range(0, 64)
            .Select(seed => DeviceConformance.Check(device, [OperationKind.Argmax], [ElementType.BFloat16], seed).Single())
            .Where(r => !r.Passed)
            .Select(r => r.Message)
            .ToList();

        failures.Should().BeEmpty();
    }

    [Fact]
    public void The_same_seed_gives_the_same_inputs_in_every_process()
    {
        var platform = new SimulatedDevicePlatform();
        platform.Probe(new ProbeContext(new SystemView("/")));
        using var device = new TransposeBugDevice(platform);

        // The error of a wrong kernel is a function of the inputs alone: a seed that failed once reproduces.
        var error = DeviceConformance.Check(device, [OperationKind.MatMul], [ElementType.Float32], seed: 7).Single().RelativeError;

        error.Should().BeApproximately(KnownTransposeBugErrorAtSeed7, 1e-6);
    }

    [Theory]
    [InlineData(ElementType.Float32, 1e-4)]
    [InlineData(ElementType.Float16, 5e-3)]
    [InlineData(ElementType.BFloat16, 2e-2)]
    public void Tolerances_are_the_documented_ones(ElementType elementType, double tolerance) =>
        DeviceConformance.Tolerance(elementType).Should().Be(tolerance);

    /// <summary>A device whose buffers are managed byte arrays; subclasses supply one operation.</summary>
    private abstract class ArrayDevice(Platform platform, string name) : ComputeDevice(platform, 0, name)
    {
        public override DeviceQueue Queue { get; } = null!;

        protected static Span<byte> BytesOf(DeviceBuffer buffer) => ((ArrayBuffer)buffer.Root).Bytes.AsSpan((int)buffer.ByteOffset, (int)buffer.SizeBytes);

        protected override DeviceBuffer AllocateCore(ElementType elementType, TensorShape shape) => new ArrayBuffer(this, elementType, shape);

        protected override void CopyToDeviceCore(ReadOnlySpan<byte> source, DeviceBuffer destination, long byteOffset) =>
            source.CopyTo(((ArrayBuffer)destination.Root).Bytes.AsSpan((int)(destination.ByteOffset + byteOffset)));

        protected override void CopyToHostCore(DeviceBuffer source, long byteOffset, Span<byte> destination) =>
            ((ArrayBuffer)source.Root).Bytes.AsSpan((int)(source.ByteOffset + byteOffset), destination.Length).CopyTo(destination);

        private sealed class ArrayBuffer(ComputeDevice device, ElementType elementType, TensorShape shape) : DeviceBuffer(device, elementType, shape)
        {
            public byte[] Bytes { get; } = new byte[shape.ElementCount * ElementTypes.SizeOf(elementType)];

            protected override void Release()
            {
            }
        }
    }

    /// <summary>An argmax over bfloat16 logits as the contract defines it: the lowest index of the maximum.</summary>
    private sealed class BFloat16ArgmaxDevice(Platform platform) : ArrayDevice(platform, "bfloat16 argmax")
    {
        public override bool Supports(DeviceOperation operation) => operation is ArgmaxOperation { Logits.ElementType: ElementType.BFloat16 };

        protected override void ExecuteCore(DeviceOperation operation)
        {
            var o = (ArgmaxOperation)operation;
            var logits = MemoryMarshal.Cast<byte, ushort>(BytesOf(o.Logits));
            var output = MemoryMarshal.Cast<byte, int>(BytesOf(o.Output));
            var (rows, vocabulary) = (o.Logits.Shape.Rows, o.Logits.Shape.Columns);
            for (var r = 0; r < rows; r++)
            {
                var best = 0;
                var bestValue = ElementCodec.FromBFloat16(logits[r * vocabulary]);
                for (var i = 1; i < vocabulary && !float.IsNaN(bestValue); i++)
                {
                    var value = ElementCodec.FromBFloat16(logits[r * vocabulary + i]);
                    if (float.IsNaN(value) || value > bestValue)
                    {
                        (best, bestValue) = (i, value);
                    }
                }

                output[r] = best;
            }
        }
    }

    /// <summary>A device whose matrix product computes x·W instead of x·Wᵀ, the classic layout slip.</summary>
    private sealed class TransposeBugDevice(Platform platform) : ArrayDevice(platform, "transpose bug")
    {
        public override bool Supports(DeviceOperation operation) => operation is MatMulOperation;

        protected override void ExecuteCore(DeviceOperation operation)
        {
            var o = (MatMulOperation)operation;
            var x = MemoryMarshal.Cast<byte, float>(BytesOf(o.Input));
            var w = MemoryMarshal.Cast<byte, float>(BytesOf(o.Weight));
            var y = MemoryMarshal.Cast<byte, float>(BytesOf(o.Output));
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
    }
}
