namespace Sgl.Platforms.Devices;

/// <summary>
/// Fills a buffer with seeded uniform values in [Low, High), generated where the buffer lives (synthetic
/// weights for benchmarks need no host copy). Bit-exact on every platform: element i (row-major) is
/// <c>fma(u, High − Low, Low)</c> with u = the top 24 bits of SplitMix64(Seed + (i + 1)·0x9E3779B97F4A7C15) × 2⁻²⁴,
/// rounded to the element type (docs/contract.md).
/// </summary>
public sealed class FillUniformOperation : DeviceOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="output">The buffer to fill; floating point.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="low">The lower bound.</param>
    /// <param name="high">The upper bound; not below <paramref name="low"/>.</param>
    /// <exception cref="TensorShapeException">The buffer is not floating point or the bounds are not finite and ordered.</exception>
    public FillUniformOperation(DeviceBuffer output, ulong seed, float low, float high)
    {
        Output = NotNull(output, nameof(output));
        Seed = seed;
        Low = low;
        High = high;
        SetOperands([], [("Output", output)]);
        RequireFloatingPoint(output, "Output");
        Require(float.IsFinite(low) && float.IsFinite(high) && low <= high, $"Low ({low}) and High ({high}) must be finite with Low <= High.");
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.FillUniform;

    /// <summary>The buffer filled.</summary>
    public DeviceBuffer Output { get; }

    /// <summary>The seed.</summary>
    public ulong Seed { get; }

    /// <summary>The lower bound.</summary>
    public float Low { get; }

    /// <summary>The upper bound.</summary>
    public float High { get; }
}
