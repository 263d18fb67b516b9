namespace Sgl.Runtime.Models.TinyModel;

/// <summary>
/// One tensor-parallel rank's part of the tiny model (Megatron-style): the query, key, value, gate and up
/// projections are split by output rows (whole heads, a slice of the MLP width); the attention output and
/// down projections are split by input columns, so each rank produces a partial sum that an all-reduce
/// completes. Norms, the embedding and the LM head are replicated.
/// </summary>
internal sealed class TinyModelShard
{
    private TinyModelShard(TinyModelWeights full, int rank, int tpSize)
    {
        var config = full.Config;
        Config = config;
        LocalHeads = config.HeadCount / tpSize;
        LocalWidth = LocalHeads * config.HeadDim;
        LocalIntermediate = config.IntermediateSize / tpSize;
        var h = config.HiddenSize;
        var layers = new TinyModelLayerWeights[config.LayerCount];
        for (var i = 0; i < layers.Length; i++)
        {
            var layer = full.Layers[i];
            layers[i] = new TinyModelLayerWeights(
                AttentionNorm: layer.AttentionNorm,
                Query: Rows(layer.Query, h, rank * LocalWidth, LocalWidth),
                Key: Rows(layer.Key, h, rank * LocalWidth, LocalWidth),
                Value: Rows(layer.Value, h, rank * LocalWidth, LocalWidth),
                Output: Columns(layer.Output, h, h, rank * LocalWidth, LocalWidth),
                MlpNorm: layer.MlpNorm,
                Gate: Rows(layer.Gate, h, rank * LocalIntermediate, LocalIntermediate),
                Up: Rows(layer.Up, h, rank * LocalIntermediate, LocalIntermediate),
                Down: Columns(layer.Down, h, config.IntermediateSize, rank * LocalIntermediate, LocalIntermediate));
        }

        Layers = layers;
        Embedding = full.Embedding;
        FinalNorm = full.FinalNorm;
        LmHead = full.LmHead;
    }

    public TinyModelConfig Config { get; }

    /// <summary>Attention heads on this rank (query and key/value alike).</summary>
    public int LocalHeads { get; }

    /// <summary>LocalHeads × HeadDim.</summary>
    public int LocalWidth { get; }

    /// <summary>MLP width on this rank.</summary>
    public int LocalIntermediate { get; }

    public IReadOnlyList<TinyModelLayerWeights> Layers { get; }

    public float[] Embedding { get; }

    public float[] FinalNorm { get; }

    public float[] LmHead { get; }

    public static TinyModelShard Create(TinyModelWeights full, int rank, int tpSize)
    {
        ArgumentNullException.ThrowIfNull(full);
        if (!full.Config.CanSplit(tpSize))
        {
            throw new ArgumentOutOfRangeException(nameof(tpSize), tpSize, "The model cannot be split into this many ranks.");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)rank, (uint)tpSize, nameof(rank));
        return new TinyModelShard(full, rank, tpSize);
    }

    private static float[] Rows(float[] matrix, int columns, int firstRow, int rowCount) =>
        matrix.AsSpan(firstRow * columns, rowCount * columns).ToArray();

    private static float[] Columns(float[] matrix, int rows, int columns, int firstColumn, int columnCount)
    {
        var shard = new float[rows * columnCount];
        for (var r = 0; r < rows; r++)
        {
            matrix.AsSpan(r * columns + firstColumn, columnCount).CopyTo(shard.AsSpan(r * columnCount, columnCount));
        }

        return shard;
    }
}
