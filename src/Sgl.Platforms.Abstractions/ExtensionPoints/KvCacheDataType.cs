namespace Sgl.Platforms.ExtensionPoints;

/// <summary>The element type of a KV cache.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Element type names are the point of this enum.")]
public enum KvCacheDataType
{
    /// <summary>32-bit float.</summary>
    Float32,

    /// <summary>16-bit IEEE float.</summary>
    Float16,

    /// <summary>16-bit brain float.</summary>
    BFloat16,
}
