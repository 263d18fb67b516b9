namespace Sgl.Platforms;

/// <summary>A platform setting (an <c>SGL_*</c> variable or <c>Sgl:Platforms</c> key) has a value that cannot be used; the message names it.</summary>
public sealed class PlatformConfigurationException : PlatformSelectionException
{
    /// <summary>Creates the exception.</summary>
    public PlatformConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Which setting, its value, and the fix.</param>
    public PlatformConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">Which setting, its value, and the fix.</param>
    /// <param name="innerException">The cause.</param>
    public PlatformConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
