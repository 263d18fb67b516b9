namespace Sgl.Platforms.Devices;

/// <summary>
/// <c>Output = Input · Weightᵀ</c> with weights stored [out, in], as linear layers keep them:
/// <c>Output[r, j] = Σₖ Input[r, k] · Weight[j, k]</c>, accumulated in float32.
/// </summary>
public sealed class MatMulOperation : DeviceOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="input">[tokens, in], floating point.</param>
    /// <param name="weight">[out, in], the input's type.</param>
    /// <param name="output">[tokens, out], the input's type; not the input.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public MatMulOperation(DeviceBuffer input, DeviceBuffer weight, DeviceBuffer output)
    {
        Input = NotNull(input, nameof(input));
        Weight = NotNull(weight, nameof(weight));
        Output = NotNull(output, nameof(output));
        SetOperands([("Input", input), ("Weight", weight)], [("Output", output)]);
        RequireFloatingPoint(input, "Input");
        Require(weight.Shape.Columns == input.Shape.Columns,
            $"Weight must be [out, {input.Shape.Columns}] (stored [out, in], its columns equal to Input's) but is {weight.Shape}.");
        RequireShape(output, "Output", input.Shape.Rows, weight.Shape.Rows);
        RequireSameType(weight, "Weight", input, "Input");
        RequireSameType(output, "Output", input, "Input");
        Require(!ReferenceEquals(output.Root, input.Root) && !ReferenceEquals(output.Root, weight.Root), "Output must not share an allocation with Input or Weight.");
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.MatMul;

    /// <summary>[tokens, in].</summary>
    public DeviceBuffer Input { get; }

    /// <summary>[out, in].</summary>
    public DeviceBuffer Weight { get; }

    /// <summary>[tokens, out].</summary>
    public DeviceBuffer Output { get; }
}
