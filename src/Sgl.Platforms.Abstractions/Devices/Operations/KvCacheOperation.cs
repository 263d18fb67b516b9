using System.Globalization;

namespace Sgl.Platforms.Devices;

/// <summary>
/// What the operations over a KV cache share: a fused QKV batch, the head layout, the per-layer key and value
/// caches ([capacity, KvHeads × HeadDim], one row per token slot) and where each token's keys live.
/// </summary>
/// <remarks>
/// Token r belongs to sequence 0 when <see cref="SlotTable"/> has one row (a prefill), and to sequence r
/// otherwise (a decode batch, one token per sequence). Its position is p = <c>Positions[r]</c> and the slots
/// of its sequence's tokens 0..p are <c>SlotTable[sequence, 0..p]</c>. Positions outside the table and slots
/// outside the cache are never dereferenced (see each operation).
/// </remarks>
public abstract class KvCacheOperation : DeviceOperation
{
    private protected KvCacheOperation(DeviceBuffer qkv, AttentionHeads heads, DeviceBuffer keyCache, DeviceBuffer valueCache, DeviceBuffer slotTable, DeviceBuffer positions)
    {
        Qkv = NotNull(qkv, nameof(qkv));
        Heads = heads;
        KeyCache = NotNull(keyCache, nameof(keyCache));
        ValueCache = NotNull(valueCache, nameof(valueCache));
        SlotTable = NotNull(slotTable, nameof(slotTable));
        Positions = NotNull(positions, nameof(positions));
    }

    /// <summary>[tokens, (QueryHeads + 2 KvHeads) × HeadDim]: q, then k, then v of each token.</summary>
    public DeviceBuffer Qkv { get; }

    /// <summary>The head layout.</summary>
    public AttentionHeads Heads { get; }

    /// <summary>[capacity, KvHeads × HeadDim]: this layer's keys, one row per token slot.</summary>
    public DeviceBuffer KeyCache { get; }

    /// <summary>[capacity, KvHeads × HeadDim]: this layer's values.</summary>
    public DeviceBuffer ValueCache { get; }

    /// <summary>[sequences, context] Int32: each sequence's token slots by position.</summary>
    public DeviceBuffer SlotTable { get; }

    /// <summary>[tokens, 1] Int32: each token's position in its sequence.</summary>
    public DeviceBuffer Positions { get; }

    /// <summary>Checks the shared operands; called by derived constructors after <c>SetOperands</c>.</summary>
    private protected void CheckKvOperands()
    {
        var tokens = Qkv.Shape.Rows;
        RequireFloatingPoint(Qkv, "Qkv");
        Require(Qkv.Shape.Columns == Heads.QkvWidth, string.Create(CultureInfo.InvariantCulture,
            $"Qkv must be [tokens, {Heads.QkvWidth}] for heads {Heads} but is {Qkv.Shape}."));
        RequireFloatingPoint(KeyCache, "KeyCache");
        Require(KeyCache.Shape.Columns == Heads.KvWidth, string.Create(CultureInfo.InvariantCulture,
            $"KeyCache must be [capacity, {Heads.KvWidth}] for heads {Heads} but is {KeyCache.Shape}."));
        RequireShape(ValueCache, "ValueCache", KeyCache.Shape.Rows, KeyCache.Shape.Columns);
        RequireSameType(ValueCache, "ValueCache", KeyCache, "KeyCache");
        RequireType(SlotTable, "SlotTable", ElementType.Int32);
        Require(SlotTable.Shape.Rows == 1 || SlotTable.Shape.Rows == tokens, string.Create(CultureInfo.InvariantCulture,
            $"SlotTable must have 1 row (one sequence) or {tokens} (one per token) but is {SlotTable.Shape}."));
        RequireType(Positions, "Positions", ElementType.Int32);
        RequireShape(Positions, "Positions", tokens, 1);
    }
}
