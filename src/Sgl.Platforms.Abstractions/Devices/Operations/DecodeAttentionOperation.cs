namespace Sgl.Platforms.Devices;

/// <summary>Paged causal attention for one new token of each of several sequences: <see cref="KvCacheOperation.SlotTable"/> has one row per token.</summary>
public sealed class DecodeAttentionOperation : PagedAttentionOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="qkv">[sequences, (QueryHeads + 2 KvHeads) × HeadDim].</param>
    /// <param name="heads">The head layout.</param>
    /// <param name="keyCache">[capacity, KvHeads × HeadDim], the Qkv's type.</param>
    /// <param name="valueCache">[capacity, KvHeads × HeadDim].</param>
    /// <param name="slotTable">[sequences, context] Int32.</param>
    /// <param name="positions">[sequences, 1] Int32.</param>
    /// <param name="output">[sequences, QueryHeads × HeadDim].</param>
    /// <param name="scale">The score scale.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public DecodeAttentionOperation(DeviceBuffer qkv, AttentionHeads heads, DeviceBuffer keyCache, DeviceBuffer valueCache, DeviceBuffer slotTable, DeviceBuffer positions, DeviceBuffer output, float scale)
        : base(qkv, heads, keyCache, valueCache, slotTable, positions, output, scale)
    {
        RequireShape(slotTable, "SlotTable", qkv.Shape.Rows, slotTable.Shape.Columns);
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.DecodeAttention;
}
