using System.Globalization;
using System.Runtime.InteropServices;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Testing;

/// <summary>
/// Checks a device's operations against the CPU reference: each operation runs on fresh random inputs (with the
/// edge cases the contract defines: ids and positions out of range, ties and NaN for argmax, matrix widths that
/// are not a multiple of the vector width) on the device and on the host, and the outputs are compared by relative
/// L2 error within the element type's tolerance.
/// </summary>
/// <remarks>
/// Tolerances (documented in docs/contract.md): Float32 1e-4, Float16 5e-3, BFloat16 2e-2, relative to the
/// reference's norm; Int32 outputs exactly. Inputs are rounded to the element type first, so both sides see the
/// same values (argmax ties then resolve alike, to the lowest index).
/// </remarks>
public static class DeviceConformance
{
    /// <summary>The relative L2 error an operation's output may have in <paramref name="elementType"/>.</summary>
    /// <param name="elementType">A floating-point element type.</param>
    public static double Tolerance(ElementType elementType) => elementType switch
    {
        ElementType.Float32 => 1e-4,
        ElementType.Float16 => 5e-3,
        ElementType.BFloat16 => 2e-2,
        _ => 0,
    };

    /// <summary>Checks every operation kind in <paramref name="kinds"/> in every element type of <paramref name="elementTypes"/>.</summary>
    /// <param name="device">The device under test.</param>
    /// <param name="kinds">The operations to check (those the platform declares); the all-reduce is skipped.</param>
    /// <param name="elementTypes">The floating-point element types to check each in.</param>
    /// <param name="seed">The seed of the random inputs; use a fresh one per run.</param>
    /// <returns>One result per operation kind and element type.</returns>
    public static IReadOnlyList<OperationCheck> Check(ComputeDevice device, IEnumerable<OperationKind> kinds, IEnumerable<ElementType> elementTypes, int seed)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentNullException.ThrowIfNull(elementTypes);
        return CheckAll(device, new Runner(Supports: null, device.Execute), kinds, elementTypes, seed);
    }

    /// <summary>
    /// Checks a contribution's device operations on <paramref name="device"/>: every operation kind they support, in
    /// every element type of <paramref name="elementTypes"/>, against the CPU reference, as <see cref="Check(ComputeDevice, IEnumerable{OperationKind}, IEnumerable{ElementType}, int)"/> checks a device.
    /// </summary>
    /// <param name="operations">What the contribution opened on <paramref name="device"/>.</param>
    /// <param name="device">The device the operations' buffers live on.</param>
    /// <param name="elementTypes">The floating-point element types to check each in.</param>
    /// <param name="seed">The seed of the random inputs.</param>
    /// <returns>One result per supported operation kind and element type; a failed result when they support nothing.</returns>
    public static IReadOnlyList<OperationCheck> Check(IDeviceOperations operations, ComputeDevice device, IEnumerable<ElementType> elementTypes, int seed)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(device);
        return Supported(CheckAll(device, new Runner(operations.Supports, operations.Execute), Enum.GetValues<OperationKind>(), elementTypes, seed), "The device operations");
    }

    /// <summary>Checks an attention backend (a platform's or a contribution's) on <paramref name="device"/>: every attention operation it supports, against the CPU reference.</summary>
    /// <param name="backend">The backend, created on <paramref name="device"/>.</param>
    /// <param name="device">The device the backend's buffers live on.</param>
    /// <param name="elementTypes">The floating-point element types to check each in.</param>
    /// <param name="seed">The seed of the random inputs.</param>
    /// <returns>One result per supported attention kind and element type; a failed result when it supports none.</returns>
    public static IReadOnlyList<OperationCheck> Check(IAttentionBackend backend, ComputeDevice device, IEnumerable<ElementType> elementTypes, int seed)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(device);
        OperationKind[] attention = [OperationKind.PrefillAttention, OperationKind.DecodeAttention, OperationKind.Attention];
        return Supported(CheckAll(device, new Runner(backend.Supports, backend.Execute), attention, elementTypes, seed), $"Attention backend '{backend.Name}'");
    }

    private static List<OperationCheck> Supported(List<OperationCheck> results, string what) =>
        results.Count > 0
            ? results
            : [new OperationCheck(OperationKind.Attention, ElementType.Float32, false, double.NaN, 0, $"{what} supports no operation on this device in the element types checked; nothing was compared with the CPU reference.")];

    private static List<OperationCheck> CheckAll(ComputeDevice device, Runner runner, IEnumerable<OperationKind> kinds, IEnumerable<ElementType> elementTypes, int seed)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentNullException.ThrowIfNull(elementTypes);
        using var host = HostCompute.OpenDevice();
        var results = new List<OperationCheck>();
        foreach (var kind in kinds.Where(k => k != OperationKind.AllReduce).Distinct().Order())
        {
            foreach (var elementType in elementTypes.Where(ElementTypes.IsFloatingPoint).Distinct().Order())
            {
                // Not HashCode.Combine: its hashes differ per process, and a seed that failed must fail again.
                var random = new Random(unchecked((seed * 31 + (int)kind) * 31 + (int)elementType));
                if (CheckOne(device, runner, host, kind, elementType, random) is { } check)
                {
                    results.Add(check);
                }
            }
        }

        return results;
    }

    /// <summary>
    /// Checks what a device promises when it exposes native addresses (contract 1.1; contributions' kernels use them):
    /// an allocation's address is not null, does not move (not after a compacting garbage collection either, which
    /// catches a managed array that is not pinned), and for host memory holds exactly what the device holds. A device
    /// that exposes nothing passes: contributions then decline it.
    /// </summary>
    /// <param name="device">The device, opened.</param>
    /// <param name="elementType">An element type the device stores.</param>
    /// <returns>What is wrong, one message each; empty when the device keeps the promise or exposes nothing.</returns>
    public static IReadOnlyList<string> CheckNativeAddresses(ComputeDevice device, ElementType elementType)
    {
        ArgumentNullException.ThrowIfNull(device);
        var problems = new List<string>();
        using var buffer = device.Allocate(elementType, new TensorShape(4, 64));
        if (!buffer.TryGetNativeAddress(out var first))
        {
            return problems;
        }

        var stored = elementType switch
        {
            ElementType.Float32 => Store(device, buffer, Enumerable.Range(0, (int)buffer.ElementCount).Select(i => i * 0.25f - 3).ToArray()),
            ElementType.Int32 => Store(device, buffer, Enumerable.Range(0, (int)buffer.ElementCount).Select(i => i * 7919 - 5).ToArray()),
            // Float16 and BFloat16 as raw bits, every one a finite number.
            _ => Store(device, buffer, Enumerable.Range(0, (int)buffer.ElementCount).Select(i => (ushort)(i * 37 & 0x3BFF)).ToArray()),
        };
        if (first.Address == 0)
        {
            problems.Add($"{buffer} on {device} reports native address 0; return the allocation's address, or false when the memory is not exposed.");
            return problems;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        if (!buffer.TryGetNativeAddress(out var again) || again.Address != first.Address || again.Kind != first.Kind)
        {
            problems.Add($"{buffer} on {device} reported native address 0x{first.Address:x} ({first.Kind}) and then {(again.Address == 0 ? "none" : $"0x{again.Address:x} ({again.Kind})")} after a garbage collection: the address must stay valid until the buffer is disposed (pin managed memory, for example on the pinned object heap).");
            return problems;
        }

        if (first.Kind == NativeMemoryKind.Host)
        {
            var atAddress = new byte[stored.Length];
            System.Runtime.InteropServices.Marshal.Copy(first.Address, atAddress, 0, atAddress.Length);
            if (!atAddress.AsSpan().SequenceEqual(stored))
            {
                problems.Add($"{buffer} on {device} exposes host address 0x{first.Address:x}, but the bytes there are not the buffer's: a contribution's kernel would read other memory. Return the address of the memory the device computes on.");
            }
        }

        return problems;
    }

    /// <summary>Copies <paramref name="values"/> into <paramref name="buffer"/> and returns the bytes the device gives back.</summary>
    private static byte[] Store<T>(ComputeDevice device, DeviceBuffer buffer, T[] values)
        where T : unmanaged
    {
        device.CopyToDevice<T>(values, buffer);
        device.Queue.Synchronize();
        var back = new T[values.Length];
        device.CopyToHost<T>(buffer, back);
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(back.AsSpan()).ToArray();
    }

    /// <summary>What runs the operations under test: a device (which must run every kind it declares, so no <paramref name="Supports"/>), or a contributed part, which may decline one.</summary>
    private sealed record Runner(Func<DeviceOperation, bool>? Supports, Action<DeviceOperation> Execute);

    /// <summary>The worst variant's result; null when the runner does not support the operation (only contributions may decline).</summary>
    private static OperationCheck? CheckOne(ComputeDevice device, Runner runner, ComputeDevice host, OperationKind kind, ElementType elementType, Random random)
    {
        // A matrix product is checked twice: with rows too short for a vectorised kernel's 16-byte loads, and
        // with rows long enough to need several batches of them and a partial last batch.
        var variants = kind == OperationKind.MatMul ? new[] { 70, 4616 } : [0];
        OperationCheck? worst = null;
        foreach (var variant in variants)
        {
            var check = CheckVariant(device, runner, host, kind, elementType, random, variant);
            if (check is null)
            {
                return null;
            }

            if (!check.Passed || worst is null || check.RelativeError > worst.RelativeError)
            {
                worst = check;
            }

            if (!check.Passed)
            {
                break;
            }
        }

        return worst;
    }

    private static OperationCheck? CheckVariant(ComputeDevice device, Runner runner, ComputeDevice host, OperationKind kind, ElementType elementType, Random random, int variant)
    {
        var device1 = new Operands(device, elementType, elementType);
        var host1 = new Operands(host, ElementType.Float32, elementType);
        try
        {
            var (deviceOp, hostOp, outputs) = Build(kind, device1, host1, random, variant);
            if (runner.Supports is { } supports && !supports(deviceOp))
            {
                return null;
            }

            runner.Execute(deviceOp);
            host.Execute(hostOp);
            var worst = 0.0;
            foreach (var (deviceOut, hostOut) in outputs)
            {
                var error = Compare(device, deviceOut, host, hostOut, elementType, out var problem);
                if (problem is not null)
                {
                    return new OperationCheck(kind, elementType, false, error, Tolerance(elementType), $"{deviceOp}: {problem}");
                }

                worst = Math.Max(worst, error);
            }

            var passed = worst <= Tolerance(elementType);
            return new OperationCheck(kind, elementType, passed, worst, Tolerance(elementType), passed
                ? string.Create(CultureInfo.InvariantCulture, $"{kind} in {elementType}: relative error {worst:0.###e+0} within {Tolerance(elementType):0.#e+0}.")
                : string.Create(CultureInfo.InvariantCulture, $"{deviceOp}: relative error {worst:0.###e+0} against the CPU reference exceeds the {elementType} tolerance {Tolerance(elementType):0.#e+0}."));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new OperationCheck(kind, elementType, false, double.NaN, Tolerance(elementType), $"{kind} in {elementType} threw {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            device1.Dispose();
            host1.Dispose();
        }
    }

    /// <summary>The same operation over random inputs on the device and on the host, and the pairs of outputs to compare.</summary>
    private static (DeviceOperation Device, DeviceOperation Host, List<(DeviceBuffer, DeviceBuffer)> Outputs) Build(OperationKind kind, Operands d, Operands h, Random random, int variant)
    {
        var outputs = new List<(DeviceBuffer, DeviceBuffer)>();
        (DeviceBuffer D, DeviceBuffer H) Pair(int rows, int columns, float scale = 1f) => Floats(d, h, rows, columns, random, scale);
        (DeviceBuffer D, DeviceBuffer H) Out(int rows, int columns)
        {
            var pair = Pair(rows, columns);
            outputs.Add(pair);
            return pair;
        }

        (DeviceBuffer D, DeviceBuffer H) IntPair(int[] values, int columns) => (d.Ints(values, columns), h.Ints(values, columns));
        switch (kind)
        {
            case OperationKind.EmbeddingGather:
            {
                var table = Pair(50, 40);
                var ids = IntPair([3, 49, -1, 0, 50, 17], 1);
                var output = Out(6, 40);
                return (new EmbeddingGatherOperation(table.D, ids.D, output.D), new EmbeddingGatherOperation(table.H, ids.H, output.H), outputs);
            }

            case OperationKind.RmsNorm:
            {
                var input = Pair(3, 40);
                var weight = Pair(1, 40);
                var residual = Out(3, 40);
                var output = Out(3, 40);
                return (new RmsNormOperation(input.D, weight.D, output.D, 1e-5f, residual.D), new RmsNormOperation(input.H, weight.H, output.H, 1e-5f, residual.H), outputs);
            }

            case OperationKind.MatMul:
            {
                // 70 columns is not a multiple of any vector width; 4616 is (577 vectors of 8 half-precision elements).
                var input = Pair(5, variant);
                var weight = Pair(33, variant, 0.2f);
                var output = Out(5, 33);
                return (new MatMulOperation(input.D, weight.D, output.D), new MatMulOperation(input.H, weight.H, output.H), outputs);
            }

            case OperationKind.Rotary:
            {
                var tensor = Out(4, 48);
                var positions = IntPair([0, 5, 9, -2], 1);
                var cosSin = (d.Floats32(CosSin(8, 16), 16), h.Floats32(CosSin(8, 16), 16));
                return (new RotaryOperation(tensor.D, positions.D, cosSin.Item1, 16, 2), new RotaryOperation(tensor.H, positions.H, cosSin.Item2, 16, 2), outputs);
            }

            case OperationKind.SiluMul:
            {
                var gateUp = Pair(3, 48, 3f);
                var output = Out(3, 24);
                return (new SiluMulOperation(gateUp.D, output.D), new SiluMulOperation(gateUp.H, output.H), outputs);
            }

            case OperationKind.Add:
            {
                var a = Pair(3, 20);
                var b = Pair(1, 20);
                var output = Out(3, 20);
                return (new AddOperation(a.D, b.D, output.D, 0.75f, -1.5f), new AddOperation(a.H, b.H, output.H, 0.75f, -1.5f), outputs);
            }

            case OperationKind.KvWrite:
            {
                var heads = new AttentionHeads(4, 2, 8);
                var qkv = Pair(4, heads.QkvWidth);
                var keys = Out(16, heads.KvWidth);
                var values = Out(16, heads.KvWidth);
                var table = IntPair([5, 2, 11, 40, 7, 0, 1, 3, 4, 6], 10);
                var positions = IntPair([0, 1, 3, 2], 1);
                return (new KvWriteOperation(qkv.D, heads, keys.D, values.D, table.D, positions.D), new KvWriteOperation(qkv.H, heads, keys.H, values.H, table.H, positions.H), outputs);
            }

            case OperationKind.PrefillAttention:
            case OperationKind.DecodeAttention:
            {
                var heads = new AttentionHeads(4, 2, 8);
                var prefill = kind == OperationKind.PrefillAttention;
                var tokens = prefill ? 4 : 3;
                var qkv = Pair(tokens, heads.QkvWidth);
                var keys = Pair(16, heads.KvWidth);
                var values = Pair(16, heads.KvWidth);
                // Slot 40 is outside the 16-slot cache: it must be left out, not read.
                var table = prefill
                    ? IntPair([5, 2, 11, 40, 7, 0, 1, 3, 4, 6], 10)
                    : IntPair([5, 2, 11, 40, 7, 0, 1, 3, 4, 6, 9, 8, 15, 14, 13, 12, 10, 6, 5, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10);
                var positions = prefill ? IntPair([0, 1, 3, 9], 1) : IntPair([4, 9, 12], 1);
                var output = Out(tokens, heads.OutputWidth);
                return prefill
                    ? (new PrefillAttentionOperation(qkv.D, heads, keys.D, values.D, table.D, positions.D, output.D, 0.35f),
                        new PrefillAttentionOperation(qkv.H, heads, keys.H, values.H, table.H, positions.H, output.H, 0.35f), outputs)
                    : (new DecodeAttentionOperation(qkv.D, heads, keys.D, values.D, table.D, positions.D, output.D, 0.35f),
                        new DecodeAttentionOperation(qkv.H, heads, keys.H, values.H, table.H, positions.H, output.H, 0.35f), outputs);
            }

            case OperationKind.Attention:
            {
                var q = Pair(6, 16);
                var k = Pair(6, 16);
                var v = Pair(6, 16);
                var output = Out(6, 16);
                return (new AttentionOperation(q.D, k.D, v.D, output.D, 8, 0.35f), new AttentionOperation(q.H, k.H, v.H, output.H, 8, 0.35f), outputs);
            }

            case OperationKind.Argmax:
            {
                var values = RandomValues(random, 4 * 100, 1f);
                values[100 + 17] = values[100 + 60] = 9f;
                values[200 + 3] = float.NaN;
                values[200 + 50] = float.NaN;
                var logits = (d.Floats(values, 100), h.Floats(values, 100));
                var output = (d.Ints(new int[4], 1), h.Ints(new int[4], 1));
                outputs.Add(output);
                return (new ArgmaxOperation(logits.Item1, output.Item1), new ArgmaxOperation(logits.Item2, output.Item2), outputs);
            }

            case OperationKind.FillUniform:
            {
                var output = Out(7, 33);
                return (new FillUniformOperation(output.D, 0xC0FFEE, -0.5f, 2f), new FillUniformOperation(output.H, 0xC0FFEE, -0.5f, 2f), outputs);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "No conformance check for this operation.");
        }
    }

    private static (DeviceBuffer, DeviceBuffer) Floats(Operands d, Operands h, int rows, int columns, Random random, float scale)
    {
        var values = RandomValues(random, rows * columns, scale);
        return (d.Floats(values, columns), h.Floats(values, columns));
    }

    private static float[] RandomValues(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        }

        return values;
    }

    private static float[] CosSin(int positions, int headDim)
    {
        var table = new float[positions * headDim];
        for (var p = 0; p < positions; p++)
        {
            for (var i = 0; i < headDim / 2; i++)
            {
                var angle = p * Math.Pow(10000, -2.0 * i / headDim);
                table[p * headDim + i] = (float)Math.Cos(angle);
                table[p * headDim + headDim / 2 + i] = (float)Math.Sin(angle);
            }
        }

        return table;
    }

    private static double Compare(ComputeDevice device, DeviceBuffer deviceOut, ComputeDevice host, DeviceBuffer hostOut, ElementType elementType, out string? problem)
    {
        problem = null;
        if (deviceOut.ElementType == ElementType.Int32)
        {
            var actual = new int[deviceOut.ElementCount];
            var expected = new int[hostOut.ElementCount];
            device.CopyToHost<int>(deviceOut, actual);
            host.CopyToHost<int>(hostOut, expected);
            for (var i = 0; i < actual.Length; i++)
            {
                if (actual[i] != expected[i])
                {
                    problem = string.Create(CultureInfo.InvariantCulture, $"element {i} is {actual[i]} but the CPU reference gives {expected[i]} (lowest index of the maximum; a NaN counts as the maximum).");
                    return double.PositiveInfinity;
                }
            }

            return 0;
        }

        var got = Download(device, deviceOut);
        var want = Download(host, hostOut);
        double diff = 0, norm = 0;
        for (var i = 0; i < got.Length; i++)
        {
            if (float.IsNaN(got[i]) != float.IsNaN(want[i]))
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"element {i} is {got[i]} but the CPU reference gives {want[i]}.");
                return double.PositiveInfinity;
            }

            if (!float.IsNaN(want[i]))
            {
                diff += Math.Pow(got[i] - want[i], 2);
                norm += Math.Pow(want[i], 2);
            }
        }

        return norm == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff / norm);
    }

    private static float[] Download(ComputeDevice device, DeviceBuffer buffer)
    {
        var values = new float[buffer.ElementCount];
        if (buffer.ElementType == ElementType.Float32)
        {
            device.CopyToHost<float>(buffer, values);
            return values;
        }

        var bits = new ushort[buffer.ElementCount];
        device.CopyToHost<ushort>(buffer, bits);
        ElementCodec.Decode(MemoryMarshal.AsBytes(bits.AsSpan()), values, buffer.ElementType);
        return values;
    }

    /// <summary>The buffers one side of a check allocates, in one element type, freed together.</summary>
    /// <summary>The buffers of one side of a check, stored in <paramref name="elementType"/> and holding values rounded to <paramref name="precision"/>.</summary>
    private sealed class Operands(ComputeDevice device, ElementType elementType, ElementType precision) : IDisposable
    {
        private readonly List<DeviceBuffer> _buffers = [];

        /// <summary>Values rounded to the device's element type, so the device and the reference see the same numbers.</summary>
        public DeviceBuffer Floats(float[] values, int columns)
        {
            var rounded = (float[])values.Clone();
            ElementCodec.RoundTo(rounded, precision);
            var buffer = Add(device.Allocate(elementType, new TensorShape(values.Length / columns, columns)));
            if (elementType == ElementType.Float32)
            {
                device.CopyToDevice<float>(rounded, buffer);
            }
            else
            {
                var bits = new ushort[rounded.Length];
                ElementCodec.Encode(rounded, MemoryMarshal.AsBytes(bits.AsSpan()), elementType);
                device.CopyToDevice<ushort>(bits, buffer);
            }

            return buffer;
        }

        public DeviceBuffer Floats32(float[] values, int columns)
        {
            var buffer = Add(device.Allocate(ElementType.Float32, new TensorShape(values.Length / columns, columns)));
            device.CopyToDevice<float>(values, buffer);
            return buffer;
        }

        public DeviceBuffer Ints(int[] values, int columns)
        {
            var buffer = Add(device.Allocate(ElementType.Int32, new TensorShape(values.Length / columns, columns)));
            device.CopyToDevice<int>(values, buffer);
            return buffer;
        }

        public void Dispose()
        {
            foreach (var buffer in _buffers)
            {
                buffer.Dispose();
            }
        }

        private DeviceBuffer Add(DeviceBuffer buffer)
        {
            _buffers.Add(buffer);
            return buffer;
        }
    }
}

/// <summary>The result of checking one operation in one element type against the CPU reference.</summary>
/// <param name="Operation">The operation kind.</param>
/// <param name="ElementType">The element type.</param>
/// <param name="Passed">True when the error is within the tolerance (and nothing threw).</param>
/// <param name="RelativeError">‖device − reference‖ / ‖reference‖.</param>
/// <param name="Tolerance">The element type's tolerance.</param>
/// <param name="Message">What was found, naming the operands when it failed.</param>
public sealed record OperationCheck(OperationKind Operation, ElementType ElementType, bool Passed, double RelativeError, double Tolerance, string Message);
