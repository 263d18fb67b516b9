using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Runtime.Models;

/// <summary>
/// The operations of one forward step of the decoder for one rank (docs/runtimes.md): embedding, then per layer
/// a fused residual-add RMSNorm, the QKV projection, rotary, the KV write, paged attention, the output projection
/// (all-reduced under tensor parallelism), a second fused RMSNorm, the gate/up projection, SiLU·mul and the down
/// projection (all-reduced); then the final norm, the LM head of the last token and the argmax into the next-token buffer.
/// </summary>
internal static class DecoderGraph
{
    /// <param name="shard">The rank's part of the model.</param>
    /// <param name="weights">The rank's weights.</param>
    /// <param name="pool">The rank's KV pool.</param>
    /// <param name="buffers">The step's activations (already sliced to the step's tokens).</param>
    /// <param name="slotTable">[1, context] Int32: the sequence's slots by position.</param>
    /// <param name="logits">[1, vocab]: the last token's logits.</param>
    /// <param name="nextToken">[1, 1] Int32: receives the greedy next token.</param>
    /// <param name="decode">True for a decode step (one token of one sequence), false for a prefill chunk.</param>
    public static List<DeviceOperation> Build(DecoderShard shard, DeviceWeights weights, IKvPool pool, StepView buffers, DeviceBuffer slotTable, DeviceBuffer logits, DeviceBuffer nextToken, bool decode)
    {
        var config = shard.Config;
        var heads = shard.Heads;
        var epsilon = config.RmsNormEpsilon;
        var scale = 1f / MathF.Sqrt(config.HeadDim);
        var allReduce = shard.TpSize > 1;
        var b = buffers;
        var ops = new List<DeviceOperation> { new EmbeddingGatherOperation(weights.Embedding, b.TokenIds, b.Residual) };
        for (var layer = 0; layer < config.LayerCount; layer++)
        {
            var w = weights.Layers[layer];
            var keys = pool.GetKeys(layer);
            var values = pool.GetValues(layer);
            ops.Add(layer == 0
                ? new RmsNormOperation(b.Residual, w.AttentionNorm, b.Hidden, epsilon)
                : new RmsNormOperation(b.MlpOutput, w.AttentionNorm, b.Hidden, epsilon, b.Residual));
            ops.Add(new MatMulOperation(b.Hidden, w.Qkv, b.Qkv));
            ops.Add(new RotaryOperation(b.Qkv, b.Positions, weights.CosSin, config.HeadDim, heads.QueryHeads + heads.KvHeads));
            ops.Add(new KvWriteOperation(b.Qkv, heads, keys, values, slotTable, b.Positions));
            ops.Add(decode
                ? new DecodeAttentionOperation(b.Qkv, heads, keys, values, slotTable, b.Positions, b.Attention, scale)
                : new PrefillAttentionOperation(b.Qkv, heads, keys, values, slotTable, b.Positions, b.Attention, scale));
            ops.Add(new MatMulOperation(b.Attention, w.Output, b.AttentionOutput));
            if (allReduce)
            {
                ops.Add(new AllReduceOperation(b.AttentionOutput));
            }

            ops.Add(new RmsNormOperation(b.AttentionOutput, w.MlpNorm, b.Hidden, epsilon, b.Residual));
            ops.Add(new MatMulOperation(b.Hidden, w.GateUp, b.GateUp));
            ops.Add(new SiluMulOperation(b.GateUp, b.Activated));
            ops.Add(new MatMulOperation(b.Activated, w.Down, b.MlpOutput));
            if (allReduce)
            {
                ops.Add(new AllReduceOperation(b.MlpOutput));
            }
        }

        // Only the last token's logits matter for the next token.
        var last = b.Rows - 1;
        var lastHidden = b.Hidden.Slice(last, 1);
        ops.Add(new RmsNormOperation(b.MlpOutput.Slice(last, 1), weights.FinalNorm, lastHidden, epsilon, b.Residual.Slice(last, 1)));
        ops.Add(new MatMulOperation(lastHidden, weights.LmHead, logits));
        ops.Add(new ArgmaxOperation(logits, nextToken));
        return ops;
    }
}

/// <summary>The activations of one step of <see cref="Rows"/> tokens: the first rows of a <see cref="StepBuffers"/>, or a decode step's own.</summary>
internal sealed record StepView(int Rows, DeviceBuffer Residual, DeviceBuffer Hidden, DeviceBuffer Qkv, DeviceBuffer Attention, DeviceBuffer AttentionOutput,
    DeviceBuffer GateUp, DeviceBuffer Activated, DeviceBuffer MlpOutput, DeviceBuffer TokenIds, DeviceBuffer Positions)
{
    /// <summary>The first <paramref name="rows"/> rows of <paramref name="buffers"/>; <paramref name="tokenIds"/> replaces its token ids when given.</summary>
    public static StepView Of(StepBuffers buffers, int rows, DeviceBuffer? tokenIds = null) => new(
        rows,
        buffers.Residual.Slice(0, rows),
        buffers.Hidden.Slice(0, rows),
        buffers.Qkv.Slice(0, rows),
        buffers.Attention.Slice(0, rows),
        buffers.AttentionOutput.Slice(0, rows),
        buffers.GateUp.Slice(0, rows),
        buffers.Activated.Slice(0, rows),
        buffers.MlpOutput.Slice(0, rows),
        tokenIds ?? buffers.TokenIds.Slice(0, rows),
        buffers.Positions.Slice(0, rows));
}
