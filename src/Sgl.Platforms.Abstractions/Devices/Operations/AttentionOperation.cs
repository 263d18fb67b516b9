using System.Globalization;

namespace Sgl.Platforms.Devices;

/// <summary>
/// Dense, non-causal multi-head attention of every token over every token (the diffusion runtime's):
/// <c>Output[r, h] = Σⱼ softmax(Scale · Query[r, h] · Key[j, h])ⱼ · Value[j, h]</c>, j over all rows.
/// </summary>
public sealed class AttentionOperation : DeviceOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="query">[tokens, heads × headDim], floating point.</param>
    /// <param name="key">[tokens, heads × headDim], the same type.</param>
    /// <param name="value">[tokens, heads × headDim], the same type.</param>
    /// <param name="output">[tokens, heads × headDim], the same type; not an input.</param>
    /// <param name="headDim">Elements per head; divides the columns, at most 256.</param>
    /// <param name="scale">The score scale, usually 1/√headDim.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public AttentionOperation(DeviceBuffer query, DeviceBuffer key, DeviceBuffer value, DeviceBuffer output, int headDim, float scale)
    {
        Query = NotNull(query, nameof(query));
        Key = NotNull(key, nameof(key));
        Value = NotNull(value, nameof(value));
        Output = NotNull(output, nameof(output));
        HeadDim = headDim;
        Scale = scale;
        SetOperands([("Query", query), ("Key", key), ("Value", value)], [("Output", output)]);
        RequireFloatingPoint(query, "Query");
        Require(headDim >= 1 && headDim <= AttentionHeads.MaxHeadDim && query.Shape.Columns % headDim == 0,
            string.Create(CultureInfo.InvariantCulture, $"HeadDim {headDim} must be in [1, {AttentionHeads.MaxHeadDim}] and divide Query's {query.Shape.Columns} columns."));
        RequireShape(key, "Key", query.Shape.Rows, query.Shape.Columns);
        RequireShape(value, "Value", query.Shape.Rows, query.Shape.Columns);
        RequireShape(output, "Output", query.Shape.Rows, query.Shape.Columns);
        RequireSameType(key, "Key", query, "Query");
        RequireSameType(value, "Value", query, "Query");
        RequireSameType(output, "Output", query, "Query");
        Require(!ReferenceEquals(output.Root, query.Root) && !ReferenceEquals(output.Root, key.Root) && !ReferenceEquals(output.Root, value.Root),
            "Output must not share an allocation with Query, Key or Value.");
        Require(scale > 0 && float.IsFinite(scale), string.Create(CultureInfo.InvariantCulture, $"Scale must be positive and finite, not {scale}."));
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.Attention;

    /// <summary>[tokens, heads × headDim].</summary>
    public DeviceBuffer Query { get; }

    /// <summary>[tokens, heads × headDim].</summary>
    public DeviceBuffer Key { get; }

    /// <summary>[tokens, heads × headDim].</summary>
    public DeviceBuffer Value { get; }

    /// <summary>[tokens, heads × headDim].</summary>
    public DeviceBuffer Output { get; }

    /// <summary>Elements per head.</summary>
    public int HeadDim { get; }

    /// <summary>The score scale.</summary>
    public float Scale { get; }
}
