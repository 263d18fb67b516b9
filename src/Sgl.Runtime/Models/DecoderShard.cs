using Sgl.Platforms.Devices;

namespace Sgl.Runtime.Models;

/// <summary>What one tensor-parallel rank holds of a decoder: its heads and its slice of the MLP width.</summary>
internal sealed record DecoderShard(DecoderConfig Config, int Rank, int TpSize)
{
    public int QueryHeads => Config.QueryHeads / TpSize;

    public int KvHeads => Config.KvHeads / TpSize;

    public int Intermediate => Config.IntermediateSize / TpSize;

    public AttentionHeads Heads => new(QueryHeads, KvHeads, Config.HeadDim);

    /// <summary>Weight elements this rank holds (for the plan).</summary>
    public long WeightElements
    {
        get
        {
            var h = (long)Config.HiddenSize;
            var perLayer = 2 * h + Heads.QkvWidth * h + h * Heads.OutputWidth + 2L * Intermediate * h + h * Intermediate;
            return 2 * Config.VocabSize * h + h + Config.LayerCount * perLayer;
        }
    }
}
