using System.Globalization;

namespace Sgl.Platforms.Devices;

/// <summary>
/// Rotary position embedding, in place, over interleaved pairs: for each row r whose position
/// p = <c>Positions[r]</c> lies in [0, table rows), each of the first <see cref="HeadCount"/> heads and each
/// pair i, <c>(a, b) ← (a·cos − b·sin, a·sin + b·cos)</c> with <c>cos = CosSin[p, i]</c>,
/// <c>sin = CosSin[p, HeadDim/2 + i]</c>. Rows with a position outside the table, and later heads, are left as they are.
/// </summary>
public sealed class RotaryOperation : DeviceOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="tensor">[tokens, columns], floating point, rotated in place; columns ≥ headCount × headDim.</param>
    /// <param name="positions">[tokens, 1] Int32.</param>
    /// <param name="cosSin">[positions, headDim] Float32: cosines then sines per position.</param>
    /// <param name="headDim">Elements per head; even.</param>
    /// <param name="headCount">Heads rotated, from the start of each row.</param>
    /// <exception cref="TensorShapeException">The operands do not fit together.</exception>
    public RotaryOperation(DeviceBuffer tensor, DeviceBuffer positions, DeviceBuffer cosSin, int headDim, int headCount)
    {
        Tensor = NotNull(tensor, nameof(tensor));
        Positions = NotNull(positions, nameof(positions));
        CosSin = NotNull(cosSin, nameof(cosSin));
        HeadDim = headDim;
        HeadCount = headCount;
        SetOperands([("Tensor", tensor), ("Positions", positions), ("CosSin", cosSin)], [("Tensor", tensor)]);
        RequireFloatingPoint(tensor, "Tensor");
        RequireType(positions, "Positions", ElementType.Int32);
        RequireShape(positions, "Positions", tensor.Shape.Rows, 1);
        RequireType(cosSin, "CosSin", ElementType.Float32);
        Require(headDim >= 2 && headDim % 2 == 0, string.Create(CultureInfo.InvariantCulture, $"HeadDim must be even and at least 2, not {headDim}."));
        Require(headCount >= 1 && (long)headCount * headDim <= tensor.Shape.Columns,
            string.Create(CultureInfo.InvariantCulture, $"{headCount} heads of {headDim} do not fit in rows of {tensor.Shape.Columns} elements."));
        Require(cosSin.Shape.Columns == headDim, string.Create(CultureInfo.InvariantCulture, $"CosSin must be [positions, {headDim}] but is {cosSin.Shape}."));
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.Rotary;

    /// <summary>[tokens, columns], rotated in place.</summary>
    public DeviceBuffer Tensor { get; }

    /// <summary>[tokens, 1] Int32.</summary>
    public DeviceBuffer Positions { get; }

    /// <summary>[positions, headDim] Float32.</summary>
    public DeviceBuffer CosSin { get; }

    /// <summary>Elements per head.</summary>
    public int HeadDim { get; }

    /// <summary>Heads rotated, from the start of each row.</summary>
    public int HeadCount { get; }
}
