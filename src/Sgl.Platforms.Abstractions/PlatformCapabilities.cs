using System.Collections.Frozen;
using Sgl.Platforms.Devices;

namespace Sgl.Platforms;

/// <summary>
/// What a platform can do, frozen: runtimes read it before they build anything (<see cref="Platform.Capabilities"/>),
/// so a missing part is reported up front rather than half-way through a launch.
/// </summary>
/// <remarks>
/// The defaults describe a platform with no device layer: one rank per device found, no operations of its
/// own (every operation runs on the CPU reference), float32 only, no graph capture.
/// </remarks>
public sealed class PlatformCapabilities
{
    private readonly FrozenSet<OperationKind> _operations = FrozenSet<OperationKind>.Empty;
    private readonly FrozenSet<ElementType> _elementTypes = [ElementType.Float32];
    private readonly FrozenSet<ElementType> _kvElementTypes = [ElementType.Float32];
    private readonly int _maxLocalRanks = 1;

    /// <summary>How many ranks of one node the platform runs (one per device, unless ranks share a device).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int MaxLocalRanks
    {
        get => _maxLocalRanks;
        init => _maxLocalRanks = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxLocalRanks cannot be negative.");
    }

    /// <summary>The operations the platform's devices run themselves; the rest run on the CPU reference with copies.</summary>
    public IReadOnlySet<OperationKind> Operations
    {
        get => _operations;
        init => _operations = (value ?? throw new ArgumentNullException(nameof(value))).ToFrozenSet();
    }

    /// <summary>Element types the platform computes in (weights and activations).</summary>
    public IReadOnlySet<ElementType> ElementTypes
    {
        get => _elementTypes;
        init => _elementTypes = NonEmpty(value, nameof(ElementTypes));
    }

    /// <summary>Element types the platform's KV pool stores.</summary>
    public IReadOnlySet<ElementType> KvElementTypes
    {
        get => _kvElementTypes;
        init => _kvElementTypes = NonEmpty(value, nameof(KvElementTypes));
    }

    /// <summary>True when the platform's graph runner captures a whole step and replays it.</summary>
    public bool GraphCapture { get; init; }

    /// <summary>
    /// True (the default) when operations the platform does not run may run on the CPU reference with copies.
    /// A platform whose memory the host cannot copy sets false; runtimes then refuse a model that needs such an operation.
    /// </summary>
    public bool CpuFallback { get; init; } = true;

    private static FrozenSet<ElementType> NonEmpty(IReadOnlySet<ElementType>? value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        return value.Count > 0 && !value.Contains(ElementType.Int32)
            ? value.ToFrozenSet()
            : throw new ArgumentException($"{name} must list at least one floating-point element type.", name);
    }
}
