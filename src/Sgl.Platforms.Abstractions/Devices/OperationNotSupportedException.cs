namespace Sgl.Platforms.Devices;

/// <summary>
/// An operation was asked of a device that does not implement it (and, where a runtime asked for it, no CPU
/// fallback was allowed). The message names the operation, its operands and the platform.
/// </summary>
public sealed class OperationNotSupportedException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    public OperationNotSupportedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was asked of which platform, and what to do.</param>
    public OperationNotSupportedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What was asked of which platform, and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public OperationNotSupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The operation that was asked for, when known.</summary>
    public OperationKind? Operation { get; init; }
}
