namespace Sgl.Diffusion;

/// <summary>A diffusion argument is invalid; the message names it and the values that would work.</summary>
public sealed class InvalidDiffusionArgsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidDiffusionArgsException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong and what to pass instead.</param>
    public InvalidDiffusionArgsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What is wrong and what to pass instead.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidDiffusionArgsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
