namespace Sgl.Platforms.Devices;

/// <summary>Paged causal attention for the tokens of one sequence (a prefill chunk): <see cref="KvCacheOperation.SlotTable"/> has one row.</summary>
public sealed class PrefillAttentionOperation : PagedAttentionOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="qkv">[tokens, (QueryHeads + 2 KvHeads) × HeadDim].</param>
    /// <param name="heads">The head layout.</param>
    /// <param name="keyCache">[capacity, KvHeads × HeadDim], the Qkv's type.</param>
    /// <param name="valueCache">[capacity, KvHeads × HeadDim].</param>
    /// <param name="slotTable">[1, context] Int32.</param>
    /// <param name="positions">[tokens, 1] Int32.</param>
    /// <param name="output">[tokens, QueryHeads × HeadDim].</param>
    /// <param name="scale">The score scale.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public PrefillAttentionOperation(DeviceBuffer qkv, AttentionHeads heads, DeviceBuffer keyCache, DeviceBuffer valueCache, DeviceBuffer slotTable, DeviceBuffer positions, DeviceBuffer output, float scale)
        : base(qkv, heads, keyCache, valueCache, slotTable, positions, output, scale)
    {
        RequireShape(slotTable, "SlotTable", 1, slotTable.Shape.Columns);
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.PrefillAttention;
}
