namespace Sgl.Runtime.Models.TinyModel;

/// <summary>One decoder layer's weights, row-major [out, in].</summary>
internal sealed record TinyModelLayerWeights(
    float[] AttentionNorm,
    float[] Query,
    float[] Key,
    float[] Value,
    float[] Output,
    float[] MlpNorm,
    float[] Gate,
    float[] Up,
    float[] Down)
{
    public long ElementCount =>
        AttentionNorm.LongLength + Query.LongLength + Key.LongLength + Value.LongLength + Output.LongLength
        + MlpNorm.LongLength + Gate.LongLength + Up.LongLength + Down.LongLength;
}
