namespace Sgl.Runtime.Models;

/// <summary>
/// One tensor-parallel rank's part of the host weights (Megatron-style): the QKV and gate/up matrices are split
/// by output rows (whole heads, a slice of the MLP width, each part of the fused matrix split alike); the attention
/// output and down projections are split by input columns, so each rank produces a partial sum that an all-reduce
/// completes. Norms, the embedding and the LM head are replicated.
/// </summary>
internal sealed class HostShard
{
    private HostShard(HostWeights full, DecoderShard shard)
    {
        var config = full.Config;
        var h = config.HiddenSize;
        var d = config.HeadDim;
        var rank = shard.Rank;
        Shard = shard;
        Layers = [.. full.Layers.Select(layer => layer with
        {
            Qkv = [
                .. Rows(layer.Qkv, h, rank * shard.QueryHeads * d, shard.QueryHeads * d),
                .. Rows(layer.Qkv, h, config.QueryHeads * d + rank * shard.KvHeads * d, shard.KvHeads * d),
                .. Rows(layer.Qkv, h, (config.QueryHeads + config.KvHeads) * d + rank * shard.KvHeads * d, shard.KvHeads * d)],
            Output = Columns(layer.Output, h, config.QueryHeads * d, rank * shard.QueryHeads * d, shard.QueryHeads * d),
            GateUp = [
                .. Rows(layer.GateUp, h, rank * shard.Intermediate, shard.Intermediate),
                .. Rows(layer.GateUp, h, config.IntermediateSize + rank * shard.Intermediate, shard.Intermediate)],
            Down = Columns(layer.Down, h, config.IntermediateSize, rank * shard.Intermediate, shard.Intermediate),
        })];
        Embedding = full.Embedding;
        FinalNorm = full.FinalNorm;
        LmHead = full.LmHead;
    }

    public DecoderShard Shard { get; }

    public IReadOnlyList<HostLayerWeights> Layers { get; }

    public float[] Embedding { get; }

    public float[] FinalNorm { get; }

    public float[] LmHead { get; }

    public static HostShard Create(HostWeights full, DecoderShard shard) => new(full, shard);

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
