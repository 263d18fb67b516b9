using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Runtime.Tests.Cpu;

public sealed class CpuAttentionTests
{
    private const int Heads = 4;
    private const int KvHeads = 2;
    private const int HeadDim = 16;

    [Fact]
    public void Simd_attention_matches_a_naive_reference_including_grouped_heads()
    {
        using var cpu = new FakeCpu();
        using var pool = cpu.Platform.CreateKvPool(new KvPoolRequest(2, KvHeads, HeadDim, KvCacheDataType.Float32) { MaxTokens = 64 });
        var random = new Random(1234);
        var slots = new int[37];
        pool.Allocate(slots);
        var keys = new float[slots.Length][];
        var values = new float[slots.Length][];
        for (var t = 0; t < slots.Length; t++)
        {
            keys[t] = RandomVector(random, KvHeads * HeadDim);
            values[t] = RandomVector(random, KvHeads * HeadDim);
            pool.Write(1, slots[t], keys[t], values[t]);
        }

        var query = RandomVector(random, Heads * HeadDim);
        var backend = cpu.Platform.GetAttentionBackends()[CpuPlatform.AttentionBackendName](new AttentionBackendContext(pool, Heads, KvHeads, HeadDim));
        var output = new float[Heads * HeadDim];

        backend.Attend(1, query, slots, output);

        output.Should().Equal(Naive(query, keys, values), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void Decode_steps_allocate_nothing_once_warm()
    {
        using var cpu = new FakeCpu();
        using var pool = cpu.Platform.CreateKvPool(new KvPoolRequest(1, KvHeads, HeadDim, KvCacheDataType.Float32) { MaxTokens = 200 });
        var slots = new int[200];
        pool.Allocate(slots);
        var kv = new float[KvHeads * HeadDim];
        foreach (var slot in slots)
        {
            pool.Write(0, slot, kv, kv);
        }

        var backend = cpu.Platform.GetAttentionBackends()[CpuPlatform.AttentionBackendName](new AttentionBackendContext(pool, Heads, KvHeads, HeadDim));
        var query = new float[Heads * HeadDim];
        var output = new float[Heads * HeadDim];
        backend.Attend(0, query, slots, output);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var length = 1; length <= slots.Length; length++)
        {
            backend.Attend(0, query, slots.AsSpan(0, length), output);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    private static float[] Naive(float[] query, float[][] keys, float[][] values)
    {
        var output = new float[Heads * HeadDim];
        for (var h = 0; h < Heads; h++)
        {
            var kvh = h / (Heads / KvHeads);
            var scores = new double[keys.Length];
            for (var t = 0; t < keys.Length; t++)
            {
                double dot = 0;
                for (var d = 0; d < HeadDim; d++)
                {
                    dot += (double)query[h * HeadDim + d] * keys[t][kvh * HeadDim + d];
                }

                scores[t] = dot / Math.Sqrt(HeadDim);
            }

            var max = scores.Max();
            var exp = scores.Select(s => Math.Exp(s - max)).ToArray();
            var sum = exp.Sum();
            for (var d = 0; d < HeadDim; d++)
            {
                double acc = 0;
                for (var t = 0; t < keys.Length; t++)
                {
                    acc += exp[t] / sum * values[t][kvh * HeadDim + d];
                }

                output[h * HeadDim + d] = (float)acc;
            }
        }

        return output;
    }

    private static float[] RandomVector(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
