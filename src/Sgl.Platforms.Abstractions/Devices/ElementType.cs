namespace Sgl.Platforms.Devices;

/// <summary>The element type of a device buffer.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Element type names are the point of this enum.")]
public enum ElementType
{
    /// <summary>32-bit IEEE float.</summary>
    Float32,

    /// <summary>16-bit IEEE float (half).</summary>
    Float16,

    /// <summary>16-bit brain float: the upper half of a float32.</summary>
    BFloat16,

    /// <summary>32-bit signed integer (token ids, positions, KV slots).</summary>
    Int32,
}
