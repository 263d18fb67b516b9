namespace Sgl.Platforms.Devices;

/// <summary>
/// Stores each token's key and value (the k and v parts of its <see cref="KvCacheOperation.Qkv"/> row) in the
/// cache rows of its slot, <c>SlotTable[sequence, Positions[r]]</c>. A token whose position is outside the table,
/// or whose slot is outside the cache, is skipped.
/// </summary>
public sealed class KvWriteOperation : KvCacheOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="qkv">[tokens, (QueryHeads + 2 KvHeads) × HeadDim].</param>
    /// <param name="heads">The head layout.</param>
    /// <param name="keyCache">[capacity, KvHeads × HeadDim], written.</param>
    /// <param name="valueCache">[capacity, KvHeads × HeadDim], written.</param>
    /// <param name="slotTable">[1 or tokens, context] Int32.</param>
    /// <param name="positions">[tokens, 1] Int32.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public KvWriteOperation(DeviceBuffer qkv, AttentionHeads heads, DeviceBuffer keyCache, DeviceBuffer valueCache, DeviceBuffer slotTable, DeviceBuffer positions)
        : base(qkv, heads, keyCache, valueCache, slotTable, positions)
    {
        SetOperands([("Qkv", qkv), ("SlotTable", slotTable), ("Positions", positions)], [("KeyCache", keyCache), ("ValueCache", valueCache)]);
        CheckKvOperands();
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.KvWrite;
}
