using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.Devices;

namespace Sgl.Runtime.Tests.Cpu;

/// <summary>The cpu platform's simd attention backend: the CPU reference of paged attention, checked against a naive double-precision one.</summary>
public sealed class CpuAttentionTests
{
    private static readonly AttentionHeads Heads = new(queryHeads: 4, kvHeads: 2, headDim: 16);

    [Fact]
    public void Simd_attention_matches_a_naive_reference_including_grouped_heads_and_skips_slots_outside_the_cache()
    {
        using var cpu = new FakeCpu();
        using var device = cpu.Platform.OpenDevice(0, 0)!;
        var random = new Random(1234);
        const int Capacity = 64;
        const int Tokens = 37;
        var keys = RandomMatrix(random, Capacity, Heads.KvWidth);
        var values = RandomMatrix(random, Capacity, Heads.KvWidth);
        var slots = Enumerable.Range(0, Tokens).Select(t => (t * 7 + 3) % Capacity).ToArray();
        slots[10] = Capacity + 5;
        var qkv = RandomMatrix(random, 1, Heads.QkvWidth);
        using var keyCache = Upload(device, keys, Heads.KvWidth);
        using var valueCache = Upload(device, values, Heads.KvWidth);
        using var table = UploadInts(device, slots, Tokens);
        using var positions = UploadInts(device, [Tokens - 1], 1);
        using var query = Upload(device, qkv, Heads.QkvWidth);
        using var output = device.Allocate(ElementType.Float32, new TensorShape(1, Heads.OutputWidth));
        using var backend = cpu.Platform.GetAttentionBackends()[CpuPlatform.AttentionBackendName](new AttentionBackendContext(device));
        var operation = new DecodeAttentionOperation(query, Heads, keyCache, valueCache, table, positions, output, 1f / MathF.Sqrt(Heads.HeadDim));

        backend.Supports(operation).Should().BeTrue();
        backend.Execute(operation);

        var result = new float[Heads.OutputWidth];
        device.CopyToHost<float>(output, result);
        result.Should().Equal(Naive(qkv, keys, values, [.. slots.Where(s => s < Capacity)]), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void Decode_steps_allocate_nothing_once_warm()
    {
        using var cpu = new FakeCpu();
        using var device = cpu.Platform.OpenDevice(0, 0)!;
        using var keyCache = device.Allocate(ElementType.Float32, new TensorShape(200, Heads.KvWidth));
        using var valueCache = device.Allocate(ElementType.Float32, new TensorShape(200, Heads.KvWidth));
        using var table = UploadInts(device, [.. Enumerable.Range(0, 200)], 200);
        using var positions = device.Allocate(ElementType.Int32, new TensorShape(1, 1));
        using var query = device.Allocate(ElementType.Float32, new TensorShape(1, Heads.QkvWidth));
        using var output = device.Allocate(ElementType.Float32, new TensorShape(1, Heads.OutputWidth));
        device.CopyToDevice<float>(new float[200 * Heads.KvWidth], keyCache);
        device.CopyToDevice<float>(new float[200 * Heads.KvWidth], valueCache);
        device.CopyToDevice<float>(new float[Heads.QkvWidth], query);
        var operation = new DecodeAttentionOperation(query, Heads, keyCache, valueCache, table, positions, output, 0.25f);
        var position = new int[1];
        device.Execute(operation);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var p = 0; p < 200; p++)
        {
            position[0] = p;
            device.CopyToDevice<int>(position, positions);
            device.Execute(operation);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    private static float[] Naive(float[] qkv, float[] keys, float[] values, int[] slots)
    {
        var d = Heads.HeadDim;
        var output = new float[Heads.OutputWidth];
        for (var h = 0; h < Heads.QueryHeads; h++)
        {
            var g = h / (Heads.QueryHeads / Heads.KvHeads);
            var scores = slots.Select(slot => Enumerable.Range(0, d).Sum(i => (double)qkv[h * d + i] * keys[slot * Heads.KvWidth + g * d + i]) / Math.Sqrt(d)).ToArray();
            var max = scores.Max();
            var exp = scores.Select(s => Math.Exp(s - max)).ToArray();
            var sum = exp.Sum();
            for (var i = 0; i < d; i++)
            {
                output[h * d + i] = (float)slots.Select((slot, t) => exp[t] / sum * values[slot * Heads.KvWidth + g * d + i]).Sum();
            }
        }

        return output;
    }

    private static float[] RandomMatrix(Random random, int rows, int columns) =>
        Enumerable.Range(0, rows * columns).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static DeviceBuffer Upload(ComputeDevice device, float[] values, int columns)
    {
        var buffer = device.Allocate(ElementType.Float32, new TensorShape(values.Length / columns, columns));
        device.CopyToDevice<float>(values, buffer);
        return buffer;
    }

    private static DeviceBuffer UploadInts(ComputeDevice device, int[] values, int columns)
    {
        var buffer = device.Allocate(ElementType.Int32, new TensorShape(values.Length / columns, columns));
        device.CopyToDevice<int>(values, buffer);
        return buffer;
    }
}
