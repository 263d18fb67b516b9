namespace Sgl.Platforms.Devices;

/// <summary>A device allocation failed for lack of memory. Platforms throw it from allocation; nothing was allocated.</summary>
public sealed class DeviceOutOfMemoryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeviceOutOfMemoryException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was asked for and what was free.</param>
    public DeviceOutOfMemoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What was asked for and what was free.</param>
    /// <param name="innerException">The platform's own error.</param>
    public DeviceOutOfMemoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Bytes the failed allocation asked for, when known.</summary>
    public long? RequestedBytes { get; init; }

    /// <summary>Bytes the device had free, when known.</summary>
    public long? FreeBytes { get; init; }
}
