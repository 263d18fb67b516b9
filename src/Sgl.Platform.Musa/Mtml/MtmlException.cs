namespace Sgl.Platform.Musa.Mtml;

/// <summary>An MTML call failed; the message names the function and the MTML error.</summary>
internal sealed class MtmlException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MtmlException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The function and the error.</param>
    public MtmlException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The function and the error.</param>
    /// <param name="innerException">The cause.</param>
    public MtmlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
