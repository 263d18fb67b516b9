namespace Sgl.Platforms.Devices;

/// <summary>
/// <c>Output[r, :] = Table[TokenIds[r], :]</c>: the embedding rows of a batch of tokens. An id outside
/// [0, vocabulary) yields a row of zeros; no platform reads outside the table.
/// </summary>
public sealed class EmbeddingGatherOperation : DeviceOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="table">[vocabulary, hidden], floating point.</param>
    /// <param name="tokenIds">[tokens, 1] Int32.</param>
    /// <param name="output">[tokens, hidden], the table's type.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public EmbeddingGatherOperation(DeviceBuffer table, DeviceBuffer tokenIds, DeviceBuffer output)
    {
        Table = NotNull(table, nameof(table));
        TokenIds = NotNull(tokenIds, nameof(tokenIds));
        Output = NotNull(output, nameof(output));
        SetOperands([("Table", table), ("TokenIds", tokenIds)], [("Output", output)]);
        RequireFloatingPoint(table, "Table");
        RequireType(tokenIds, "TokenIds", ElementType.Int32);
        RequireShape(tokenIds, "TokenIds", output.Shape.Rows, 1);
        RequireShape(output, "Output", tokenIds.Shape.Rows, table.Shape.Columns);
        RequireSameType(output, "Output", table, "Table");
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.EmbeddingGather;

    /// <summary>[vocabulary, hidden].</summary>
    public DeviceBuffer Table { get; }

    /// <summary>[tokens, 1] Int32.</summary>
    public DeviceBuffer TokenIds { get; }

    /// <summary>[tokens, hidden].</summary>
    public DeviceBuffer Output { get; }
}
