namespace Sgl.Platforms.Devices;

/// <summary>
/// <c>Output = ScaleA · A + ScaleB · B</c>, element-wise; a one-row B is added to every row. Output may be A or B.
/// </summary>
public sealed class AddOperation : DeviceOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="a">[rows, columns], floating point.</param>
    /// <param name="b">[rows, columns] or [1, columns], the same type.</param>
    /// <param name="output">[rows, columns], the same type.</param>
    /// <param name="scaleA">A's factor.</param>
    /// <param name="scaleB">B's factor.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public AddOperation(DeviceBuffer a, DeviceBuffer b, DeviceBuffer output, float scaleA = 1f, float scaleB = 1f)
    {
        A = NotNull(a, nameof(a));
        B = NotNull(b, nameof(b));
        Output = NotNull(output, nameof(output));
        ScaleA = scaleA;
        ScaleB = scaleB;
        SetOperands([("A", a), ("B", b)], [("Output", output)]);
        RequireFloatingPoint(a, "A");
        Require(b.Shape.Columns == a.Shape.Columns && (b.Shape.Rows == a.Shape.Rows || b.Shape.Rows == 1),
            $"B must be {a.Shape} or [1, {a.Shape.Columns}] but is {b.Shape}.");
        RequireShape(output, "Output", a.Shape.Rows, a.Shape.Columns);
        RequireSameType(b, "B", a, "A");
        RequireSameType(output, "Output", a, "A");
        Require(float.IsFinite(scaleA) && float.IsFinite(scaleB), $"ScaleA ({scaleA}) and ScaleB ({scaleB}) must be finite.");
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.Add;

    /// <summary>[rows, columns].</summary>
    public DeviceBuffer A { get; }

    /// <summary>[rows, columns] or [1, columns].</summary>
    public DeviceBuffer B { get; }

    /// <summary>[rows, columns].</summary>
    public DeviceBuffer Output { get; }

    /// <summary>A's factor.</summary>
    public float ScaleA { get; }

    /// <summary>B's factor.</summary>
    public float ScaleB { get; }
}
