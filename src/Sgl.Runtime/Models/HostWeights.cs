namespace Sgl.Runtime.Models;

/// <summary>
/// A model's full weights on the host, generated from its seed with <see cref="XorShiftRandom"/> (bit-identical on
/// every machine), laid out as the device operations take them: matrices row-major [out, in], the query, key and
/// value projections fused into one QKV matrix and the gate and up projections into one gate/up matrix.
/// Shared read-only by every rank; each rank copies its <see cref="HostShard"/>.
/// </summary>
internal sealed class HostWeights
{
    private HostWeights(DecoderConfig config, float[] embedding, HostLayerWeights[] layers, float[] finalNorm, float[] lmHead)
    {
        Config = config;
        Embedding = embedding;
        Layers = layers;
        FinalNorm = finalNorm;
        LmHead = lmHead;
    }

    public DecoderConfig Config { get; }

    /// <summary>[vocab, hidden].</summary>
    public float[] Embedding { get; }

    public IReadOnlyList<HostLayerWeights> Layers { get; }

    public float[] FinalNorm { get; }

    /// <summary>[vocab, hidden], separate from the embedding: tied random weights would mostly predict the input token again.</summary>
    public float[] LmHead { get; }

    /// <summary>Generates the weights. The draw order (embedding; per layer the norms and q, k, v, o, gate, up, down; final norm; LM head) is fixed: it defines the model.</summary>
    public static HostWeights Generate(DecoderConfig config)
    {
        var random = new XorShiftRandom(config.Seed);
        var h = config.HiddenSize;
        var f = config.IntermediateSize;
        var q = config.QueryHeads * config.HeadDim;
        var kv = config.KvHeads * config.HeadDim;
        var embedding = Uniform(ref random, config.VocabSize * h, 1f);
        var layers = new HostLayerWeights[config.LayerCount];
        for (var i = 0; i < layers.Length; i++)
        {
            // Uniform(-a, a) with a = sqrt(3 / fan_in) keeps unit variance through each projection.
            var inH = MathF.Sqrt(3f / h);
            var inQ = MathF.Sqrt(3f / q);
            var inF = MathF.Sqrt(3f / f);
            var attentionNorm = Norm(ref random, h);
            float[] qkv = [.. Uniform(ref random, q * h, inH), .. Uniform(ref random, kv * h, inH), .. Uniform(ref random, kv * h, inH)];
            var output = Uniform(ref random, h * q, inQ);
            var mlpNorm = Norm(ref random, h);
            float[] gateUp = [.. Uniform(ref random, f * h, inH), .. Uniform(ref random, f * h, inH)];
            var down = Uniform(ref random, h * f, inF);
            layers[i] = new HostLayerWeights(attentionNorm, qkv, output, mlpNorm, gateUp, down);
        }

        var finalNorm = Norm(ref random, h);
        var lmHead = Uniform(ref random, config.VocabSize * h, MathF.Sqrt(3f / h));
        return new HostWeights(config, embedding, layers, finalNorm, lmHead);
    }

    private static float[] Uniform(ref XorShiftRandom random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSigned() * scale;
        }

        return values;
    }

    private static float[] Norm(ref XorShiftRandom random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = 1f + 0.1f * random.NextSigned();
        }

        return values;
    }
}

/// <summary>One decoder layer's weights, row-major [out, in], with fused QKV and gate/up matrices.</summary>
/// <param name="AttentionNorm">[1, hidden].</param>
/// <param name="Qkv">[(q heads + 2 kv heads) × head dim, hidden]: query rows, then key rows, then value rows.</param>
/// <param name="Output">[hidden, q heads × head dim].</param>
/// <param name="MlpNorm">[1, hidden].</param>
/// <param name="GateUp">[2 × MLP width, hidden]: gate rows, then up rows.</param>
/// <param name="Down">[hidden, MLP width].</param>
internal sealed record HostLayerWeights(float[] AttentionNorm, float[] Qkv, float[] Output, float[] MlpNorm, float[] GateUp, float[] Down);
