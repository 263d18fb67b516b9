namespace Sgl.Platforms.Devices;

/// <summary>
/// Root-mean-square normalisation of each row, scaled by <see cref="Weight"/>:
/// <c>Output[r, i] = x[i] / sqrt(mean(x²) + Epsilon) · Weight[i]</c>. With <see cref="Residual"/>, the
/// residual add is fused in first: <c>Residual[r] += Input[r]</c> (rounded to the element type), and x is that
/// updated residual row; otherwise x is <c>Input[r]</c>. <see cref="Output"/> may be <see cref="Input"/>.
/// </summary>
public sealed class RmsNormOperation : DeviceOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="input">[tokens, hidden], floating point.</param>
    /// <param name="weight">[1, hidden], the input's type.</param>
    /// <param name="output">[tokens, hidden], the input's type; may be <paramref name="input"/>.</param>
    /// <param name="epsilon">Added to the mean square; positive.</param>
    /// <param name="residual">[tokens, hidden], the input's type, updated in place; or null.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public RmsNormOperation(DeviceBuffer input, DeviceBuffer weight, DeviceBuffer output, float epsilon, DeviceBuffer? residual = null)
    {
        Input = NotNull(input, nameof(input));
        Weight = NotNull(weight, nameof(weight));
        Output = NotNull(output, nameof(output));
        Residual = residual;
        Epsilon = epsilon;
        SetOperands([("Input", input), ("Weight", weight), ("Residual", residual)], [("Output", output), ("Residual", residual)]);
        RequireFloatingPoint(input, "Input");
        RequireShape(weight, "Weight", 1, input.Shape.Columns);
        RequireShape(output, "Output", input.Shape.Rows, input.Shape.Columns);
        RequireSameType(weight, "Weight", input, "Input");
        RequireSameType(output, "Output", input, "Input");
        if (residual is not null)
        {
            RequireShape(residual, "Residual", input.Shape.Rows, input.Shape.Columns);
            RequireSameType(residual, "Residual", input, "Input");
        }

        Require(epsilon > 0 && float.IsFinite(epsilon), $"Epsilon must be a positive finite number, not {epsilon}.");
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.RmsNorm;

    /// <summary>[tokens, hidden].</summary>
    public DeviceBuffer Input { get; }

    /// <summary>[1, hidden].</summary>
    public DeviceBuffer Weight { get; }

    /// <summary>[tokens, hidden].</summary>
    public DeviceBuffer Output { get; }

    /// <summary>[tokens, hidden], or null for a plain normalisation.</summary>
    public DeviceBuffer? Residual { get; }

    /// <summary>Added to the mean square.</summary>
    public float Epsilon { get; }
}
