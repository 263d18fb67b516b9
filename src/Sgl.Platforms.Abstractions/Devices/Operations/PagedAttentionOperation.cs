using System.Globalization;

namespace Sgl.Platforms.Devices;

/// <summary>
/// Causal attention of each token's query heads over the cached keys and values of its sequence's positions
/// 0..p (p = <c>Positions[r]</c>): <c>Output[r, h] = Σⱼ softmax(Scale · q_h · K[slotⱼ, g])ⱼ · V[slotⱼ, g]</c>
/// with g = h / (QueryHeads / KvHeads), softmax in float32. A position outside the table gives a zero row;
/// a slot outside the cache is left out of the sum. <see cref="PrefillAttentionOperation"/> and
/// <see cref="DecodeAttentionOperation"/> compute the same function; they differ in shape (one sequence of
/// many tokens, or many sequences of one token) so platforms can run different kernels.
/// </summary>
public abstract class PagedAttentionOperation : KvCacheOperation
{
    private protected PagedAttentionOperation(DeviceBuffer qkv, AttentionHeads heads, DeviceBuffer keyCache, DeviceBuffer valueCache, DeviceBuffer slotTable, DeviceBuffer positions, DeviceBuffer output, float scale)
        : base(qkv, heads, keyCache, valueCache, slotTable, positions)
    {
        Output = NotNull(output, nameof(output));
        Scale = scale;
        SetOperands(
            [("Qkv", qkv), ("KeyCache", keyCache), ("ValueCache", valueCache), ("SlotTable", slotTable), ("Positions", positions)],
            [("Output", output)]);
        CheckKvOperands();
        RequireShape(output, "Output", qkv.Shape.Rows, heads.OutputWidth);
        RequireSameType(output, "Output", qkv, "Qkv");
        RequireSameType(keyCache, "KeyCache", qkv, "Qkv");
        Require(!ReferenceEquals(output.Root, qkv.Root), "Output must not share an allocation with Qkv.");
        Require(scale > 0 && float.IsFinite(scale), string.Create(CultureInfo.InvariantCulture, $"Scale must be positive and finite, not {scale}."));
    }

    /// <summary>[tokens, QueryHeads × HeadDim].</summary>
    public DeviceBuffer Output { get; }

    /// <summary>The score scale, usually 1/√HeadDim.</summary>
    public float Scale { get; }
}
