namespace Sgl.Platforms.Devices;

/// <summary>
/// Greedy sampling: <c>Output[r]</c> is the lowest index of the largest value of row r. A NaN counts as larger
/// than every number, so the first NaN wins.
/// </summary>
public sealed class ArgmaxOperation : DeviceOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="logits">[tokens, vocabulary], floating point.</param>
    /// <param name="output">[tokens, 1] Int32.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public ArgmaxOperation(DeviceBuffer logits, DeviceBuffer output)
    {
        Logits = NotNull(logits, nameof(logits));
        Output = NotNull(output, nameof(output));
        SetOperands([("Logits", logits)], [("Output", output)]);
        RequireFloatingPoint(logits, "Logits");
        RequireType(output, "Output", ElementType.Int32);
        RequireShape(output, "Output", logits.Shape.Rows, 1);
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.Argmax;

    /// <summary>[tokens, vocabulary].</summary>
    public DeviceBuffer Logits { get; }

    /// <summary>[tokens, 1] Int32.</summary>
    public DeviceBuffer Output { get; }
}
