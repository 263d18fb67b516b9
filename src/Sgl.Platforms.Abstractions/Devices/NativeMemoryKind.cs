namespace Sgl.Platforms.Devices;

/// <summary>Which memory a <see cref="NativeAddress"/> address is in.</summary>
/// <remarks>Contract 1.1.</remarks>
public enum NativeMemoryKind
{
    /// <summary>Host memory the process can read and write directly.</summary>
    Host,

    /// <summary>Device memory, addressed through the platform's native API.</summary>
    Device,
}
