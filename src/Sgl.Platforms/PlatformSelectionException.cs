namespace Sgl.Platforms;

/// <summary>
/// No platform could be selected, or the platform configuration is invalid. The message says what
/// happened, why, and what to set to fix it.
/// </summary>
public class PlatformSelectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PlatformSelectionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened, why and the fix.</param>
    public PlatformSelectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What happened, why and the fix.</param>
    /// <param name="innerException">The cause.</param>
    public PlatformSelectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
