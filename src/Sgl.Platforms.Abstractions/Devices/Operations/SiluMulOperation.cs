namespace Sgl.Platforms.Devices;

/// <summary>
/// The SwiGLU activation over a fused gate/up projection: with <c>g = GateUp[r, i]</c> and
/// <c>u = GateUp[r, F + i]</c>, <c>Output[r, i] = g / (1 + e^(−g)) · u</c>.
/// </summary>
public sealed class SiluMulOperation : DeviceOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="gateUp">[tokens, 2F]: the gate in the first F columns, the up projection in the rest.</param>
    /// <param name="output">[tokens, F], the same type.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public SiluMulOperation(DeviceBuffer gateUp, DeviceBuffer output)
    {
        GateUp = NotNull(gateUp, nameof(gateUp));
        Output = NotNull(output, nameof(output));
        SetOperands([("GateUp", gateUp)], [("Output", output)]);
        RequireFloatingPoint(gateUp, "GateUp");
        Require(gateUp.Shape.Columns % 2 == 0, $"GateUp must have an even number of columns (gate then up) but is {gateUp.Shape}.");
        RequireShape(output, "Output", gateUp.Shape.Rows, gateUp.Shape.Columns / 2);
        RequireSameType(output, "Output", gateUp, "GateUp");
        Require(!ReferenceEquals(output.Root, gateUp.Root), "Output must not share memory with GateUp.");
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.SiluMul;

    /// <summary>[tokens, 2F].</summary>
    public DeviceBuffer GateUp { get; }

    /// <summary>[tokens, F].</summary>
    public DeviceBuffer Output { get; }
}
