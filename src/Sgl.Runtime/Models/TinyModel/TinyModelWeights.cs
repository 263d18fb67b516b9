namespace Sgl.Runtime.Models.TinyModel;

/// <summary>
/// The full weights of the tiny model, generated from <see cref="TinyModelConfig.Seed"/>. Matrices are
/// row-major [out, in]. Shared read-only by every rank; each rank copies its shard.
/// </summary>
internal sealed class TinyModelWeights
{
    private TinyModelWeights(TinyModelConfig config, float[] embedding, TinyModelLayerWeights[] layers, float[] finalNorm, float[] lmHead)
    {
        Config = config;
        Embedding = embedding;
        Layers = layers;
        FinalNorm = finalNorm;
        LmHead = lmHead;
    }

    public TinyModelConfig Config { get; }

    /// <summary>[vocab, hidden].</summary>
    public float[] Embedding { get; }

    public IReadOnlyList<TinyModelLayerWeights> Layers { get; }

    public float[] FinalNorm { get; }

    /// <summary>[vocab, hidden], separate from the embedding: tied random weights would mostly predict the input token again.</summary>
    public float[] LmHead { get; }

    /// <summary>Bytes the full weights take.</summary>
    public long SizeBytes =>
        sizeof(float) * (Embedding.LongLength + LmHead.LongLength + FinalNorm.LongLength + Layers.Sum(l => l.ElementCount));

    public static TinyModelWeights Generate(TinyModelConfig config)
    {
        var random = new XorShiftRandom(config.Seed);
        var h = config.HiddenSize;
        var f = config.IntermediateSize;
        var embedding = Uniform(ref random, config.VocabSize * h, 1f);
        var layers = new TinyModelLayerWeights[config.LayerCount];
        for (var i = 0; i < layers.Length; i++)
        {
            // Uniform(-a, a) with a = sqrt(3 / fan_in) keeps unit variance through each projection.
            var inH = MathF.Sqrt(3f / h);
            var inF = MathF.Sqrt(3f / f);
            layers[i] = new TinyModelLayerWeights(
                AttentionNorm: Norm(ref random, h),
                Query: Uniform(ref random, h * h, inH),
                Key: Uniform(ref random, h * h, inH),
                Value: Uniform(ref random, h * h, inH),
                Output: Uniform(ref random, h * h, inH),
                MlpNorm: Norm(ref random, h),
                Gate: Uniform(ref random, f * h, inH),
                Up: Uniform(ref random, f * h, inH),
                Down: Uniform(ref random, h * f, inF));
        }

        var finalNorm = Norm(ref random, h);
        var lmHead = Uniform(ref random, config.VocabSize * h, MathF.Sqrt(3f / h));
        return new TinyModelWeights(config, embedding, layers, finalNorm, lmHead);
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
